"""The chart contract: the input data object, the Chart result, the registry, shared helpers.

Everything here takes pandas objects in and gives PNG bytes out: no file paths, no parquet, no
imports from catalog/bot/api, so the bot can render a chart from what its loaded catalogue holds.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, overload

import matplotlib

matplotlib.use("Agg")  # no screen, ever

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from charts.findings import Words
from charts.pandas_helpers import split_list
from domain.vocabulary import LANGUAGES, PLATFORM_INFO, PLATFORMS, platform_name

OTHER_COLOR = "#8C8C8C"  # a platform the vocabulary does not know
DPI = 100
FIGSIZE = (10.0, 5.6)

# A duration that sits in the maturity-rating column ("2 seasons", "89 min"), see docs/data.md.
DURATION_LIKE = re.compile(r"^\s*\d+\s*(min|seasons?)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Chart:
    """One rendered chart: `png` is a complete PNG file; `finding` is one sentence from the data
    (English); `findings` is that sentence per language ("en", "es"), quoting the same numbers."""

    name: str
    title: str
    png: bytes
    finding: str
    findings: Mapping[str, str] = field(default_factory=dict)

    def finding_in(self, lang: str) -> str:
        """The finding in `lang` ("en" or "es"); English for any other language."""
        return self.findings.get(lang) or self.finding


@dataclass
class _Memo:
    """What an EdaData computes once (EdaData itself is frozen): original_labels per column,
    and names()."""

    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    names: pd.Series | None = None


@dataclass(frozen=True)
class EdaData:
    """What the charts read. Only `titles` is required; charts whose input is absent are skipped.

    - titles: one row per title, columns of docs/data.md titles.parquet (id, platform, type,
      country, listed_in, date_added, release_year, rating, duration_int, duration_type; `title`
      is used when display is absent).
    - display: id and the text people read in original casing (display.parquet: title,
      country, rating, listed_in, ...), for naming outliers and labelling bars.
    - scores: id, score, votes (scores.parquet).
    - rating_counts: Series, index = rating value (0.5..5), values = number of ratings.
    - user_activity: Series, index = number of ratings a user gave, values = number of users
      (a frequency table: tiny even for 115,000 users). Both come from `summarize_ratings`.
    - etl_report: the parsed data/reports/etl.json.
    """

    titles: pd.DataFrame
    display: pd.DataFrame | None = None
    scores: pd.DataFrame | None = None
    rating_counts: pd.Series | None = None
    user_activity: pd.Series | None = None
    etl_report: Mapping[str, Any] | None = None
    _memo: _Memo = field(default_factory=lambda: _Memo(), repr=False, compare=False)

    @classmethod
    def from_frames(cls, frames: EdaData | Mapping[str, Any]) -> EdaData:
        """Build from a mapping with keys titles (required), display, scores, etl_report, and
        either rating_counts + user_activity or a raw `ratings` frame (userId, rating)."""
        if isinstance(frames, EdaData):
            return frames
        if frames.get("titles") is None:
            raise ValueError("render_chart needs at least frames['titles'] (titles.parquet)")
        rating_counts = frames.get("rating_counts")
        user_activity = frames.get("user_activity")
        ratings = frames.get("ratings")
        if ratings is not None and (rating_counts is None or user_activity is None):
            rating_counts, user_activity = summarize_ratings(ratings)
        return cls(
            titles=frames["titles"],
            display=frames.get("display"),
            scores=frames.get("scores"),
            rating_counts=rating_counts,
            user_activity=user_activity,
            etl_report=frames.get("etl_report"),
        )

    def has(self, needs: Iterable[str]) -> bool:
        return all(getattr(self, n) is not None for n in needs)

    def synthetic_ratings(self) -> Mapping[str, Any] | None:
        """etl.json's `synthetic_ratings` (ratings the demo generator made up), or None."""
        report = self.etl_report if isinstance(self.etl_report, Mapping) else {}
        value = report.get("synthetic_ratings")
        return value if isinstance(value, Mapping) and value.get("rows") else None

    def ratings_title(self, title: str) -> str:
        """A ratings chart's title, saying when the ratings are made up."""
        return f"{title} (synthetic demo ratings)" if self.synthetic_ratings() else title

    def original_labels(self, column: str) -> dict[str, str]:
        """titles.parquet's lower-cased value of `column` (or an item of its comma list) -> the
        most frequent spelling in display.parquet ('tv-ma' -> 'TV-MA', 'united states' ->
        'United States'). Rule 4 lower-cases the raw text, so the raw text lower-cased is the
        key. Charts count on the lower-case keys (one bar for 'Drama' and 'drama') and label
        with this; a value display.parquet lacks is not in the map (callers use .get(v, v))."""
        if column not in self._memo.labels:
            labels: dict[str, str] = {}
            if self.display is not None and column in self.display.columns:
                items = split_list(self.display[column])
                items["key"] = items["item"].str.lower()
                counts = items.groupby(["key", "item"]).size().rename("n").reset_index()
                counts = counts.sort_values(["n", "item"], ascending=[False, True], kind="stable")
                first = counts.drop_duplicates("key")
                labels = dict(zip(first["key"], first["item"], strict=True))
            self._memo.labels[column] = labels
        return self._memo.labels[column]

    def shown(self, column: str) -> pd.Series | None:
        """display.parquet's `column` per row of `titles` (by id), or None without it."""
        if self.display is None or column not in self.display.columns:
            return None
        first = self.display.drop_duplicates("id").set_index("id")[column].astype(object)
        return self.titles["id"].astype(object).map(first)

    def names(self) -> pd.Series:
        """Proper-case title per row of `titles` (display.title, else titles.title, else id)."""
        if self._memo.names is None:
            ids = self.titles["id"].astype(object)
            names = pd.Series(index=self.titles.index, dtype=object)
            if self.display is not None and {"id", "title"} <= set(self.display.columns):
                first = self.display.drop_duplicates("id").set_index("id")["title"].astype(object)
                names = ids.map(first)
            if "title" in self.titles.columns:
                names = names.where(names.notna(), self.titles["title"].astype(object))
            self._memo.names = names.where(names.notna(), ids)
        return self._memo.names


def summarize_ratings(ratings: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(rating_counts, user_activity) from a ratings frame with columns userId and rating."""
    rating_counts = ratings["rating"].astype("float64").value_counts().sort_index()
    per_user = ratings["userId"].value_counts()
    user_activity = per_user.value_counts().sort_index()
    rating_counts.index.name, rating_counts.name = "rating", "ratings"
    user_activity.index.name, user_activity.name = "ratings_per_user", "users"
    return rating_counts.astype("int64"), user_activity.astype("int64")


ChartFn = Callable[[EdaData], Chart]


@dataclass(frozen=True)
class ChartSpec:
    name: str
    title: str
    needs: tuple[str, ...]
    fn: ChartFn


REGISTRY: dict[str, ChartSpec] = {}


def chart(name: str, title: str, needs: tuple[str, ...] = ("titles",)) -> Callable[[Any], Any]:
    """Register `chart_<name>(data) -> Chart` under its short name (the bot's `/chart <name>`)."""

    def register(fn: ChartFn) -> ChartFn:
        REGISTRY[name] = ChartSpec(name, title, needs, fn)
        return fn

    return register


# ---------------------------------------------------------------- helpers for chart functions


@overload
def new_figure(
    ncols: Literal[1] = 1, figsize: tuple[float, float] = FIGSIZE, **kw: Any
) -> tuple[Figure, Axes]: ...
@overload
def new_figure(
    ncols: int, figsize: tuple[float, float] = FIGSIZE, **kw: Any
) -> tuple[Figure, list[Axes]]: ...
def new_figure(
    ncols: int = 1, figsize: tuple[float, float] = FIGSIZE, **kw: Any
) -> tuple[Figure, Axes | list[Axes]]:
    """A figure of one row: its Axes for one column, a list of them for more."""
    # A bare Figure, not pyplot: no global figure registry, nothing to close, and a render in a
    # worker thread (the bot) cannot disturb another one.
    fig = Figure(figsize=figsize, dpi=DPI)
    axes: list[Axes] = list(fig.subplots(1, ncols, squeeze=False, **kw)[0])
    return fig, axes[0] if ncols == 1 else axes


def to_png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight", pad_inches=0.2)
    return buf.getvalue()


def finish(fig: Figure, name: str, title: str, findings: Mapping[str, str] | Words) -> Chart:
    """Title the figure and make the Chart; `findings` holds the sentence for every language."""
    if isinstance(findings, Words):
        findings = findings.by_lang
    missing = [lang for lang in LANGUAGES if not findings.get(lang)]
    if missing:
        raise ValueError(f"chart {name!r} has no finding in {', '.join(missing)}")
    fig.suptitle(title, fontsize=14, fontweight="bold", x=0.01, ha="left")
    fig.tight_layout()
    return Chart(
        name=name, title=title, png=to_png(fig), finding=findings["en"], findings=dict(findings)
    )


def style(ax: Any) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="both", color="#E6E6E6", linewidth=0.8)
    ax.set_axisbelow(True)


def count_axis(ax: Any, which: str = "y") -> None:
    """Thousands separators on a linear count axis (6,000 not 6000)."""
    axis = ax.yaxis if which == "y" else ax.xaxis
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))


def plain_log_axis(ax: Any, which: str = "x") -> None:
    """1, 10, 100, 1,000 instead of 10^0.. on a log axis."""
    axis = ax.yaxis if which == "y" else ax.xaxis
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}" if v >= 1 else f"{v:g}"))


def platforms_in(titles: pd.DataFrame) -> list[str]:
    """Platforms present, the four known ones first in their usual order."""
    present = [str(p) for p in titles["platform"].dropna().unique()]
    return [p for p in PLATFORMS if p in present] + sorted(p for p in present if p not in PLATFORMS)


def pname(platform: str) -> str:
    # The same in both languages, so findings in either use it as is.
    return platform_name(platform)


def pcolor(platform: str) -> str:
    """One colour per platform in every chart (domain/vocabulary.py)."""
    info = PLATFORM_INFO.get(platform)
    return info.color if info else OTHER_COLOR


def pct(part: float, whole: float) -> int:
    """A whole percentage, as quoted in findings (round half to even, like round())."""
    return round(100 * part / whole) if whole else 0


def thousands(n: float) -> str:
    return f"{int(n):,}"


def wrap(text: str, width: int = 32) -> str:
    """A long label on several lines, never cut ("Marvel Studios' Avengers:\nEndgame")."""
    return textwrap.fill(str(text), width, break_long_words=False, break_on_hyphens=False)
