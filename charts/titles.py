"""Charts over the catalogue itself (titles.parquet, display.parquet): titles per platform and
type, release years. The durations chart is in charts/durations.py and the charts over the
descriptive columns (maturity, countries, genres, date added, missing values) in
charts/columns.py; their names are importable from here too, as before the splits."""

from __future__ import annotations

import numpy as np
import pandas as pd

from charts.base import (
    OTHER_COLOR,
    Chart,
    EdaData,
    chart,
    count_axis,
    finish,
    new_figure,
    pcolor,
    pct,
    platforms_in,
    pname,
    style,
    thousands,
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
from charts.durations import HORIZONTAL, chart_durations, light
from charts.findings import Count, Pct, say
from charts.pandas_helpers import top_label


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
        color=[light(c) for c in colors],
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


__all__ = [
    "HORIZONTAL",
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
