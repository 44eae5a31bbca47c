"""What the charts draw from: the catalogue's own tables as frames, and the ETL's and EDA's
report files under <data_dir>/reports/.

A missing or unreadable report only leaves its key out: the charts it feeds are not offered.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TypeAlias

import pandas as pd

from catalog.rows import TitleRows
from domain.vocabulary import SERVED_TITLE_COLUMNS

# Chart inputs: DataFrames (titles, display, scores), Series (rating_counts, user_activity) or
# the ETL report's JSON object (etl_report).
ChartFrame: TypeAlias = pd.DataFrame | pd.Series | Mapping[str, object]


def chart_frames(rows: TitleRows, data_dir: Path | str) -> dict[str, ChartFrame]:
    """titles (every titles.parquet column the catalogue holds, one row per title), display
    (id, title, country, rating, listed_in in original casing: chart labels), scores
    (id, score, votes), and the `report_frames` of data_dir. New frames on every call."""
    cols = rows.columns
    # list(): a stored index's columns are lazy sequences (catalog/stored.py Column).
    text = {k: list(rows.display_text[k]) for k in ("country", "rating", "listed_in")}
    frames: dict[str, ChartFrame] = {
        "titles": pd.DataFrame({c: list(cols[c]) for c in SERVED_TITLE_COLUMNS if c in cols}),
        "display": pd.DataFrame({"id": list(rows.ids), "title": list(rows.display_title)} | text),
        "scores": pd.DataFrame(
            {"id": list(rows.ids), "score": rows.score.copy(), "votes": rows.votes.copy()}
        ),
    }
    return frames | report_frames(data_dir)


def report_frames(data_dir: Path | str) -> dict[str, ChartFrame]:
    """rating_counts + user_activity (reports/eda_ratings.json) and etl_report (etl.json)."""
    reports = Path(data_dir) / "reports"
    frames: dict[str, ChartFrame] = {}
    summary = read_json(reports / "eda_ratings.json")
    # A malformed summary: the ratings charts are simply not offered.
    with contextlib.suppress(KeyError, TypeError, ValueError, AttributeError):
        if isinstance(summary, Mapping):
            frames |= ratings_summary(summary)
    etl_report = read_json(reports / "etl.json")
    if isinstance(etl_report, dict):
        frames["etl_report"] = etl_report
    return frames


def read_json(path: Path) -> object:
    """The parsed JSON of `path`, or None when it is missing or not JSON."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def ratings_summary(raw: Mapping[str, object]) -> dict[str, pd.Series]:
    """eda_ratings.json -> {"rating_counts", "user_activity"} Series, as the charts take them
    (the same as charts.ratings_summary_from_json, without importing matplotlib here)."""
    rc, ua = raw["rating_counts"], raw["user_activity"]
    if not isinstance(rc, Mapping) or not isinstance(ua, Mapping):
        raise TypeError("rating_counts and user_activity must be objects")
    return {
        "rating_counts": pd.Series(
            [int(x) for x in rc.values()], index=[float(k) for k in rc], dtype="int64"
        ).sort_index(),
        "user_activity": pd.Series(
            [int(x) for x in ua.values()], index=[int(k) for k in ua], dtype="int64"
        ).sort_index(),
    }
