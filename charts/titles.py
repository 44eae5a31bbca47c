"""Charts over the catalogue itself (titles.parquet, display.parquet): titles per platform and
type, release years, durations. The charts over the descriptive columns (maturity, countries,
genres, date added, missing values) are in charts/columns.py; their names are importable from
here too, as before the split."""

from __future__ import annotations

from typing import Any

import matplotlib
import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from charts.base import (
    LANGS,
    OTHER_COLOR,
    Chart,
    Count,
    EdaData,
    Pct,
    Words,
    chart,
    count_axis,
    finish,
    new_figure,
    pcolor,
    pct,
    platforms_in,
    pname,
    row_at_max,
    say,
    shorten,
    style,
    thousands,
    top_label,
)
from charts.columns import (
    MATURITY_LABELS_ES,
    MISSING_COLUMNS,
    chart_countries,
    chart_date_added,
    chart_genres,
    chart_maturity,
    chart_missing,
    maturity_groups,
    missing_shares,
    share_label,
)

# boxplot(vert=False) is deprecated from matplotlib 3.10 on, where orientation= replaces it.
_MPL = tuple(int(x) for x in matplotlib.__version__.split(".")[:2])
HORIZONTAL: dict[str, Any] = {"orientation": "horizontal"} if _MPL >= (3, 10) else {"vert": False}


def _light(color: str, amount: float = 0.55) -> tuple[float, float, float]:
    r, g, b = mcolors.to_rgb(color)
    return (r + (1 - r) * amount, g + (1 - g) * amount, b + (1 - b) * amount)


def is_show(titles: pd.DataFrame) -> pd.Series:
    return titles["type"].astype(object).eq("tv show")


@chart("platforms", "Titles per platform and type")
def chart_platforms(data: EdaData) -> Chart:
    t = data.titles
    plats = platforms_in(t)
    shows = is_show(t)
    total = t.groupby("platform").size().reindex(plats, fill_value=0)
    n_shows = shows.groupby(t["platform"]).sum().reindex(plats, fill_value=0)
    n_movies = total - n_shows
    fig, ax = new_figure()
    x = np.arange(len(plats))
    colors = [pcolor(p) for p in plats]
    ax.bar(x, n_movies, color=colors, label="movies", width=0.65)
    ax.bar(
        x,
        n_shows,
        bottom=n_movies,
        color=[_light(c) for c in colors],
        width=0.65,
        label="TV shows",
        hatch="//",
        edgecolor="white",
    )
    room = total.max() * 0.07  # a segment shorter than this gets no label inside
    for i, p in enumerate(plats):
        if n_movies[p] >= room:
            ax.text(
                i,
                n_movies[p] / 2,
                f"{thousands(n_movies[p])}\nmovies",
                ha="center",
                va="center",
                color="white",
                fontsize=10,
                fontweight="bold",
            )
        if n_shows[p] >= room:
            ax.text(
                i,
                n_movies[p] + n_shows[p] / 2,
                f"{thousands(n_shows[p])}\nshows",
                ha="center",
                va="center",
                color="black",
                fontsize=10,
            )
        label = f"{thousands(total[p])} ({pct(total[p], total.sum())}%)"
        if n_shows[p] < room or n_movies[p] < room:
            label = f"{thousands(n_movies[p])} movies + {thousands(n_shows[p])} shows\n" + label
        ax.text(i, total[p], label, ha="center", va="bottom", fontsize=10.5, fontweight="bold")
    ax.set_xticks(x, [pname(p) for p in plats], fontsize=11)
    ax.set_ylabel("titles")
    ax.set_ylim(0, total.max() * 1.15)
    style(ax)
    count_axis(ax)
    ax.grid(axis="x", visible=False)
    biggest = top_label(total)
    share_shows = (n_shows / total.where(total > 0)).fillna(0)
    most_shows = top_label(share_shows)
    big, n_all = pct(total[biggest], total.sum()), total.sum()
    shows_pct = pct(n_shows[most_shows], total[most_shows])
    findings = say(
        "platforms",
        biggest=pname(biggest),
        big=Pct(big),
        n_all=Count(n_all),
        most_shows=pname(most_shows),
        shows_pct=Pct(shows_pct),
    )
    return finish(fig, "platforms", "Titles per platform and type", findings)


@chart("release_years", "Release years per platform")
def chart_release_years(data: EdaData) -> Chart:
    t = data.titles[["platform", "release_year"]].dropna()
    t = t.assign(release_year=t["release_year"].astype(int))
    plats = platforms_in(t)
    fig, ax = new_figure()
    lo, hi = int(t["release_year"].min()), int(t["release_year"].max())
    years = np.arange(lo, hi + 1)
    for p in plats:
        per_year = t.loc[t["platform"] == p, "release_year"].value_counts()
        share = per_year.reindex(years, fill_value=0) / max(1, per_year.sum()) * 100
        ax.plot(
            years,
            share.to_numpy(),
            color=pcolor(p),
            linewidth=2,
            label=f"{pname(p)} ({thousands(per_year.sum())} titles)",
        )
    ax.set_xlabel("release year")
    ax.set_ylabel("share of the platform's titles (%)")
    ax.legend(frameon=False, loc="upper left")
    ax.set_xlim(max(lo, hi - 70), hi + 1)
    hidden = int((t["release_year"] < hi - 70).sum())
    if hidden:
        ax.text(
            0.01,
            0.6,
            f"{thousands(hidden)} titles released before {hi - 70} not shown",
            transform=ax.transAxes,
            fontsize=9,
            color="#555555",
        )
    style(ax)
    med = t.groupby("platform")["release_year"].median().reindex(plats)
    old = (t["release_year"] < 2000).groupby(t["platform"]).mean().reindex(plats)
    newest, oldest, most_old = top_label(med), top_label(med, lowest=True), top_label(old)
    n_most_old = int((t["platform"] == most_old).sum())
    y_new, y_old = int(med[newest]), int(med[oldest])  # years: no thousands separator
    old_pct = pct(old[most_old] * n_most_old, n_most_old)
    findings = say(
        "release_years",
        y_new=y_new,
        newest=pname(newest),
        y_old=y_old,
        oldest=pname(oldest),
        old_pct=Pct(old_pct),
        most_old=pname(most_old),
    )
    return finish(fig, "release_years", "Release years per platform", findings)


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
        patch.set_facecolor(_light(pcolor(plats[i]), 0.35))
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
            f"{shorten(top['name'], 30)} ({top['value']} {unit}) ↓"
            if top["value"] > 0.6 * vmax
            else f"↓ {shorten(top['name'], 30)} ({top['value']} {unit})",
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
        for lang in LANGS
    }
    return finish(fig, "durations", "Durations per platform", findings)


def _sentence(text: str) -> str:
    """Capital first letter and a full stop."""
    return text[:1].upper() + text[1:] + "."


__all__ = [
    "MATURITY_LABELS_ES",
    "MISSING_COLUMNS",
    "OTHER_COLOR",
    "chart_countries",
    "chart_date_added",
    "chart_durations",
    "chart_genres",
    "chart_maturity",
    "chart_missing",
    "chart_platforms",
    "chart_release_years",
    "is_show",
    "maturity_groups",
    "missing_shares",
    "share_label",
]
