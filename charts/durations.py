"""The durations chart: movie minutes and show seasons per platform as horizontal box plots,
the longest title of each named. Split from charts/titles.py (issue 13), which re-exports
chart_durations."""

from __future__ import annotations

from typing import Any

import matplotlib
import matplotlib.colors as mcolors
import pandas as pd
from matplotlib.axes import Axes

from charts.base import (
    Chart,
    EdaData,
    chart,
    finish,
    new_figure,
    pcolor,
    platforms_in,
    pname,
    style,
    wrap,
)
from charts.findings import Count, Words, say
from charts.pandas_helpers import row_at_max
from domain.vocabulary import LANGUAGES

# boxplot(vert=False) is deprecated from matplotlib 3.10 on, where orientation= replaces it.
_MPL = tuple(int(x) for x in matplotlib.__version__.split(".")[:2])
HORIZONTAL: dict[str, Any] = {"orientation": "horizontal"} if _MPL >= (3, 10) else {"vert": False}


def light(color: str, amount: float = 0.55) -> tuple[float, float, float]:
    """`color` mixed with white by `amount` (a box's fill, a stacked segment)."""
    r, g, b = mcolors.to_rgb(color)
    return (r + (1 - r) * amount, g + (1 - g) * amount, b + (1 - b) * amount)


def _durations(data: EdaData, kind: str) -> pd.DataFrame:
    t = data.titles
    mask = t["duration_type"].astype(object).eq(kind) & t["duration_int"].notna()
    out = pd.DataFrame(
        {
            "platform": t.loc[mask, "platform"].astype(object),
            "value": t.loc[mask, "duration_int"].astype(int),
            "name": data.names()[mask],
        }
    )
    return out


def _box_panel(ax: Axes, df: pd.DataFrame, plats: list[str], unit: str, label_top: bool) -> None:
    groups = [df.loc[df["platform"] == p, "value"].to_numpy() for p in plats]
    keep = [i for i, g in enumerate(groups) if len(g)]
    bp = ax.boxplot(
        [groups[i] for i in keep],
        **HORIZONTAL,
        widths=0.55,
        patch_artist=True,
        flierprops={"marker": "o", "markersize": 3, "alpha": 0.35},
        medianprops={"color": "black", "linewidth": 1.5},
    )
    for patch, i in zip(bp["boxes"], keep, strict=True):
        patch.set_facecolor(light(pcolor(plats[i]), 0.35))
        patch.set_edgecolor(pcolor(plats[i]))
    for flier, i in zip(bp["fliers"], keep, strict=True):
        flier.set_markerfacecolor(pcolor(plats[i]))
        flier.set_markeredgecolor(pcolor(plats[i]))
    ax.set_yticks(range(1, len(keep) + 1), [pname(plats[i]) for i in keep])
    vmax = df["value"].max()
    for pos, i in enumerate(keep, start=1):
        sub = df[df["platform"] == plats[i]]
        top = row_at_max(sub, "value")
        # the name sits between this box and the one above (the y axis is inverted later)
        ax.annotate(
            f"{wrap(top['name'], 30)} ({top['value']} {unit}) ↓"
            if top["value"] > 0.6 * vmax
            else f"↓ {wrap(top['name'], 30)} ({top['value']} {unit})",
            xy=(top["value"], pos),
            xytext=(top["value"], pos - 0.42),
            textcoords="data",
            ha="right" if top["value"] > 0.6 * vmax else "left",
            va="center",
            fontsize=8.5,
            color=pcolor(plats[i]),
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85},
        )
    ax.set_xlim(0, vmax * 1.08)
    style(ax)
    ax.grid(axis="y", visible=False)


def _longest(df: pd.DataFrame) -> pd.Series:
    return df.sort_values(["value", "name"], ascending=[False, True]).iloc[0]


@chart("durations", "Durations per platform (movies in minutes, shows in seasons)")
def chart_durations(data: EdaData) -> Chart:
    movies, shows = _durations(data, "min"), _durations(data, "season")
    plats = platforms_in(data.titles)
    fig, (a1, a2) = new_figure(2, figsize=(12.5, 5.6))
    if len(movies):
        _box_panel(a1, movies, plats, "min", label_top=True)
    a1.set_xlabel("movie duration (minutes)")
    a1.set_title("Movies: longest named", fontsize=11)
    if len(shows):
        _box_panel(a2, shows, plats, "seasons", label_top=True)
    a2.set_xlabel("number of seasons")
    a2.set_title("TV shows: most seasons named", fontsize=11)
    a1.invert_yaxis()
    a2.invert_yaxis()
    parts: list[Words] = []
    if len(movies):
        m, m_med = _longest(movies), int(movies["value"].median())
        longest = Count(m["value"])
        parts.append(
            say("durations_movies", m_med=Count(m_med), name=m["name"], longest=longest,
                platform=pname(m["platform"]))
        )  # fmt: skip
    if len(shows):
        s, s_med = _longest(shows), int(shows["value"].median())
        parts.append(
            say("durations_shows", int(s["value"]), name=s["name"], platform=pname(s["platform"]),
                s_med=Count(s_med))
        )  # fmt: skip
    empty = say("durations_none")
    findings = {
        lang: _sentence("; ".join(p.by_lang[lang] for p in parts) or empty.by_lang[lang])
        for lang in LANGUAGES
    }
    return finish(fig, "durations", "Durations per platform", findings)


def _sentence(text: str) -> str:
    """Capital first letter and a full stop."""
    return text[:1].upper() + text[1:] + "."


__all__ = ["HORIZONTAL", "chart_durations", "light"]
