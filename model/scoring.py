"""Scoring held-out ratings fast and the metrics on them: Surprise-identical estimates for
every test pair at once, RMSE/MAE/precision/recall@k, NDCG@k, top-N coverage and popularity.

model/evaluate.py cross-validates with these; docs/model.md defines the metrics.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from surprise import SVD, AlgoBase, BaselineOnly, NormalPredictor

from model.data import Ratings
from model.trainset import CompactTrainset


def inner_ids(trainset: CompactTrainset, ratings: Ratings) -> tuple[np.ndarray, np.ndarray]:
    """Inner ids of the given ratings' users and titles in the trainset; -1 where unknown."""
    u = pd.Index(trainset.user_raw).get_indexer(pd.Index(ratings.users))
    i = pd.Index(trainset.item_raw).get_indexer(pd.Index(ratings.items))
    return u, i


def predict_all(
    algo: AlgoBase, trainset: CompactTrainset, u: np.ndarray, i: np.ndarray, seed: int = 0
) -> np.ndarray:
    """Clipped estimates equal to `algo.predict(raw_u, raw_i).est` for every pair, vectorised.

    NormalPredictor draws from the same normal distribution Surprise's does, from a seeded
    generator rather than numpy's global one so that runs repeat.
    """
    gm = trainset.global_mean
    ku, ki = u >= 0, i >= 0
    if isinstance(algo, NormalPredictor):
        est = np.random.default_rng(seed).normal(gm, algo.sigma, size=len(u))
    elif isinstance(algo, SVD | BaselineOnly):
        bu, bi = np.asarray(algo.bu), np.asarray(algo.bi)
        est = np.full(len(u), gm)
        est[ku] += bu[u[ku]]
        est[ki] += bi[i[ki]]
        if isinstance(algo, SVD):
            both = np.flatnonzero(ku & ki)
            step = 1 << 16  # rows x factors x 8 bytes x 2 per chunk: 100 MiB at 100 factors
            for a in range(0, len(both), step):
                b = both[a : a + step]
                est[b] += np.einsum("ij,ij->i", algo.pu[u[b]], algo.qi[i[b]])
    else:
        raise TypeError(f"no vectorised predict for {type(algo).__name__}")
    return np.clip(est, *trainset.rating_scale)


def decision_metrics(
    est: np.ndarray, true: np.ndarray, users: np.ndarray, threshold: float, k: int
) -> dict[str, float]:
    """RMSE, MAE, precision/recall of "recommend when est >= threshold", and precision@k/
    recall@k per user as in Surprise's FAQ (averaged over users with held-out ratings)."""
    err = est - true
    rec, rel = est >= threshold, true >= threshold
    tp = float(np.sum(rec & rel))
    out = {
        "rmse": float(np.sqrt(np.mean(err**2))),
        "mae": float(np.mean(np.abs(err))),
        "precision": tp / max(int(rec.sum()), 1),
        "recall": tp / max(int(rel.sum()), 1),
    }
    # Rank each user's held-out titles by estimate, best first, and keep the first k.
    order = np.lexsort((-est, users))
    su, srec, srel = users[order], rec[order], rel[order]
    starts = np.r_[0, np.flatnonzero(su[1:] != su[:-1]) + 1]
    group = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(su)]))
    rank = np.arange(len(su)) - starts[group]
    top = rank < k
    n_rec_k = np.bincount(group, weights=(top & srec), minlength=len(starts))
    n_both_k = np.bincount(group, weights=(top & srec & srel), minlength=len(starts))
    n_rel = np.bincount(group, weights=srel, minlength=len(starts))
    out[f"precision@{k}"] = float(
        np.mean(np.divide(n_both_k, n_rec_k, out=np.zeros_like(n_rec_k), where=n_rec_k > 0))
    )
    out[f"recall@{k}"] = float(
        np.mean(np.divide(n_both_k, n_rel, out=np.zeros_like(n_rel), where=n_rel > 0))
    )
    return out


def ndcg_at_k(est: np.ndarray, true: np.ndarray, users: np.ndarray, k: int = 10) -> float:
    """Mean NDCG@k over people with at least two held-out ratings: their held-out titles ranked
    by estimate, gain = the true rating, discount log2(rank + 1), normalised by the best order."""
    order = np.lexsort((-est, users))
    su, st = users[order], true[order]
    ideal = np.lexsort((-true, users))
    it = true[ideal]
    starts = np.r_[0, np.flatnonzero(su[1:] != su[:-1]) + 1]
    sizes = np.diff(np.r_[starts, len(su)])
    group = np.repeat(np.arange(len(starts)), sizes)
    rank = np.arange(len(su)) - starts[group]
    top = rank < k
    disc = np.where(top, 1.0 / np.log2(rank + 2.0), 0.0)
    dcg = np.bincount(group, weights=st * disc, minlength=len(starts))
    idcg = np.bincount(group, weights=it * disc, minlength=len(starts))
    ok = (sizes >= 2) & (idcg > 0)
    return float(np.mean(dcg[ok] / idcg[ok])) if ok.any() else float("nan")


def top_n_stats(
    algo: AlgoBase,
    trainset: CompactTrainset,
    users: np.ndarray,
    n: int = 10,
    seed: int = 0,
) -> dict[str, float]:
    """Catalogue coverage and popularity of the top-n lists of the given inner users.

    Lists are ranked as `Recommender.top_n` ranks (unclipped scores, titles rated in training
    left out); NormalPredictor's lists are random draws, as its scores are. Coverage is the
    share of the trainset's titles that appear in any list; popularity is the mean number of
    training ratings of the listed titles, also as a multiple of the mean title's.
    """
    counts = np.bincount(trainset.i_sorted, minlength=trainset.n_items).astype(np.float64)
    indptr = trainset.ur.indptr
    rng = np.random.default_rng(seed)
    shown = np.zeros(trainset.n_items, dtype=bool)
    pops: list[float] = []
    for u in users:
        raw: np.ndarray
        if isinstance(algo, NormalPredictor):
            raw = rng.random(int(trainset.n_items))
        else:
            raw = trainset.global_mean + np.asarray(algo.bu)[u] + np.asarray(algo.bi)
            if isinstance(algo, SVD) and algo.qi.shape[1]:
                raw = raw + algo.qi @ algo.pu[u]
        raw = np.array(raw, dtype=np.float64)
        raw[trainset.i_sorted[indptr[u] : indptr[u + 1]]] = -np.inf
        top = np.argsort(-raw, kind="stable")[:n]
        shown[top] = True
        pops.extend(counts[top].tolist())
    mean_pop = float(np.mean(pops)) if pops else float("nan")
    return {
        f"coverage@{n}": float(shown.mean()),
        f"popularity@{n}": mean_pop,
        f"popularity@{n}_x_mean": mean_pop / float(counts.mean()),
    }
