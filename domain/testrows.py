"""Test rows: entries a platform's own QA left in its catalogue, which are no titles for people.

The real Amazon file holds about twenty, e.g. `SslmRegUsTV002TargetSERIES` with cast `Test Actor
1, Test Actor 2`, `Asin_tombstone_test_target`, `PrimeVideoQATestMovie16 US` (summary "...Title
Summary Goes here total of Summary400"), `Movie10x` ("Test title"), `Gamma smoke test`. The ETL
keeps them in titles.parquet (one row out per row in) and reports them as the anomaly `test_row`;
the catalogue flags them once at load and serves them nowhere people look (docs/data.md).

This module is the one place that says what a test row is (in domain/, not etl/, so the
catalogue can apply it without importing etl). The rule was read off the real data
(tests/etl/test_etl_testrows.py pins the rows it finds there), and it looks only at signs no real
title shows: real titles such as "Test" (2013), "Johnny Test", "The Alpha Test" or "Attitude
Test" and synopses with "put to the test" must not match. Case is ignored, so it reads
titles.parquet's lower-cased text and the raw text alike.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# A cast member called "Test Actor 1" / "Test Actor1 US" / "Test1", or a cast of numbers only
# ("1", "1, 2, 3": the `Act 2 - Series 4` / `Title before 1C onboarding - 5` entries).
_CAST = r"(?:^|,)\s*test(?:\s*actor\s*\d|\d+\s*(?:,|$))|^\s*\d+(?:\s*,\s*\d+)*\s*$"
# Placeholder synopses: the whole text is "test", "Test title", "Test Season", "Test movie for
# upload", "Test title for ..."; QA templates ("... Summary400"); or an identifier followed by
# "short" / "short description" (`asin_tombstone_test_target short`).
_DESCRIPTION = (
    r"^\s*(?:test|test title|test season|test movie for upload)\s*\.?\s*$"
    r"|^\s*test title for\b|summary400|^\s*\S+\s+short(?:\s+description)?\s*$"
)
# Titles that are identifiers or say what they test.
_TITLE = (
    r"_test|test_|testcase|qa\s?test|tombstone_?test|smoke test|test title|testing title"
    r"|multiple test|curation testing|onboarding|\b1c\b|validation check"
)


def mask_test_rows(title: pd.Series, cast: pd.Series, description: pd.Series) -> pd.Series:
    """True for each row that is a platform's test entry (any case; nulls never match)."""
    mask = _mask(
        pa.array(title, type=pa.string(), from_pandas=True),
        pa.array(cast, type=pa.string(), from_pandas=True),
        pa.array(description, type=pa.string(), from_pandas=True),
    )
    return pd.Series(mask.to_numpy(zero_copy_only=False), index=title.index, dtype=bool)


def flag_test_rows(
    title: Sequence[str | None], cast: Sequence[str | None], description: Sequence[str | None]
) -> list[bool]:
    """`mask_test_rows` over plain lists (the catalogue's columns), as a list of bools."""
    mask = _mask(
        pa.array(title, type=pa.string()),
        pa.array(cast, type=pa.string()),
        pa.array(description, type=pa.string()),
    )
    flags: list[bool] = mask.to_pylist()
    return flags


def _mask(title: pa.Array, cast: pa.Array, description: pa.Array) -> pa.Array:
    # Arrow's RE2 matcher in C instead of pandas' per-row Python regex (docs/benchmarks.md),
    # same rows found (the patterns are RE2-compatible).
    def has(values: pa.Array, pattern: str) -> pa.Array:
        return pc.fill_null(pc.match_substring_regex(values, pattern, ignore_case=True), False)

    return pc.or_(pc.or_(has(title, _TITLE), has(cast, _CAST)), has(description, _DESCRIPTION))
