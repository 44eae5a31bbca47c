"""Content features (etl/content.py): written by the ETL beside the parquet files, one row per
title id, read back by model/content.py; empty fields give all-zero blocks, never an error."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from etl.__main__ import main
from model.content import ContentError, read_content
from tests.etl_helpers import minimal_raw, title_row, write_titles


def _features(content, title_id: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    row = content.matrix[content.ids.index(title_id)]
    return {content.features[j]: float(v) for j, v in zip(row.indices, row.data, strict=True)}


def test_the_etl_writes_content_features_for_every_title(tmp_path: Path) -> None:
    raw = minimal_raw(tmp_path / "raw")
    write_titles(
        raw / "titles" / "netflix_titles.csv",
        [
            title_row("s1", listed_in="Dramas, TV Sci-Fi & Fantasy", director="Ava Lee",
                      cast="Ann One, Bo Two", country="Spain", release_year="1994",
                      duration="95 min", rating="TV-MA",
                      description="A lighthouse keeper finds a strange lighthouse signal."),
            title_row("s2", director="Ava Lee", listed_in="Sci-Fi & Fantasy", cast="Ann One"),
            # every field empty: an all-zero row, no error
            title_row("s3", type="", director="", cast="", country="", release_year="",
                      rating="", duration="", listed_in="", description=""),
            title_row("s1", title="a repeated id"),  # the first row of an id is the one kept
        ],
    )  # fmt: skip
    out = tmp_path / "data" / "processed"
    assert main(["--raw", str(raw), "--out", str(out), "-q"]) == 0
    content = read_content(out / "content.npz")
    report = json.loads((tmp_path / "data" / "reports" / "etl.json").read_text())
    assert report["content"]["titles"] == len(content.ids) == 9  # 2 x 3 platforms + 3
    assert len(set(content.ids)) == len(content.ids)

    ns1 = _features(content, "ns1")
    # Netflix's "Dramas" and "TV Sci-Fi & Fantasy" are the cross-platform keys
    assert {"genre:drama", "genre:scifi_fantasy"} <= set(ns1)
    assert {"director:ava lee", "cast:ann one", "country:spain", "decade:1990s"} <= set(ns1)
    assert {"duration:90-119 min", "rating:tv-ma", "type:movie"} <= set(ns1)
    assert "cast:bo two" not in ns1  # credited on one title only: links it to nothing
    for block in ("genre", "cast"):  # each block of a row has unit length
        part = [v for f, v in ns1.items() if f.startswith(block + ":")]
        assert np.isclose(np.sum(np.square(part)), 1.0)
    assert _features(content, "ns3") == {}
    # rows_for lines them up with any id order; unknown ids are zero rows
    m = content.rows_for(["zz9", "ns2", "ns1"])
    assert m.shape == (3, len(content.features)) and m[0].nnz == 0
    assert m[2].nnz == len(ns1)


def test_a_missing_or_broken_content_file_is_refused_with_the_reason(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match=r"missing .*python -m etl"):
        read_content(tmp_path / "content.npz")
    (tmp_path / "content.npz").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ContentError, match="not a usable content file"):
        read_content(tmp_path / "content.npz")
