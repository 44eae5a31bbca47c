"""Charts over titles.parquet's descriptive columns: maturity rating, countries, genres, the
date a title was added. The share of missing values per column and platform is in
charts/missing.py (its names are importable from here too)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from charts.base import (
    DURATION_LIKE,
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
    wrap,
)
from charts.findings import Count, Num, Pct, Words, say
from charts.missing import MISSING_COLUMNS, chart_missing, missing_shares, share_label
from charts.pandas_helpers import number_label, split_list, top_label
from domain.genres import genre_key, genre_name
from domain.vocabulary import LANGUAGES


def maturity_groups(ratings: pd.Series) -> pd.Series:
    """Maturity rating per title with misplaced durations grouped under one label."""
    r = ratings.astype(object).fillna("(none)")
    return r.where(~r.astype(str).str.match(DURATION_LIKE), "(a duration)")


# The chart's own group labels, as the Spanish finding names them.
MATURITY_LABELS_ES = {"(none)": "(sin clasificación)", "(a duration)": "(una duración)"}


@chart("maturity", "Maturity ratings per platform")
def chart_maturity(data: EdaData) -> Chart:
    t = data.titles
    plats = platforms_in(t)
    ratings = t["rating"].astype(object)
    shown = data.shown("rating")
    if shown is not None:
        # Rule 2 wrote "g" where the platform gave no rating; display.parquet keeps that gap
        # (null), so those titles count as "(none)", not as rated G.
        unrated = shown.isna() & ~ratings.astype(str).str.match(DURATION_LIKE)
        ratings = ratings.where(~unrated, None)
    groups = maturity_groups(ratings)
    # Counted on titles.parquet's lower-case codes, labelled as the platforms write them.
    label = data.original_labels("rating")
    table = pd.crosstab(groups, t["platform"]).reindex(columns=plats, fill_value=0)
    top = table.sum(axis=1).sort_values(ascending=False)
    keep = list(top.index[:18])
    if len(top) > 18:
        table.loc["(other)"] = table.drop(index=keep).sum()
        keep.append("(other)")
    table = table.loc[keep]
    share = table / table.sum() * 100
    fig, ax = new_figure(figsize=(10.0, 7.0))
    im = ax.imshow(share.to_numpy(), aspect="auto", cmap="Purples", vmin=0)
    for (i, j), v in np.ndenumerate(share.to_numpy()):
        if table.iat[i, j]:
            ax.text(
                j,
                i,
                f"{v:.0f}%" if v >= 1 else "<1%",
                ha="center",
                va="center",
                fontsize=8.5,
                color="white" if v > share.to_numpy().max() * 0.6 else "black",
            )
    ax.set_xticks(range(len(plats)), [pname(p) for p in plats])
    for tick, p in zip(ax.get_xticklabels(), plats, strict=True):
        tick.set_color(pcolor(p))
        tick.set_fontweight("bold")
    ax.set_yticks(range(len(keep)), [label.get(k, k) for k in keep])
    ax.set_ylabel("maturity rating (as the platform writes it)")
    ax.set_xlabel("platform (cell: share of the platform's titles)")
    ax.xaxis.set_label_position("top")
    ax.xaxis.tick_top()
    fig.colorbar(im, ax=ax, label="% of the platform's titles", shrink=0.7)
    overall = groups.value_counts()
    valid = overall.drop(index=["(a duration)", "(none)"], errors="ignore")
    most = valid.index[0] if len(valid) else overall.index[0]
    plat_table = table.drop(index=["(a duration)", "(other)"], errors="ignore")
    by_plat = ", ".join(
        f"{pname(p)} {label.get(top_label(plat_table[p]), top_label(plat_table[p]))}" for p in plats
    )
    misplaced = int(overall.get("(a duration)", 0))
    most_pct = pct(overall[most], len(t))
    most_key, most = most, label.get(most, most)
    by_plat_es = by_plat
    for english, spanish in MATURITY_LABELS_ES.items():
        by_plat_es = by_plat_es.replace(english, spanish)
    findings = say(
        "maturity",
        misplaced,
        most=Words({"en": most, "es": MATURITY_LABELS_ES.get(most_key, most)}),
        most_pct=Pct(most_pct),
        by_plat=Words({"en": by_plat, "es": by_plat_es}),
    )
    return finish(fig, "maturity", "Maturity ratings per platform", findings)


def _top_items(
    data: EdaData, column: str, n: int, items: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    t = data.titles
    if items is None:
        items = split_list(t[column])
    items["platform"] = t.loc[items["row"], "platform"].astype(object).to_numpy()
    counts = items["item"].value_counts()
    top = list(counts.index[:n])
    table = pd.crosstab(items["item"], items["platform"]).loc[top]
    return items, table, int(t[column].isna().sum())


def genre_items(listed_in: pd.Series) -> tuple[pd.DataFrame, int]:
    """One row per (title row, genre of the shared vocabulary, domain/genres.py): Netflix's
    "Dramas" and "TV Dramas" and Hulu's "Drama" are one genre, counted once per title; and how
    many distinct platform labels were merged."""
    items = split_list(listed_in)
    labels = items["item"].str.lower().nunique()
    items["item"] = items["item"].map(genre_key)
    return items.dropna().drop_duplicates().reset_index(drop=True), int(labels)


def _stacked_barh(ax: Axes, table: pd.DataFrame, plats: list[str], label: dict[str, str]) -> None:
    left = np.zeros(len(table))
    y = np.arange(len(table))
    for p in plats:
        vals = table[p].to_numpy() if p in table.columns else np.zeros(len(table))
        ax.barh(y, vals, left=left, color=pcolor(p), label=pname(p), height=0.7)
        left += vals
    for i, v in enumerate(left):
        ax.text(v, i, f" {thousands(v)}", va="center", fontsize=9)
    ax.set_yticks(y, [wrap(label.get(s, s), 30) for s in table.index])
    ax.invert_yaxis()
    ax.set_xlim(0, left.max() * 1.12 if len(left) else 1)
    ax.legend(frameon=False, loc="lower right")
    style(ax)
    count_axis(ax, "x")
    ax.grid(axis="y", visible=False)


@chart("countries", "Top countries of production")
def chart_countries(data: EdaData) -> Chart:
    items, table, missing = _top_items(data, "country", 15)
    plats = platforms_in(data.titles)
    label = data.original_labels("country")
    fig, ax = new_figure(figsize=(10.0, 6.2))
    _stacked_barh(ax, table, plats, label)
    ax.set_xlabel("titles listing the country (a title can list several)")
    with_country = items["row"].nunique()
    if len(table):
        first = table.index[0]
        n_first = int(table.loc[first].sum())
        first_pct, none_pct = pct(n_first, with_country), pct(missing, len(data.titles))
        first = label.get(first, first.title())
        findings = say(
            "countries",
            first=first,
            first_pct=Pct(first_pct),
            with_country=Count(with_country),
            n_first=Count(n_first),
            none_pct=Pct(none_pct),
        )
    else:
        findings = say("countries_none")
    return finish(fig, "countries", "Top 15 countries of production", findings)


@chart("genres", "Top genres")
def chart_genres(data: EdaData) -> Chart:
    merged, n_labels = genre_items(data.titles["listed_in"])
    items, table, _ = _top_items(data, "listed_in", 20, merged)
    plats = platforms_in(data.titles)
    label = {key: genre_name(key, "en") for key in table.index}
    fig, ax = new_figure(figsize=(10.0, 6.8))
    _stacked_barh(ax, table, plats, label)
    ax.set_xlabel("titles in the genre (the platforms' labels merged; a title can have several)")
    n = len(data.titles)
    if len(table):
        first = str(table.index[0])
        n_first = int(table.iloc[0].sum())
        per_title = len(items) / max(1, items["row"].nunique())
        n_genres = items["item"].nunique()
        vocab = say("genres_merged", n_labels=Count(n_labels), n_genres=Count(n_genres))
        findings = say(
            "genres",
            n_first,
            first=Words({lang: genre_name(first, lang) for lang in LANGUAGES}),
            first_pct=Pct(pct(n_first, n)),
            per_title=Num(per_title, 1),
            vocab=vocab,
        )
    else:
        findings = say("genres_none")
    return finish(fig, "genres", "Top 20 genres", findings)


@chart("date_added", "Titles added per year")
def chart_date_added(data: EdaData) -> Chart:
    t = data.titles
    plats = platforms_in(t)
    added = pd.to_datetime(t["date_added"], errors="coerce")
    year = added.dt.year
    table = (
        pd.crosstab(year.dropna().astype(int), t.loc[year.notna(), "platform"])
        .reindex(columns=plats, fill_value=0)
        .sort_index()
    )
    fig, ax = new_figure()
    bottom = np.zeros(len(table))
    for p in plats:
        ax.bar(table.index, table[p], bottom=bottom, color=pcolor(p), label=pname(p), width=0.8)
        bottom += table[p].to_numpy()
    ax.set_xlabel("year added to the platform")
    ax.set_ylabel("titles added")
    style(ax)
    count_axis(ax)
    ax.grid(axis="x", visible=False)
    missing = t["date_added"].isna().groupby(t["platform"]).mean().reindex(plats)
    legend = [f"{pname(p)} ({pct(missing[p], 1)}% undated)" for p in plats]
    ax.legend(legend, frameon=False, loc="upper left")
    worst = top_label(missing)
    n_worst = int((t["platform"] == worst).sum())
    if len(table):
        per_year = table.sum(axis=1)
        peak = int(number_label(per_year.idxmax()))  # a year: no thousands separator
        n_peak = per_year.max()
        if missing[worst] > 0.5:
            gap = pct(missing[worst] * n_worst, n_worst)
            tail = say("date_added_gap_platform", gap=Pct(gap), worst=pname(worst))
        else:
            gap = pct(t["date_added"].isna().sum(), len(t))
            tail = say("date_added_gap", gap=Pct(gap))
        findings = say("date_added", int(n_peak), peak=peak, tail=tail)
    else:
        findings = say("date_added_none")
    return finish(fig, "date_added", "Titles added per year (date_added)", findings)


__all__ = [
    "MATURITY_LABELS_ES",
    "MISSING_COLUMNS",
    "OTHER_COLOR",
    "chart_countries",
    "chart_date_added",
    "chart_genres",
    "chart_maturity",
    "chart_missing",
    "maturity_groups",
    "missing_shares",
    "share_label",
]
