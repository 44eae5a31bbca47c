"""The chart of missing values: the share of empty cells per column of titles.parquet and
platform. `charts.columns` re-exports its names."""

from __future__ import annotations

import numpy as np
import pandas as pd

from charts.base import Chart, EdaData, chart, finish, new_figure, pcolor, platforms_in, pname
from charts.findings import Count, Pct, Words, say
from domain.vocabulary import LANGUAGES

MISSING_COLUMNS = (
    "director",
    "cast",
    "country",
    "date_added",
    "release_year",
    "duration_int",
    "listed_in",
    "description",
)


def share_label(percent: float) -> str:
    """'<1' / '>99' at the ends, so 'none' and 'all' are never claimed by rounding."""
    if 0 < percent < 1:
        return "<1"
    if 99 < percent < 100:
        return ">99"
    return f"{round(percent)}"


def missing_shares(titles: pd.DataFrame) -> pd.DataFrame:
    """Share (0..1) of null cells per column (rows) and platform (columns)."""
    cols = [c for c in MISSING_COLUMNS if c in titles.columns]
    plats = platforms_in(titles)
    return titles[cols].isna().groupby(titles["platform"]).mean().reindex(plats).T


@chart("missing", "Missing values per column and platform")
def chart_missing(data: EdaData) -> Chart:
    share = missing_shares(data.titles) * 100
    plats = list(share.columns)
    fig, ax = new_figure(figsize=(9.0, 5.6))
    im = ax.imshow(share.to_numpy(dtype=float), aspect="auto", cmap="Oranges", vmin=0, vmax=100)
    for (i, j), v in np.ndenumerate(share.to_numpy(dtype=float)):
        label = "0" if v == 0 else f"{share_label(v)}%"
        ax.text(
            j, i, label, ha="center", va="center", fontsize=9, color="white" if v > 60 else "black"
        )
    ax.set_xticks(range(len(plats)), [pname(p) for p in plats])
    for tick, p in zip(ax.get_xticklabels(), plats, strict=True):
        tick.set_color(pcolor(p))
        tick.set_fontweight("bold")
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(share)), list(share.index))
    ax.set_ylabel("column of titles.parquet")
    ax.set_xlabel("cell: share of the platform's titles with no value")
    fig.colorbar(im, ax=ax, label="% missing", shrink=0.8)
    cells = (
        share.stack()
        .reset_index()
        .set_axis(["column", "platform", "share"], axis=1)
        .sort_values(["share", "column", "platform"], ascending=[False, True, True])
    )
    top = cells[cells["share"] > 0].head(3)
    complete = [c for c in share.index if (share.loc[c] == 0).all()]
    n_cols, n_complete = len(share), len(complete)
    if len(top):
        cells_said = [
            say("missing_cell", column=col, platform=pname(plat), share=Pct(share_label(sh)))
            for col, plat, sh in zip(top["column"], top["platform"], top["share"], strict=True)
        ]  # fmt: skip
        worst = Words({lang: ", ".join(c.by_lang[lang] for c in cells_said) for lang in LANGUAGES})
        findings = say("missing", worst=worst, n_complete=Count(n_complete), n_cols=Count(n_cols))
    else:
        findings = say("missing_none", n_cols)
    return finish(fig, "missing", "Missing values per column and platform", findings)
