"""The hybrid part of the model: title bias and factors predicted from what a title is made of.

A ridge map from the ETL's content features (data/processed/content.npz) to the SVD's learned
title bias and factors, fitted with each title weighted by its rating count (a title rated
twice has factors that are mostly Surprise's random start). Every catalogue title then gets

    value = w · learned + (1 − w) · predicted,   w = n / (n + K)

n its ratings in training (0 for a title nobody rated: it is recommended from day one by its
content alone). The ridge strength and K are chosen on the data at hand (`choose`): all
ratings of a seeded 10% of titles are held out to score the map on new titles, and a random
tenth of the other ratings to score K on rated titles; K = 0 (learned values untouched) is
always a candidate, so the hybrid never ships a blend that validated worse. docs/model.md
"Hybrid" describes it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import Ridge
from surprise import SVD

from model import similarity
from model.content import ContentFeatures
from model.data import Heartbeat, Ratings
from model.trainset import CompactTrainset

ALPHAS = (
    1.0,
    3.0,
    10.0,
    30.0,
    100.0,
    300.0,
)  # ridge strengths tried (features are unit-length blocks)
SHRINKS = (0.0, 1.0, 3.0, 10.0, 30.0, 100.0)  # K of w = n / (n + K)
WEIGHT_HALF = 5.0  # a title's weight in the ridge fit: n / (n + 5)
NEW_TITLE_SHARE = 0.1  # titles whose ratings are all held out when choosing
WARM_SHARE = 0.1  # of the other ratings, held out to choose K
MAX_RATINGS = 1_000_000  # choose on at most this many ratings (a seeded sample of people)


def targets(algo: SVD) -> np.ndarray:
    """Per title: [bias, factors...], what the map predicts."""
    return np.hstack([np.asarray(algo.bi)[:, None], np.asarray(algo.qi)])


def fit_map(x: sp.csr_matrix, y: np.ndarray, counts: np.ndarray, alpha: float) -> Ridge:
    """Ridge from content rows to [bias, factors], titles weighted by n / (n + 5)."""
    weight = counts / (counts + WEIGHT_HALF)
    ridge = Ridge(alpha=alpha, solver="sparse_cg", tol=1e-4, max_iter=300)
    return ridge.fit(x, y, sample_weight=weight)


def predict(ridge: Ridge, x: sp.csr_matrix) -> np.ndarray:
    """[bias, factors...] per row, 2-d even for a model without factors (one target)."""
    return np.asarray(ridge.predict(x)).reshape(x.shape[0], -1)


def blend(learned: np.ndarray, predicted: np.ndarray, counts: np.ndarray, k: float) -> np.ndarray:
    w = counts / (counts + k) if k > 0 else np.ones_like(counts, dtype=np.float64)
    mixed: np.ndarray = w[:, None] * learned + (1.0 - w)[:, None] * predicted
    return mixed


@dataclass
class Choice:
    alpha: float = ALPHAS[1]
    shrink: float = 0.0
    # False when no ridge strength beat mean + person bias on the held-out titles: then titles
    # nobody rated get exactly that fallback (zero bias and factors), as before the hybrid.
    helps: bool = True
    # what the choice saw: RMSE of new titles (map vs mean + person bias) and of rated titles
    new_title_rmse: dict[str, float] = field(default_factory=dict)
    warm_rmse: dict[str, float] = field(default_factory=dict)
    ratings: int = 0
    held_titles: int = 0
    seconds: float = 0.0
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "alpha": self.alpha,
            "shrink": self.shrink,
            "content_helps": self.helps,
            "new_title_rmse": self.new_title_rmse,
            "warm_rmse": self.warm_rmse,
            "ratings": self.ratings,
            "held_titles": self.held_titles,
            "seconds": round(self.seconds, 2),
            "note": self.note,
        }


def _rmse(est: np.ndarray, true: np.ndarray, scale: tuple[float, float]) -> float:
    return float(np.sqrt(np.mean((np.clip(est, *scale) - true) ** 2)))


def split_new_titles(
    ratings: Ratings, share: float, seed: int
) -> tuple[np.ndarray, np.ndarray, set[str]]:
    """(train rows, held-out rows, held-out title ids): all ratings of `share` of the titles."""
    titles = np.unique(ratings.items.astype(str))
    rng = np.random.default_rng(seed)
    held = set(rng.choice(titles, size=max(1, round(share * len(titles))), replace=False))
    is_held = np.fromiter((t in held for t in ratings.items), dtype=bool, count=len(ratings))
    return np.flatnonzero(~is_held), np.flatnonzero(is_held), held


def choose(
    ratings: Ratings,
    fit: Callable[[Ratings], tuple[SVD, CompactTrainset]],
    content: ContentFeatures,
    seed: int = 0,
    log: Callable[[str], None] = lambda _: None,
) -> Choice:
    """The ridge strength (on new titles) and K (on rated titles), from one fit of the SVD on
    the ratings left after holding out all ratings of 10% of titles and a tenth of the rest.
    Says what it does at least every PROGRESS_EVERY seconds (`log`)."""
    with Heartbeat(log, "hybrid", "holding out the ratings of a tenth of the titles") as beat:
        return _choose(ratings, fit, content, seed, beat)


def _choose(
    ratings: Ratings,
    fit: Callable[[Ratings], tuple[SVD, CompactTrainset]],
    content: ContentFeatures,
    seed: int,
    beat: Heartbeat,
) -> Choice:
    log = beat.say
    started = time.perf_counter()
    train_rows, new_rows, held = split_new_titles(ratings, NEW_TITLE_SHARE, seed)
    rng = np.random.default_rng(seed + 1)
    warm = rng.random(len(train_rows)) < WARM_SHARE
    warm_rows, train_rows = np.sort(train_rows[warm]), np.sort(train_rows[~warm])
    log(
        f"hybrid: choosing the content map on {len(ratings):,} ratings: one fit without the "
        f"ratings of {len(held):,} titles, then {len(ALPHAS)} ridge strengths and "
        f"{len(SHRINKS)} shrinkages"
    )
    beat.doing("fitting the model without the held-out titles")
    algo, ts = fit(ratings.subset(train_rows))
    counts = np.bincount(ts.i_sorted, minlength=ts.n_items).astype(np.float64)
    x_train = content.rows_for(ts.item_raw.tolist())
    y = targets(algo)
    mu, scale = ts.global_mean, ts.rating_scale
    user_at = {u: k for k, u in enumerate(ts.user_raw.tolist())}

    def pairs(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
        sub = ratings.subset(rows)
        u = np.fromiter((user_at.get(int(x), -1) for x in sub.users), dtype=np.int64)
        keep = u >= 0  # people all of whose ratings were held out have no vector to score with
        items = [str(t) for t, k in zip(sub.items, keep, strict=True) if k]
        return u[keep], sub.ratings[keep].astype(np.float64), keep, items

    choice = Choice(ratings=len(ratings), held_titles=len(held))
    maps: dict[float, Ridge] = {}  # per ridge strength; the chosen one serves the K choice too
    # New titles: the map's values against the mean + person bias fallback.
    u_new, r_new, _, items_new = pairs(new_rows)
    if len(r_new):
        x_new = content.rows_for(sorted(set(items_new)))
        at = {t: k for k, t in enumerate(sorted(set(items_new)))}
        j = np.fromiter((at[t] for t in items_new), dtype=np.int64, count=len(items_new))
        base = mu + np.asarray(algo.bu)[u_new]
        choice.new_title_rmse["mean + person bias"] = _rmse(base, r_new, scale)
        for alpha in ALPHAS:
            beat.doing(f"new titles, fitting ridge alpha {alpha:g}")
            maps[alpha] = fit_map(x_train, y, counts, alpha)
            pred = predict(maps[alpha], x_new)
            est = base + pred[j, 0] + np.einsum("ij,ij->i", np.asarray(algo.pu)[u_new], pred[j, 1:])
            got = choice.new_title_rmse[f"alpha {alpha:g}"] = _rmse(est, r_new, scale)
            log(f"hybrid: new titles, ridge alpha {alpha:g}: RMSE {got:.4f}")
        best = min(ALPHAS, key=lambda a: choice.new_title_rmse[f"alpha {a:g}"])
        choice.alpha = best
        choice.helps = (
            choice.new_title_rmse[f"alpha {best:g}"] < choice.new_title_rmse["mean + person bias"]
        )
    else:
        choice.note = "no held-out title had ratings by people left in training"
    # Rated titles: K on the warm hold-out (K = 0 is plain SVD).
    u_w, r_w, _, items_w = pairs(warm_rows)
    item_at = {t: k for k, t in enumerate(ts.item_raw.tolist())}
    i_w = np.fromiter((item_at.get(t, -1) for t in items_w), dtype=np.int64, count=len(items_w))
    ok = i_w >= 0
    u_w, r_w, i_w = u_w[ok], r_w[ok], i_w[ok]
    beat.doing(f"rated titles, fitting ridge alpha {choice.alpha:g}")
    ridge = (
        maps[choice.alpha] if choice.alpha in maps else fit_map(x_train, y, counts, choice.alpha)
    )
    pred_all = predict(ridge, x_train)
    base_w = mu + np.asarray(algo.bu)[u_w]
    pu_w = np.asarray(algo.pu)[u_w]
    for k in SHRINKS:
        vals = blend(y[i_w], pred_all[i_w], counts[i_w], k)
        est = base_w + vals[:, 0] + np.einsum("ij,ij->i", pu_w, vals[:, 1:])
        choice.warm_rmse[f"K {k:g}"] = _rmse(est, r_w, scale)
    # Another K only when it beats plain SVD by more than fold noise (0.05%), and only when
    # the map helps at all.
    plain = choice.warm_rmse["K 0"]
    best_k = min(SHRINKS, key=lambda k: choice.warm_rmse[f"K {k:g}"])
    better = choice.warm_rmse[f"K {best_k:g}"] < plain * (1 - 5e-4)
    choice.shrink = best_k if better and choice.helps else 0.0
    by_k = ", ".join(f"{k}: {v:.4f}" for k, v in choice.warm_rmse.items())
    log(f"hybrid: rated titles, RMSE by K: {by_k}; chosen K {choice.shrink:g}")
    choice.seconds = time.perf_counter() - started
    return choice


@dataclass
class Applied:
    """What `apply` did, for svd.json and the artifact's `content` part."""

    extra_ids: list[str]  # catalogue titles nobody rated, appended after the rated ones
    counts: np.ndarray  # ratings per title in training, every model title (0 for extra)
    features: sp.csr_matrix  # content rows of every model title (zero rows where none)


def apply(
    algo: SVD,
    trainset: CompactTrainset,
    content: ContentFeatures,
    choice: Choice,
) -> Applied:
    """Fit the map on the final model and write the blended (and the new titles') bias and
    factors into `algo`, so the shipped SVD *is* the hybrid: Surprise's predict of it and the
    Recommender agree on every known pair."""
    rated = trainset.item_raw.tolist()
    known = set(rated)
    extra = [t for t in content.ids if t not in known]
    ids = rated + extra
    x = content.rows_for(ids)
    counts = np.concatenate(
        [np.bincount(trainset.i_sorted, minlength=trainset.n_items), np.zeros(len(extra))]
    ).astype(np.float64)
    y = targets(algo)
    n = len(rated)
    ridge = fit_map(x[:n], y, counts[:n], choice.alpha)
    pred = predict(ridge, x) if choice.helps else np.zeros((len(ids), y.shape[1]))
    vals = np.vstack([blend(y, pred[:n], counts[:n], choice.shrink), pred[n:]])
    algo.bi = np.ascontiguousarray(vals[:, 0])
    algo.qi = np.ascontiguousarray(vals[:, 1:])
    return Applied(extra, counts.astype(np.int64), x)


def artifact_part(applied: Applied, content: ContentFeatures, choice: Choice) -> dict[str, Any]:
    """The artifact's `content` entry: plain arrays and lists only (the safe unpickler)."""
    x = sp.csr_matrix(applied.features, dtype=np.float32)
    # /similar's weighted unit rows (model/similarity.py): the same sparsity as x, so only their
    # values; the first /similar (and newcomer's list) of every process built them, 50 ms at the
    # real titles. With the weights they were built with: other weights rebuild them at first use.
    unit = similarity.weighted_unit(x, content.features)
    return {
        "counts": applied.counts.astype(np.int32),
        # one newline-joined string: 36k str objects took ~50 ms of every model load to unpickle
        "features": "\n".join(content.features),
        "data": x.data,
        "indices": x.indices.astype(np.int32),
        "indptr": x.indptr.astype(np.int64),
        "unit_data": unit.data.astype(np.float32),
        "unit_weights": dict(similarity.BLOCK_WEIGHTS),
        "alpha": choice.alpha,
        "shrink": choice.shrink,
    }
