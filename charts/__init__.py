"""Charts of the exploratory analysis: pandas in, PNG bytes out, no other part of streamrec.

Used by `python -m etl.eda` (the HTML report) and by the bot's `/chart <name>`:

    from charts import available_charts, render_chart
    names = available_charts(frames)                 # what these frames can draw
    chart = render_chart("platforms", frames)        # Chart(name, title, png, finding, findings)
    caption = chart.finding_in("es")                 # the finding in Spanish ("en": English)

`frames` is a mapping (or an EdaData): "titles" (required), "display", "scores",
"rating_counts" + "user_activity" (see summarize_ratings / ratings_summary_from_json) or a raw
"ratings" frame, and "etl_report" (the parsed etl.json).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pandas as pd

from charts import columns as _columns  # noqa: F401
from charts import ratings as _ratings  # noqa: F401  (registers the charts)
from charts import titles as _titles  # noqa: F401
from charts.base import REGISTRY, Chart, EdaData, summarize_ratings
from charts.pandas_helpers import number_label

# Report order: the catalogue first, then the ratings, then the ETL's anomalies.
ORDER: tuple[str, ...] = (
    "platforms",
    "release_years",
    "durations",
    "maturity",
    "countries",
    "genres",
    "date_added",
    "missing",
    "ratings",
    "votes_per_user",
    "votes_per_title",
    "score_vs_votes",
    "anomalies",
)


def _ordered() -> list[str]:
    return [n for n in ORDER if n in REGISTRY] + [n for n in REGISTRY if n not in ORDER]


def available_charts(frames: EdaData | Mapping[str, Any] | None = None) -> list[str]:
    """Chart names in report order; with `frames`, only those the frames can draw."""
    if frames is None:
        return _ordered()
    data = EdaData.from_frames(frames)
    return [name for name in _ordered() if data.has(REGISTRY[name].needs)]


def chart_titles() -> dict[str, str]:
    """name -> human title, for keyboards and the report's table of contents."""
    return {name: REGISTRY[name].title for name in _ordered()}


def render_chart(name: str, frames: EdaData | Mapping[str, Any]) -> Chart:
    """Render one chart. KeyError names the valid charts; ValueError says which input is absent."""
    spec = REGISTRY.get(name.strip().lower().replace("-", "_"))
    if spec is None:
        raise KeyError(f"unknown chart {name!r}; available: {', '.join(_ordered())}")
    data = EdaData.from_frames(frames)
    missing = [n for n in spec.needs if getattr(data, n) is None]
    if missing:
        raise ValueError(f"chart {spec.name!r} needs {', '.join(missing)}, which was not given")
    return spec.fn(data)


def ratings_summary_to_json(rating_counts: pd.Series, user_activity: pd.Series) -> str:
    """The tiny ratings summary `python -m etl.eda` writes to reports/eda_ratings.json."""
    return json.dumps(
        {
            "rating_counts": {f"{number_label(k):g}": int(v) for k, v in rating_counts.items()},
            "user_activity": {str(int(number_label(k))): int(v) for k, v in user_activity.items()},
        }
    )


def ratings_summary_from_json(text: str) -> dict[str, pd.Series]:
    """{"rating_counts", "user_activity"} Series from eda_ratings.json, to add to `frames`."""
    raw = json.loads(text)
    rc = raw["rating_counts"]
    ua = raw["user_activity"]
    return {
        "rating_counts": pd.Series(
            list(rc.values()), index=[float(k) for k in rc], dtype="int64"
        ).sort_index(),
        "user_activity": pd.Series(
            list(ua.values()), index=[int(k) for k in ua], dtype="int64"
        ).sort_index(),
    }


__all__ = [
    "Chart",
    "EdaData",
    "available_charts",
    "chart_titles",
    "ratings_summary_from_json",
    "ratings_summary_to_json",
    "render_chart",
    "summarize_ratings",
]
