"""The EDA report as a person reads it (issue 14): it says when the ratings are synthetic, labels
are in their original casing (display.parquet), and no bars are stacked on a log axis."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.patches import Rectangle

import charts.base
from charts import available_charts, render_chart
from charts.base import EdaData
from domain.genres import GENRES, genre_key, genre_name
from etl.__main__ import main as etl_main
from etl.demo import main as demo_main
from etl.eda import build_report, load_frames
from etl.report import SYNTHETIC_MARKER

RATINGS_CHARTS = ("ratings", "votes_per_user", "votes_per_title", "score_vs_votes")


def _processed(base: Path, marker: bool) -> Path:
    raw = base / "raw"
    assert (
        demo_main(["--out", str(raw), "--titles", "400", "--ratings", "6000", "--seed", "5"]) == 0
    )
    if not marker:  # as if the ratings came from people: no generator's marker beside them
        (raw / "ratings" / SYNTHETIC_MARKER).unlink()
    assert etl_main(["--raw", str(raw), "--out", str(base / "processed"), "-q"]) == 0
    return base


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _processed(tmp_path_factory.mktemp("eda_synthetic"), marker=True)


def test_the_report_says_when_ratings_are_synthetic(demo: Path) -> None:
    etl = json.loads((demo / "reports" / "etl.json").read_text())
    assert etl["synthetic_ratings"]["rows"] == etl["rows"]["ratings"] > 0
    report, drawn = build_report(demo)
    html = report.read_text(encoding="utf-8")
    assert "Synthetic ratings." in html and "not given by people" in html
    titles = {c.name: c.title for c in drawn}
    for name in RATINGS_CHARTS:
        assert titles[name].endswith("(synthetic demo ratings)"), titles[name]
    assert not titles["platforms"].endswith("(synthetic demo ratings)")


def test_real_ratings_get_no_synthetic_notice(tmp_path: Path) -> None:
    base = _processed(tmp_path, marker=False)
    assert json.loads((base / "reports" / "etl.json").read_text())["synthetic_ratings"] is None
    report, drawn = build_report(base)
    assert "Synthetic ratings" not in report.read_text(encoding="utf-8")
    assert not any("synthetic" in c.title for c in drawn)


def test_labels_keep_the_original_casing(demo: Path) -> None:
    data = load_frames(demo)
    shown = pd.read_parquet(demo / "processed" / "display.parquet")
    raw_ratings = set(shown["rating"].dropna())
    raw_genres = set(shown["listed_in"].dropna().str.split(",").explode().str.strip())
    maturity = render_chart("maturity", data).finding
    most = maturity.split("maturity rating is ")[1].split(" (")[0]
    assert most in raw_ratings, (most, raw_ratings)
    # genres are named by the shared vocabulary (domain/genres.py), merging the raw labels
    genre = render_chart("genres", data).finding.split("genre is ")[1].split(" (")[0]
    assert genre in {genre_name(k) for k in GENRES} and genre != genre.lower(), genre
    assert any(genre_key(g) is not None for g in raw_genres)


def test_original_labels_map_the_lower_case_keys() -> None:
    titles = pd.DataFrame(
        {"id": ["a", "b", "c"], "platform": ["netflix"] * 3, "rating": ["tv-ma", "tv-ma", "g"]}
    )
    display = pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "rating": ["TV-MA", "TV-MA", None],
            "listed_in": ["Dramas, International Movies", "Dramas", "dramas"],
        }
    )
    data = EdaData(titles=titles, display=display)
    assert data.original_labels("rating") == {"tv-ma": "TV-MA"}
    assert data.original_labels("listed_in") == {
        "dramas": "Dramas",  # the most frequent spelling wins
        "international movies": "International Movies",
    }
    assert EdaData(titles=titles).original_labels("rating") == {}


def test_no_bars_are_stacked_on_a_log_axis(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every chart's figure: on a log (or symlog) axis no bar starts where another one ends
    (a stacked segment, whose length a log scale distorts)."""
    figures: dict[str, object] = {}
    real_to_png = charts.base.to_png

    def keep(fig):  # type: ignore[no-untyped-def]
        figures[fig.texts[0].get_text() if fig.texts else str(len(figures))] = fig
        return real_to_png(fig)

    monkeypatch.setattr(charts.base, "to_png", keep)
    data = load_frames(demo)
    names = available_charts(data)
    assert "votes_per_title" in names
    for name in names:
        render_chart(name, data)
    stacked = []
    for title, fig in figures.items():
        for ax in fig.axes:  # type: ignore[attr-defined]
            logx, logy = ax.get_xscale() != "linear", ax.get_yscale() != "linear"
            bars = [
                (p.get_x(), p.get_y(), p.get_width(), p.get_height())
                for p in ax.patches
                if isinstance(p, Rectangle) and p.get_width() > 0 and p.get_height() > 0
            ]
            tops = {(x, w, round(y + h, 6)) for x, y, w, h in bars}
            rights = {(y, h, round(x + w, 6)) for x, y, w, h in bars}
            for x, y, w, h in bars:  # a bar that starts where another one ends: stacked
                if (logy and (x, w, round(y, 6)) in tops) or (
                    logx and (y, h, round(x, 6)) in rights
                ):
                    stacked.append(title)
                    break
    assert len(figures) == len(names)
    assert stacked == []


def test_a_title_without_maturity_rating_is_not_counted_as_g() -> None:
    """Rule 2 fills "g" in titles.parquet; display.parquet keeps the gap: "(none)" in the chart."""
    titles = pd.DataFrame(
        {"id": ["a", "b", "c"], "platform": ["netflix"] * 3, "type": ["movie"] * 3,
         "rating": ["g", "g", "tv-ma"]}
    )  # fmt: skip
    display = pd.DataFrame({"id": ["a", "b", "c"], "rating": [None, None, "TV-MA"]})
    finding = render_chart("maturity", EdaData(titles=titles, display=display)).finding
    assert finding.startswith("The most common maturity rating is TV-MA (33% of titles)")
    assert "Netflix (none)" in finding and " G " not in finding and " g " not in finding
