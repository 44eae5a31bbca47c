"""Hyper-parameter selection on the ratings at hand, inside a time budget (issue 12).

`select` cross-validates SVD candidates and Surprise's BaselineOnly on the same folds and says
which to ship. The search is a greedy coordinate search that starts from the defaults (real-data
evidence, docs/model.md) and moves one step along one axis (factors, epochs, learning rate,
regularisation) at a time while that lowers the validation RMSE and the budget allows. Each
candidate's cost is predicted from the fits already timed, and a candidate that would overrun the
budget is skipped, so the budget is a limit, not a hope. At large sizes the search runs on a
seeded sample of people (all their ratings), and says so.

`choose_fold_in` picks the fold-in regulariser the same way: people held out of the search
sample entirely, a few of their ratings folded in, RMSE on the rest.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from surprise import SVD, BaselineOnly

from model.data import CompactTrainset, Ratings, RatingsError, kfold_indices
from model.train import SVDParams

# The axes of the search; the defaults (SVDParams) sit on them.
AXES: dict[str, Sequence[Any]] = {
    "n_factors": (10, 20, 50, 100, 200),
    "n_epochs": (20, 40, 60, 80),
    "lr_all": (0.005, 0.01, 0.02),
    "reg_all": (0.02, 0.05, 0.1, 0.15, 0.2),
}
# Above this many ratings the search runs on a sample of people; 1M ratings keeps one 3-fold
# candidate of the defaults near a minute on this 2-core machine (docs/benchmarks.md).
SEARCH_MAX_RATINGS = 1_000_000
# Fewer ratings than this and k-fold RMSE differences are noise; the search refuses.
MIN_RATINGS_PER_FOLD = 20
# A step of the search must lower the validation RMSE by this share to be taken.
MIN_GAIN = 0.001
# Factors are shipped only when they beat BaselineOnly by this share: below it the gain is
# within fold noise on small data (bias-only ratings gave SVD a 0.1% "win").
SHIP_MARGIN = 0.005
# Seconds of search. At 11M ratings train = read + search + the final fit (the defaults: about
# 4 minutes on this machine) + the fold-in choice: under 10 minutes (docs/benchmarks.md).
DEFAULT_BUDGET = 180.0
FOLD_IN_GIVEN = (3, 5, 10, 20)
# Fold-in candidates: plain ridge (identity penalty on bias and factors, as the issue's
# measurements on real data favoured) and the Gaussian prior of the trained users.
FOLD_IN_RIDGE = (0.3, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0)
FOLD_IN_PRIOR = (0.1, 0.3, 1.0, 3.0)  # times the training MSE


def log_none(msg: str) -> None:
    return None


@dataclass
class Candidate:
    params: dict[str, Any]
    rmse: float
    mae: float
    fit_seconds: float
    folds: list[float] = field(default_factory=list)


@dataclass
class Selection:
    """What the search found and what to ship; `as_dict` goes into svd.json and the report."""

    chosen: str  # "SVD" or "BaselineOnly"
    params: SVDParams
    reason: str
    baseline_rmse: float | None = None
    candidates: list[Candidate] = field(default_factory=list)
    budget_seconds: float = 0.0
    seconds: float = 0.0
    folds: int = 0
    search_ratings: int = 0
    total_ratings: int = 0
    sampled: bool = False
    skipped_for_budget: int = 0
    searched: bool = True

    @property
    def best(self) -> Candidate | None:
        return min(self.candidates, key=lambda c: c.rmse) if self.candidates else None

    def as_dict(self) -> dict[str, Any]:
        best = self.best
        return {
            "chosen": self.chosen,
            "reason": self.reason,
            "searched": self.searched,
            "params": asdict(self.params),
            "cv_rmse": best.rmse if best and self.chosen == "SVD" else self.baseline_rmse,
            "baseline_rmse": self.baseline_rmse,
            "budget_seconds": self.budget_seconds,
            "seconds": round(self.seconds, 1),
            "folds": self.folds,
            "search_ratings": self.search_ratings,
            "total_ratings": self.total_ratings,
            "sampled": self.sampled,
            "skipped_for_budget": self.skipped_for_budget,
            "candidates": [asdict(c) for c in sorted(self.candidates, key=lambda c: c.rmse)],
        }


def check_learnable(ratings: Ratings) -> None:
    """Refuse, with the reason in words, ratings from which no recommender can be learned."""
    n_users = len(np.unique(ratings.users))
    n_titles = len(pd.unique(ratings.items))
    if n_users < 2:
        raise RatingsError(
            f"all {len(ratings):,} ratings are by one person: a recommender learns from what many"
            " people rate, so there is nothing to learn here"
        )
    if n_titles < 2:
        raise RatingsError(
            f"all {len(ratings):,} ratings are of one title: there is nothing to rank"
        )
    if np.ptp(ratings.ratings) == 0:
        raise RatingsError(
            f"every rating is {ratings.ratings[0]:g}: constant ratings carry no preference to"
            " learn (the model would predict that number for everything)"
        )


def sample_people(ratings: Ratings, max_ratings: int, seed: int) -> Ratings:
    """A seeded sample of people, all ratings of each, of about max_ratings ratings in file
    order (people rather than ratings, so each sampled person keeps their usual activity)."""
    if len(ratings) <= max_ratings:
        return ratings
    users = np.unique(ratings.users)
    order = np.random.default_rng(seed).permutation(users)
    counts = pd.Series(ratings.users).value_counts().reindex(order).to_numpy()
    take = order[: max(2, int(np.searchsorted(np.cumsum(counts), max_ratings)))]
    return ratings.subset(np.flatnonzero(np.isin(ratings.users, take)))


def _rmse(est: np.ndarray, true: np.ndarray) -> tuple[float, float]:
    err = est - true
    return float(np.sqrt(np.mean(err**2))), float(np.mean(np.abs(err)))


class _Folds:
    """The search's folds, each trainset built once for every candidate."""

    def __init__(self, ratings: Ratings, folds: int, seed: int) -> None:
        from model.evaluate import inner_ids

        self.parts = []
        for f, (tr, te) in enumerate(kfold_indices(len(ratings), folds if folds > 1 else 5, seed)):
            if folds == 1 and f > 0:
                break  # one 80/20 hold-out split at large sizes
            ts = CompactTrainset(ratings.subset(tr))
            test = ratings.subset(te)
            self.parts.append((ts, *inner_ids(ts, test), test.ratings))
        self.n_train = sum(p[0].n_ratings for p in self.parts)

    def score(self, make: Callable[[], Any]) -> tuple[float, float, list[float], float]:
        from model.evaluate import predict_all

        t0 = time.perf_counter()
        per = []
        for ts, u, i, true in self.parts:
            algo = make().fit(ts)
            per.append(_rmse(predict_all(algo, ts, u, i), true))
        rmse = float(np.mean([p[0] for p in per]))
        mae = float(np.mean([p[1] for p in per]))
        return rmse, mae, [p[0] for p in per], time.perf_counter() - t0


def _cost_units(p: SVDParams) -> float:
    # SGD time per rating and epoch: a fixed part plus a part growing with the factors (measured
    # 0.27 us + 4 ns per factor on this machine, docs/benchmarks.md).
    return p.n_epochs * (60.0 + p.n_factors)


def _neighbours(p: SVDParams) -> list[SVDParams]:
    out = []
    for axis, values in AXES.items():
        cur = getattr(p, axis)
        vals = list(values)
        if cur not in vals:
            vals = sorted([*vals, cur])
        k = vals.index(cur)
        for j in (k - 1, k + 1):
            if 0 <= j < len(vals):
                out.append(replace(p, **{axis: vals[j]}))
    return out


def select(
    ratings: Ratings,
    start: SVDParams | None = None,
    budget: float = DEFAULT_BUDGET,
    folds: int = 3,
    seed: int = 0,
    max_search_ratings: int = SEARCH_MAX_RATINGS,
    log: Callable[[str], None] = log_none,
) -> Selection:
    """Cross-validated choice between SVD candidates and BaselineOnly (see module docstring)."""
    check_learnable(ratings)
    start = start or SVDParams()
    t0 = time.perf_counter()
    sample = sample_people(ratings, max_search_ratings, seed)
    k = folds if len(sample) <= 300_000 else 1
    need = MIN_RATINGS_PER_FOLD * max(folds, 2) * 5
    if len(sample) < need:
        raise RatingsError(
            f"only {len(sample):,} ratings: too few for a {folds}-fold search (it needs at least"
            f" {need:,}, {MIN_RATINGS_PER_FOLD * 5} per fold); pass --no-search to train the"
            " defaults without validation"
        )
    sel = Selection(
        chosen="SVD",
        params=start,
        reason="",
        budget_seconds=budget,
        folds=k,
        search_ratings=len(sample),
        total_ratings=len(ratings),
        sampled=len(sample) < len(ratings),
    )
    how = f"{k}-fold CV" if k > 1 else "one 80/20 hold-out split"
    log(
        f"search: {how} on {len(sample):,} of {len(ratings):,} ratings"
        + (" (a seeded sample of people)" if sel.sampled else "")
        + f", budget {budget:.0f} s"
    )
    parts = _Folds(sample, k, seed)
    rmse_b, _, _, sec_b = parts.score(lambda: BaselineOnly(verbose=False))
    sel.baseline_rmse = rmse_b
    log(f"search: BaselineOnly RMSE {rmse_b:.4f} ({sec_b:.1f} s)")
    seen: set[SVDParams] = set()
    # seconds per cost unit per training rating, learnt from the fits so far
    rate: float | None = None
    current = start
    queue = [start]
    while queue:
        cand = queue.pop(0)
        if cand in seen:
            continue
        seen.add(cand)
        left = budget - (time.perf_counter() - t0)
        units = _cost_units(cand) * parts.n_train
        predicted = units * rate if rate else None
        # The final fit on all ratings must fit in the budget too, or cost no more than the
        # starting point's (which is always fitted): at 11M that keeps train under 10 minutes.
        final = _cost_units(cand) * len(ratings) * rate if rate else 0.0
        final_limit = max(budget, _cost_units(start) * len(ratings) * (rate or 0.0))
        if (predicted is not None and (predicted > left or final > final_limit)) or left <= 0:
            sel.skipped_for_budget += 1
            continue
        rmse, mae, per, sec = parts.score(lambda c=cand: c.algo())
        rate = sec / units if rate is None else 0.5 * rate + 0.5 * sec / units
        sel.candidates.append(Candidate(_short(cand), rmse, mae, round(sec, 2), per))
        log(f"search: SVD {_short(cand)} RMSE {rmse:.4f} ({sec:.1f} s)")
        best = sel.best
        if not queue and best is not None:
            best_p = replace(start, **best.params)
            here = next(c.rmse for c in sel.candidates if c.params == _short(current))
            # Move only for a gain above fold noise; otherwise the search has converged.
            if cand == start or (best_p != current and best.rmse < here * (1 - MIN_GAIN)):
                current = best_p
                queue = [n for n in _neighbours(current) if n not in seen]
    sel.seconds = time.perf_counter() - t0
    best = sel.best
    if best is not None:
        sel.params = replace(start, **best.params)
    if best is not None and best.rmse < rmse_b * (1 - SHIP_MARGIN):
        gain = (1 - best.rmse / rmse_b) * 100
        sel.reason = (
            f"SVD {_short(sel.params)} had the lowest validation RMSE, {best.rmse:.4f}, {gain:.1f}%"
            f" below BaselineOnly's {rmse_b:.4f} on the same folds"
        )
    else:
        sel.chosen = "BaselineOnly"
        what = f"the best SVD ({best.rmse:.4f})" if best else "no SVD candidate (budget)"
        sel.reason = (
            f"{what} did not beat BaselineOnly ({rmse_b:.4f}) by {SHIP_MARGIN:.1%} or more on"
            " the same folds, so the model serves BaselineOnly's user and title effects"
            " (no factors)"
        )
    log(f"search: {sel.reason}; {len(sel.candidates)} candidates in {sel.seconds:.0f} s")
    return sel


def _short(p: SVDParams) -> dict[str, Any]:
    return {k: v for k, v in asdict(p).items() if k != "random_state"}


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


def choose_fold_in(
    ratings: Ratings,
    params: SVDParams,
    baseline: bool = False,
    n_users: int = 300,
    seed: int = 0,
    log: Callable[[str], None] = log_none,
    nested: bool = False,
) -> dict[str, Any]:
    """The fold-in regulariser that predicts held-out people best on this data.

    People with more than 25 ratings are held out of training; for each, 3/5/10/20 of their
    ratings are folded in with every candidate and the RMSE is taken on their other ratings;
    the candidate with the lowest mean RMSE over those four sizes wins. Returns the choice
    ("method", "reg") and the table. With `nested` the choice is made on half of the held-out
    people and the table is the other half's, so the reported RMSE did not pick the winner.
    """
    from model.recommender import Recommender
    from model.train import payload

    given = FOLD_IN_GIVEN
    counts = pd.Series(ratings.users).value_counts()
    eligible = counts.index[counts > max(given) + 5].to_numpy()
    if len(eligible) < 10 or len(counts) - min(n_users, len(eligible) // 2) < 2:
        return {"method": "prior", "reg": None, "users": 0, "rmse": {}, "note": "too few people"}
    rng = np.random.default_rng(seed)
    chosen = rng.choice(eligible, size=min(n_users, len(eligible) // 2), replace=False)
    held = np.isin(ratings.users, chosen)
    ts = CompactTrainset(ratings.subset(np.flatnonzero(~held)))
    algo = baseline_as_svd(ts) if baseline else params.algo().fit(ts)
    body = payload(algo, ts)
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
    test = ratings.subset(np.flatnonzero(held))
    names = ["baseline", *cands]
    # squared errors per half of the held-out people (0: choose, 1: report, when nested)
    sq = {h: {n: {g: [] for g in given} for n in names} for h in (0, 1)}
    order = np.argsort(test.users, kind="stable")
    us = test.users[order]
    bounds = np.flatnonzero(np.r_[True, us[1:] != us[:-1], True])
    for person, (a, b) in enumerate(itertools.pairwise(bounds)):
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
        f"fold-in: {best} chosen on {len(chosen)} held-out people"
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
        "users": len(chosen),
        "given": list(given),
        "nested": nested,
        "rmse": table_out,
    }
