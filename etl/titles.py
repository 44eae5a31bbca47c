"""Titles: read the four platform files, apply the five transformations, build display rows
(the raw text people read, in its original casing)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa

from domain.inputfiles import csv_inputs, refused_name
from domain.testrows import mask_test_rows
from domain.vocabulary import DISPLAY_COLUMNS, PLATFORM_LETTERS, arrow_schema
from etl import transforms as tf
from etl.csvfiles import parse_csv
from etl.errors import EtlError
from etl.report import QualityReport
from etl.schema import TEXT_COLUMNS, TITLE_COLUMNS

# Written exactly as the processed-file contract says (domain/vocabulary.py PROCESSED_COLUMNS).
TITLES_SCHEMA = arrow_schema("titles")
# A titles file is read whole (its quoted fields may hold newlines), and parsed rows take some
# ten times the file's bytes in memory: a file far larger than any catalogue is refused before
# it is read. The largest real one (Amazon's 9,668 titles) is 4 MB; 64 MB is some 150,000
# titles for one platform, and keeps the ETL's titles step under ~1 GB (docs/refresh.md).
MAX_TITLES_BYTES = 64 << 20
DISPLAY_SCHEMA = arrow_schema("display")


@dataclass
class TitlesResult:
    titles: pa.Table
    display: pa.Table


def platform_of(path: Path) -> str:
    """The platform named by the file name's first word (`amazon_prime_titles.csv` → amazon)."""
    word = path.name.lower().split("_", 1)[0].split(".", 1)[0]
    if word not in PLATFORM_LETTERS:
        raise EtlError(
            f"{path}: the file name names no known platform ({word!r}); name it "
            f"<platform>_titles.csv with platform one of {', '.join(PLATFORM_LETTERS)}"
        )
    return word


def find_title_files(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        raise EtlError(f"{folder}: titles folder not found (expected <platform>_titles.csv files)")
    refused = refused_name(folder)
    if refused:
        raise EtlError(refused)
    files = csv_inputs(folder)  # dot-files and temporary names are copies in progress
    if not files:
        raise EtlError(f"{folder}: no .csv titles files in the folder")
    by_platform: dict[str, Path] = {}
    for path in files:
        platform = platform_of(path)
        if platform in by_platform:
            raise EtlError(
                f"{path}: a second titles file for {platform} (the first is "
                f"{by_platform[platform].name}); keep one file per platform"
            )
        by_platform[platform] = path
    return by_platform


def read_platform(path: Path, platform: str, report: QualityReport) -> pd.DataFrame:
    size = path.stat().st_size
    if size > MAX_TITLES_BYTES:
        raise EtlError(
            f"{path}: {size / (1 << 20):,.0f} MB, more than a titles file can be "
            f"({MAX_TITLES_BYTES >> 20} MB; the largest real catalogue is 4 MB): not read. "
            "Is it the right file?"
        )
    parsed = parse_csv(path, TITLE_COLUMNS)
    frame = pd.DataFrame(parsed.rows, columns=parsed.header, dtype="string")[list(TITLE_COLUMNS)]
    # An empty cell is a gap in the data, not a value.
    frame = frame.mask(frame.apply(lambda c: c.str.strip() == ""))
    frame.insert(0, "platform", platform)
    if parsed.malformed:
        report.add(
            "malformed_line",
            len(parsed.malformed),
            (f"{path.name}:{n}" for n in parsed.malformed),
        )
    report.files[str(path)] = {"rows_read": len(frame) + len(parsed.malformed)}
    return frame


def transform(raw: pd.DataFrame, report: QualityReport) -> TitlesResult:
    """Apply the five transformations to all platforms' raw rows (one row out per row in)."""
    ids: pd.Series = pd.concat(
        [tf.make_id(g["show_id"], str(p)) for p, g in raw.groupby("platform", sort=False)]
    ).reindex(raw.index)

    in_rating = tf.looks_like_duration(raw["rating"])
    report.add("duration_in_rating_column", int(in_rating.sum()), ids[in_rating])

    rating, filled = tf.fill_rating(raw["rating"])
    report.nulls_filled["rating"] = filled

    dates, bad_dates = tf.parse_date_added(raw["date_added"])
    report.add("unparsable_date", int(bad_dates.sum()), ids[bad_dates])

    duration_int, duration_type, bad_duration = tf.split_duration(raw["duration"])
    report.add("unparsable_duration", int(bad_duration.sum()), ids[bad_duration])

    year = pd.to_numeric(raw["release_year"].str.strip(), errors="coerce")
    bad_year = raw["release_year"].notna() & (year.isna() | (year != year.round()))
    report.add("unparsable_release_year", int(bad_year.sum()), ids[bad_year])

    # A platform's QA entries ("Asin_tombstone_test_target", cast "Test Actor 1"): kept, like
    # every row, and reported; the catalogue serves them nowhere people look (domain/testrows.py).
    test = mask_test_rows(raw["title"], raw["cast"], raw["description"])
    report.add("test_row", int(test.sum()), ids[test])

    dup = ids.duplicated(keep=False)
    report.add("duplicate_id", ids.duplicated().sum(), ids[dup].unique())
    if dup.any():  # every row is kept (rule: one row out per row in); the catalogue picks one
        report.notes.append(
            "duplicate_id: every row is kept in titles.parquet; the catalogue serves the first "
            "row of each id (docs/data.md)"
        )

    out = pd.DataFrame({"id": ids, "platform": raw["platform"]})
    for column in TEXT_COLUMNS:
        source = rating if column == "rating" else raw[column]
        out[column] = tf.lower_text(source)
    out["date_added"] = dates.dt.date
    out["release_year"] = year.where(~bad_year).astype("Int32")
    out["duration_int"] = duration_int
    out["duration_type"] = duration_type
    titles = pa.Table.from_pandas(
        out[TITLES_SCHEMA.names], schema=TITLES_SCHEMA, preserve_index=False
    )

    display = raw[list(DISPLAY_COLUMNS)].copy()
    # What people read is the raw text, untouched by rules 2 and 4: a missing maturity rating
    # stays null (rule 2's "G" would claim a rating nobody gave; front ends say "not rated"), and
    # a duration sitting in the rating column ("2 Seasons") is no maturity rating either.
    display["rating"] = display["rating"].mask(in_rating)
    display.insert(0, "id", ids)
    display_table = pa.Table.from_pandas(display, schema=DISPLAY_SCHEMA, preserve_index=False)
    return TitlesResult(titles, display_table)


def load_titles(folder: Path, report: QualityReport) -> TitlesResult:
    frames = [read_platform(path, p, report) for p, path in find_title_files(folder).items()]
    raw = pd.concat(frames, ignore_index=True)
    result = transform(raw, report)
    for path_str in report.files:
        if Path(path_str).parent == folder:
            platform = platform_of(Path(path_str))
            report.files[path_str]["rows_written"] = int((raw["platform"] == platform).sum())
    return result
