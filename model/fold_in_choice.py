"""Choosing the fold-in regulariser on the ratings at hand (`choose_fold_in`), and BaselineOnly
in an SVD shell (`baseline_as_svd`) for shipping and scoring a baseline model.

`choose_fold_in` picks the regulariser the way model/tune.py picks parameters: people held out of
the search sample entirely, a few of their ratings folded in, RMSE on the rest.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from surprise import SVD, BaselineOnly

from model.artifact_write import payload
from model.data import Ratings, Ticker
from model.recommender import Recommender
from model.svd import SVDParams
from model.trainset import CompactTrainset

FOLD_IN_GIVEN = (3, 5, 10, 20)
# Fold-in candidates: plain ridge (identity penalty on bias and factors, as the issue's
# measurements on real data favoured) and the Gaussian prior of the trained users.
FOLD_IN_RIDGE = (0.3, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0)
FOLD_IN_PRIOR = (0.1, 0.3, 1.0, 3.0)  # times the training MSE


def _quiet(msg: str) -> None:
    """The default log: say nothing."""


def baseline_as_svd(trainset: CompactTrainset) -> SVD:
    """BaselineOnly fitted on the trainset, in an SVD with no factors: Surprise's SVD.predict
    then computes exactly BaselineOnly's estimate (mu + bu + bi + an empty dot product), and the
    serving code and file format stay as they are."""
    base = BaselineOnly(verbose=False).fit(trainset)
    algo = SVD(n_factors=0, n_epochs=0)
    algo.bu = np.asarray(base.bu, dtype=np.float64)
    algo.bi = np.asarray(base.bi, dtype=np.float64)
    algo.pu = np.zeros((trainset.n_users, 0))
    algo.qi = np.zeros((trainset.n_items, 0))
    return algo


@dataclass
class HeldOut:
    """A model fitted without some people, and those people's ratings: what the fold-in choice
    (and train's content-boost choice, model/boost_choice.py) scores candidates on."""

    algo: SVD
    trainset: CompactTrainset
    body: dict[str, Any]  # the artifact payload of `algo` (fold-in prior, calibration)
    test: Ratings  # the held-out people's ratings
    people: int
    rng: np.random.Generator  # the one that chose them, to draw each person's order next


def fit_held_out(
    ratings: Ratings,
    params: SVDParams,
    baseline: bool = False,
    n_users: int = 300,
    seed: int = 0,
    log: Callable[[str], None] = _quiet,
) -> HeldOut | None:
    """Up to `n_users` people with more than 25 ratings held out, the model fitted on the rest;
    None when there are too few such people."""
    counts = pd.Series(ratings.users).value_counts()
    eligible = counts.index[counts > max(FOLD_IN_GIVEN) + 5].to_numpy()
    if len(eligible) < 10 or len(counts) - min(n_users, len(eligible) // 2) < 2:
        return None
    rng = np.random.default_rng(seed)
    chosen = rng.choice(eligible, size=min(n_users, len(eligible) // 2), replace=False)
    held = np.isin(ratings.users, chosen)
    ts = CompactTrainset(ratings.subset(np.flatnonzero(~held)))
    # a line at least every ~10 s (model.data.PROGRESS_EVERY): the fit, then the held-out
    # people (issue 22)
    ticker = Ticker(log, "fold-in choice")
    epochs = iter(range(1, params.n_epochs + 1))
    ts.on_epoch = lambda: ticker.tick(0, 1, f"fitting, epoch {next(epochs, params.n_epochs)}")
    algo = baseline_as_svd(ts) if baseline else params.algo().fit(ts)
    ts.on_epoch = None
    body = payload(algo, ts)
    test = ratings.subset(np.flatnonzero(held))
    return HeldOut(algo, ts, body, test, len(chosen), rng)


def choose_fold_in(
    ratings: Ratings,
    params: SVDParams,
    baseline: bool = False,
    n_users: int = 300,
    seed: int = 0,
    log: Callable[[str], None] = _quiet,
    nested: bool = False,
    held: HeldOut | None = None,
) -> dict[str, Any]:
    """The fold-in regulariser that predicts held-out people best on this data.

    People with more than 25 ratings are held out of training (`fit_held_out`, or `held` when
    given); for each, 3/5/10/20 of their ratings are folded in with every candidate and the RMSE
    is taken on their other ratings; the candidate with the lowest mean RMSE over those four
    sizes wins. Returns the choice ("method", "reg") and the table. With `nested` the choice is
    made on half of the held-out people and the table is the other half's, so the reported RMSE
    did not pick the winner.
    """
    given = FOLD_IN_GIVEN
    if held is None:
        held = fit_held_out(ratings, params, baseline, n_users, seed, log)
    if held is None:
        return {"method": "prior", "reg": None, "users": 0, "rmse": {}, "note": "too few people"}
    ticker = Ticker(log, "fold-in choice")
    algo, body, test, rng = held.algo, held.body, held.test, held.rng
    mse = body["fold_in_reg"]
    k = algo.qi.shape[1]
    cands: dict[str, tuple[str, float, np.ndarray, np.ndarray]] = {}
    for lam in FOLD_IN_RIDGE:
        cands[f"ridge {lam:g}"] = ("ridge", lam, np.zeros(k + 1), np.eye(k + 1))
    for f in FOLD_IN_PRIOR:
        cands[f"prior {f:g}xMSE"] = (
            "prior",
            f * mse,
            body["prior_mean"],
            body["prior_precision"],
        )
    recs = {}
    for name, (_, lam, m, prec) in cands.items():
        recs[name] = Recommender(
            {**body, "fold_in_reg": lam, "prior_mean": m, "prior_precision": prec}, {}
        )
    any_rec = next(iter(recs.values()))
    names = ["baseline", *cands]
    # squared errors per half of the held-out people (0: choose, 1: report, when nested)
    sq: dict[int, dict[str, dict[int, list[float]]]] = {
        h: {n: {g: [] for g in given} for n in names} for h in (0, 1)
    }
    order = np.argsort(test.users, kind="stable")
    us = test.users[order]
    bounds = np.flatnonzero(np.r_[True, us[1:] != us[:-1], True])
    people = len(bounds) - 1
    for person, (a, b) in enumerate(itertools.pairwise(bounds)):
        ticker.tick(person, people, f"{person}/{people} held-out people")
        half = sq[person % 2]
        rows = order[a:b][rng.permutation(b - a)]
        idx_all = np.array([any_rec._title_index.get(t, -1) for t in test.items[rows]])
        keep = idx_all >= 0
        items, true, idx_all = test.items[rows][keep], test.ratings[rows][keep], idx_all[keep]
        for g in given:
            if len(items) <= g:
                continue
            shown = dict(zip(items[:g].tolist(), true[:g].tolist(), strict=True))
            idx, rest = idx_all[g:], true[g:]
            base = np.clip(any_rec.global_mean + any_rec.bi[idx], *any_rec.rating_scale)
            half["baseline"][g].extend(((base - rest) ** 2).tolist())
            for name, rec in recs.items():
                v = rec.fold_in(shown)
                est = rec.global_mean + v.bias + rec.bi[idx] + rec.qi[idx] @ v.factors
                half[name][g].extend(((np.clip(est, *rec.rating_scale) - rest) ** 2).tolist())

    def table(halves: tuple[int, ...]) -> dict[str, dict[int, float | None]]:
        out: dict[str, dict[int, float | None]] = {}
        for name in names:
            out[name] = {}
            for g in given:
                v = [x for h in halves for x in sq[h][name][g]]
                out[name][g] = float(np.sqrt(np.mean(v))) if v else None
        return out

    choose_on = table((0,) if nested else (0, 1))
    report = table((1,) if nested else (0, 1))

    def score(name: str) -> float:
        vals = [v for v in choose_on[name].values() if v is not None]
        return float(np.mean(vals)) if vals else float("inf")

    best = min(cands, key=score)
    method, lam, _, _ = cands[best]
    log(
        f"fold-in: {best} chosen on {held.people} held-out people"
        + (" (half; RMSE on the other half)" if nested else "")
        + ": "
        + ", ".join(f"given {g}: {report[best][g]:.4f}" for g in given if report[best][g])
        + " vs unknown-user "
        + ", ".join(f"{report['baseline'][g]:.4f}" for g in given if report["baseline"][g])
    )
    table_out = report
    return {
        "method": method,
        "reg": float(lam),
        "label": best,
        "users": held.people,
        "given": list(given),
        "nested": nested,
        "rmse": table_out,
    }
