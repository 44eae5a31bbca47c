"""Catalog.chart_frames: what charts needs, from the loaded catalogue and reports/."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from catalog import Catalog
from charts import (
    available_charts,
    ratings_summary_from_json,
    ratings_summary_to_json,
    render_chart,
)
from tests.catalog_helpers import ROWS, write_processed

SUMMARY = ratings_summary_to_json(
    pd.Series({0.5: 3, 3.0: 10, 4.5: 7}), pd.Series({1: 40, 2: 9, 30: 1})
)
ETL_REPORT = {"anomalies": {"duration_in_rating": {"count": 2, "samples": ["hs1", "hs2"]}}}


def _catalog(tmp_path: Path, reports: dict[str, str] | None = None) -> Catalog:
    data = write_processed(tmp_path / "data")
    for name, text in (reports or {}).items():
        (data / "reports").mkdir(exist_ok=True)
        (data / "reports" / name).write_text(text, encoding="utf-8")
    return Catalog.load(data)


def test_frames_from_the_catalogue_alone(tmp_path: Path) -> None:
    frames = _catalog(tmp_path).chart_frames()
    assert set(frames) == {"titles", "display", "scores"}
    titles = frames["titles"]
    assert len(titles) == len(ROWS)
    assert {"id", "platform", "type", "country", "listed_in", "date_added", "release_year",
            "rating", "duration_int", "duration_type"} <= set(titles.columns)  # fmt: skip
    display = frames["display"].set_index("id")["title"]
    assert display["ns1"] == "Amélie"  # original casing, while titles.title is lower-case
    scores = frames["scores"].set_index("id")
    assert scores.loc["ns1", "votes"] == 10 and scores.loc["ns1", "score"] == pytest.approx(4.2)
    assert pd.isna(scores.loc["as3", "score"])
    names = available_charts(frames)
    assert "platforms" in names and "ratings" not in names and "anomalies" not in names


def test_reports_add_the_ratings_summary_and_the_etl_report(tmp_path: Path) -> None:
    reports = {"eda_ratings.json": SUMMARY, "etl.json": json.dumps(ETL_REPORT)}
    frames = _catalog(tmp_path, reports).chart_frames()
    expected = ratings_summary_from_json(SUMMARY)
    pd.testing.assert_series_equal(frames["rating_counts"], expected["rating_counts"])
    pd.testing.assert_series_equal(frames["user_activity"], expected["user_activity"])
    assert frames["etl_report"] == ETL_REPORT
    names = available_charts(frames)
    assert {"ratings", "votes_per_user", "anomalies"} <= set(names)


def test_malformed_reports_are_left_out(tmp_path: Path) -> None:
    reports = {"eda_ratings.json": '{"rating_counts": 3}', "etl.json": "not json"}
    frames = _catalog(tmp_path, reports).chart_frames()
    assert set(frames) == {"titles", "display", "scores"}


def test_a_chart_drawn_from_the_frames_quotes_the_catalogue(tmp_path: Path) -> None:
    chart = render_chart("platforms", _catalog(tmp_path).chart_frames())
    assert chart.png.startswith(b"\x89PNG\r\n\x1a\n")
    # 6 of the 15 titles are Amazon's: 40%
    assert "Amazon Prime Video carries 40% of all 15 titles" in chart.finding
