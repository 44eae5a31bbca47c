"""The ETL on the real Kaggle titles (../shared/data/raw/titles), checked against the raw files."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from domain.vocabulary import PLATFORM_LETTERS

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = {"amazon": 9668, "disney": 1450, "hulu": 3073, "netflix": 8807}


@pytest.fixture(scope="module")
def real_run(real_titles_dir: Path, tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("real")
    py = sys.executable
    subprocess.run(
        [py, "-m", "etl.demo", "--out", str(base / "raw"), "--titles-from", str(real_titles_dir),
         "--ratings", "50000"],
        check=True, cwd=ROOT, capture_output=True,
    )  # fmt: skip
    subprocess.run(
        [py, "-m", "etl", "--titles", str(real_titles_dir),
         "--ratings", str(base / "raw" / "ratings"), "--out", str(base / "processed"), "-q"],
        check=True, cwd=ROOT, capture_output=True,
    )  # fmt: skip
    return base


@pytest.fixture(scope="module")
def raw_rows(real_titles_dir: Path) -> pd.DataFrame:
    frames = []
    for path in sorted(real_titles_dir.glob("*_titles.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            df = pd.DataFrame(list(csv.DictReader(f)))
        df["platform"] = path.name.split("_")[0]
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def titles(real_run: Path) -> pd.DataFrame:
    return pq.read_table(real_run / "processed" / "titles.parquet").to_pandas()


def test_every_row_in_is_a_row_out(titles, raw_rows, real_run) -> None:
    assert len(raw_rows) == 22998
    assert len(titles) == 22998
    assert titles.platform.value_counts().to_dict() == EXPECTED
    report = json.loads((real_run / "reports" / "etl.json").read_text())
    assert report["rows"]["titles"] == 22998
    assert sum(v["rows_read"] for k, v in report["files"].items() if "titles" in k) == 22998


def test_ids_are_platform_letter_plus_show_id(titles, raw_rows) -> None:
    expected = raw_rows.platform.map(PLATFORM_LETTERS) + raw_rows.show_id
    assert titles.id.tolist() == expected.tolist()
    assert titles.id.is_unique


def test_no_upper_case_in_any_text_column(titles) -> None:
    text_columns = [c for c in titles.columns if titles[c].dtype in ("object", "string", "str")]
    assert {"title", "cast", "description", "rating", "type", "listed_in"} <= set(text_columns)
    for column in text_columns:
        values = titles[column].dropna().astype(str)
        assert (values == values.str.lower()).all(), column


def test_every_raw_date_is_a_date(titles, raw_rows) -> None:
    had = raw_rows.date_added.str.strip() != ""
    assert had.sum() == titles.date_added.notna().sum()
    parsed = pd.to_datetime(raw_rows.date_added[had].str.strip(), format="%B %d, %Y")
    assert (pd.to_datetime(titles.date_added[had]) == parsed).all()


def test_durations_split_correctly(titles, raw_rows) -> None:
    pattern = re.compile(r"^(\d+) (min|Season|Seasons)$")
    checked = 0
    for raw, n, kind in zip(
        raw_rows.duration, titles.duration_int, titles.duration_type, strict=True
    ):
        m = pattern.match(raw)
        if m:
            assert n == int(m.group(1))
            assert kind == ("min" if m.group(2) == "min" else "season")
            checked += 1
        else:
            assert pd.isna(n) and pd.isna(kind)
    assert checked == 22998 - 482  # 479 empty Hulu durations + 3 Netflix ones


def test_real_dirt_is_reported(real_run) -> None:
    report = json.loads((real_run / "reports" / "etl.json").read_text())
    anomalies = report["anomalies"]
    assert anomalies["duration_in_rating_column"]["count"] == 295  # 292 Hulu + 3 Netflix
    assert "ns5542" in anomalies["duration_in_rating_column"]["samples"] or any(
        s.startswith("hs") for s in anomalies["duration_in_rating_column"]["samples"]
    )
    assert anomalies["unparsable_date"]["count"] == 0
    assert anomalies["duplicate_id"]["count"] == 0
    assert report["nulls_filled"]["rating"] > 0


def test_display_keeps_original_casing(real_run, raw_rows) -> None:
    display = pq.read_table(real_run / "processed" / "display.parquet").to_pandas()
    assert len(display) == 22998
    first = display.set_index("id").loc["as1"]
    assert first.title == "The Grand Seduction"
    assert first.cast.startswith("Brendan Gleeson")
