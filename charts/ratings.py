"""Charts over the user ratings (their summary) and the scores. The chart of the ETL's anomaly
report is in charts/anomalies.py; its names are importable from here too, as before the split."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.colors import LinearSegmentedColormap

from charts.anomalies import anomaly_counts, anomaly_name, chart_anomalies
from charts.base import (
    Chart,
    EdaData,
    chart,
    count_axis,
    finish,
    new_figure,
    pcolor,
    pct,
    plain_log_axis,
    platforms_in,
    pname,
    style,
)
from charts.findings import Count, G, Num, Pct, say
from charts.pandas_helpers import log_bins, number_label

BAR_COLOR = "#5B4A9E"
# Light lilac to deep purple: a bin holding a single title is still visible on white.
HEX_CMAP = LinearSegmentedColormap.from_list("eda_purples", ["#D8CFF0", "#7B68C8", "#24124F"])


@chart("ratings", "Ratings distribution", needs=("rating_counts",))
def chart_ratings(data: EdaData) -> Chart:
    counts = data.rating_counts
    assert counts is not None
    counts = counts[counts > 0].sort_index()
    total = int(counts.sum())
    fig, ax = new_figure()
    x = counts.index.to_numpy(dtype=float)
    ax.bar(x, counts.to_numpy(), width=0.4, color=BAR_COLOR)
    for xi, v in zip(x, counts.to_numpy(), strict=True):
        ax.text(xi, v, f"{pct(v, total)}%", ha="center", va="bottom", fontsize=9)
    ax.set_xticks(x, [f"{v:g}" for v in x])
    ax.set_xlabel("rating given (stars)")
    ax.set_ylabel("number of ratings")
    style(ax)
    count_axis(ax)
    ax.grid(axis="x", visible=False)
    mean = float((counts.index.to_numpy(dtype=float) * counts.to_numpy()).sum() / max(1, total))
    mode = number_label(counts.idxmax())
    half = int(counts[(counts.index.to_numpy(dtype=float) * 2) % 2 == 1].sum())
    mode_pct, half_pct = pct(counts[mode], total), pct(half, total)
    findings = say(
        "ratings",
        int(total),
        mean=Num(mean, 2),
        mode=G(mode),
        mode_pct=Pct(mode_pct),
        half_pct=Pct(half_pct),
    )
    return finish(fig, "ratings", data.ratings_title("Distribution of user ratings"), findings)


def _expand_quantile(freq: pd.Series, q: float) -> int:
    """Quantile of a frequency table (value -> how many), lower value at ties."""
    freq = freq.sort_index()
    cum = freq.cumsum()
    return int(freq.index[np.searchsorted(cum.to_numpy(), q * cum.iloc[-1], side="left")])


def top_share(freq: pd.Series, top: float = 0.1) -> float:
    """Share of all ratings given by the top `top` fraction of users (frequency table input)."""
    freq = freq[freq > 0].sort_index(ascending=False)
    users = int(freq.sum())
    k = max(1, int(np.ceil(top * users)))
    values = np.repeat(freq.index.to_numpy(dtype=np.int64), freq.to_numpy())
    return float(values[:k].sum() / max(1, values.sum()))


@chart("votes_per_user", "Ratings per user (long tail)", needs=("user_activity",))
def chart_votes_per_user(data: EdaData) -> Chart:
    freq = data.user_activity
    assert freq is not None
    freq = freq[freq > 0].sort_index()
    users = int(freq.sum())
    fig, ax = new_figure()
    bins = log_bins(freq.index.max())
    ax.hist(
        freq.index.to_numpy(dtype=float),
        bins=bins,
        weights=freq.to_numpy(),
        color=BAR_COLOR,
        edgecolor="white",
    )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("ratings given by a user (log scale)")
    ax.set_ylabel("users (log scale)")
    med = _expand_quantile(freq, 0.5)
    ax.axvline(med, color="black", linestyle="--", linewidth=1)
    ax.text(med, ax.get_ylim()[1], f" median {med}", va="top", fontsize=9)
    style(ax)
    plain_log_axis(ax, "x")
    plain_log_axis(ax, "y")
    share = round(top_share(freq, 0.1) * 100)
    most = freq.index.max()
    findings = say(
        "votes_per_user",
        int(med),
        most=Count(most),
        top=Pct(10),
        users=Count(users),
        share=Pct(share),
    )
    return finish(
        fig, "votes_per_user", data.ratings_title("Ratings per user: the long tail"), findings
    )


@chart("votes_per_title", "Ratings per title (long tail)", needs=("scores",))
def chart_votes_per_title(data: EdaData) -> Chart:
    s = data.scores
    assert s is not None
    votes = s["votes"].fillna(0).astype(int)
    plats = platforms_in(data.titles)
    platform_of = data.titles.drop_duplicates("id").set_index("id")["platform"].astype(object)
    plat = s["id"].map(platform_of)
    fig, ax = new_figure()
    voted = votes[votes > 0]
    bins = log_bins(voted.max() if len(voted) else 1)
    # One outline per platform, not stacked: on a log axis a stacked segment's height says
    # nothing about its count (the upper platforms look tiny).
    for p in plats:
        ax.hist(
            voted[plat == p], bins=bins, histtype="step", color=pcolor(p), label=pname(p),
            linewidth=1.8,
        )  # fmt: skip
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("ratings a title received (log scale; titles with none not shown)")
    ax.set_ylabel("titles (log scale)")
    ax.legend(frameon=False, loc="upper right")
    style(ax)
    plain_log_axis(ax, "x")
    plain_log_axis(ax, "y")
    med = int(votes.median())
    top = s.iloc[int(votes.argmax())] if len(votes) else None  # votes shares s's rows
    name = data.names()
    names_by_id = pd.Series(name.to_numpy(), index=data.titles["id"].astype(object))
    names_by_id = names_by_id[~names_by_id.index.duplicated()]
    top_name = names_by_id.get(top["id"], top["id"]) if top is not None else "-"
    unrated = int((votes == 0).sum())
    share = pct(unrated, len(votes))
    if unrated == 0:
        none = say("votes_per_title_all")
    elif share:
        none = say("votes_per_title_none", share=Pct(share))
    else:
        none = say("votes_per_title_under", share=Pct(1))
    most = votes.max()
    findings = say("votes_per_title", med, none=none, top_name=top_name, most=Count(most))
    return finish(
        fig, "votes_per_title", data.ratings_title("Ratings per title: the long tail"), findings
    )


def votes_split(s: pd.DataFrame) -> tuple[int, int]:
    """Vote counts that split scored titles into 'few votes' (<= lo) and 'many' (>= hi)."""
    v = s.loc[s["score"].notna(), "votes"]
    return int(v.quantile(0.25, interpolation="lower")), int(
        v.quantile(0.9, interpolation="higher")
    )


@chart("score_vs_votes", "Mean score against number of votes", needs=("scores",))
def chart_score_vs_votes(data: EdaData) -> Chart:
    s = data.scores
    assert s is not None
    s = s[s["score"].notna() & (s["votes"] > 0)]
    fig, ax = new_figure()
    if len(s) == 0:
        return finish(
            fig,
            "score_vs_votes",
            "Mean score against number of votes",
            say("score_vs_votes_none"),
        )
    hb = ax.hexbin(
        s["votes"],
        s["score"],
        xscale="log",
        gridsize=(40, 18),
        cmap=HEX_CMAP,
        bins="log",
        mincnt=1,
        linewidths=0.2,
    )
    fig.colorbar(hb, ax=ax, label="titles (log scale)")
    # median score per log-spaced bin of votes, to show the trend through the noise
    edges = log_bins(s["votes"].max(), per_decade=5)
    which = pd.cut(s["votes"], edges)
    trend = s.groupby(which, observed=True).agg(v=("votes", "median"), m=("score", "median"))
    ax.plot(trend["v"], trend["m"], color="black", linewidth=2, label="median score")
    ax.legend(frameon=False, loc="lower right")
    ax.set_xlabel("number of ratings (log scale)")
    ax.set_ylabel("mean rating (stars)")
    ax.set_ylim(0.3, 5.2)
    style(ax)
    plain_log_axis(ax, "x")
    lo, hi = votes_split(s)
    few, many = s.loc[s["votes"] <= lo, "score"], s.loc[s["votes"] >= hi, "score"]
    rho = s["votes"].corr(s["score"], method="spearman")
    sd_few, sd_many = float(few.std()), float(many.std())
    noisy = sd_few > 1.25 * sd_many
    verdict = say("score_vs_votes_noisy" if noisy else "score_vs_votes_steady")
    findings = say(
        "score_vs_votes",
        int(lo),
        sd_few=Num(sd_few, 2),
        sd_many=Num(sd_many, 2),
        hi=Count(hi),
        verdict=verdict,
        rho=Num(rho, 2),
    )
    return finish(
        fig, "score_vs_votes", data.ratings_title("Mean score against number of ratings"), findings
    )


__all__ = [
    "anomaly_counts",
    "anomaly_name",
    "chart_anomalies",
    "chart_ratings",
    "chart_score_vs_votes",
    "chart_votes_per_title",
    "chart_votes_per_user",
    "top_share",
    "votes_split",
]
