"""Hyper-parameter selection on the ratings at hand, inside a time budget (issue 12).

`select` cross-validates SVD candidates and Surprise's BaselineOnly on the same folds and says
which to ship. The search is a greedy coordinate search that starts from the defaults (real-data
evidence, docs/model.md) and moves one step along one axis (factors, epochs, learning rate,
regularisation) at a time while that lowers the validation RMSE and the budget allows. Each
candidate's cost is predicted from the fits already timed, and a candidate that would overrun the
budget is skipped, so the budget is a limit, not a hope. At large sizes the search runs on a
seeded sample of people (all their ratings), and says so.

`choose_fold_in` (model/fold_in_choice.py) picks the fold-in regulariser.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from surprise import BaselineOnly

from model.data import Ratings, RatingsError, Ticker, kfold_indices
from model.scoring import inner_ids, predict_all
from model.svd import SVDParams
from model.trainset import CompactTrainset

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

        self.parts = []
        for f, (tr, te) in enumerate(kfold_indices(len(ratings), folds if folds > 1 else 5, seed)):
            if folds == 1 and f > 0:
                break  # one 80/20 hold-out split at large sizes
            ts = CompactTrainset(ratings.subset(tr))
            test = ratings.subset(te)
            self.parts.append((ts, *inner_ids(ts, test), test.ratings))
        self.n_train = sum(p[0].n_ratings for p in self.parts)

    def score(
        self,
        make: Callable[[], Any],
        label: str = "",
        n_epochs: int = 1,
        log: Callable[[str], None] = log_none,
    ) -> tuple[float, float, list[float], float]:

        t0 = time.perf_counter()
        per = []
        # A line at least every ~10 s (model.data.PROGRESS_EVERY) while a candidate's folds
        # fit (a fit on the search's 1M ratings takes minutes: issue 22 saw 3.5 silent ones).
        ticker = Ticker(log, f"search: {label}")
        k, started = len(self.parts), 0

        def on_epoch() -> None:
            nonlocal started
            fold, epoch = divmod(started, n_epochs)
            ticker.tick(started, k * n_epochs, f"fold {fold + 1}/{k}, epoch {epoch + 1}/{n_epochs}")
            started += 1

        for ts, u, i, true in self.parts:
            ts.on_epoch = on_epoch
            try:
                algo = make().fit(ts)
            finally:
                ts.on_epoch = None
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
        rmse, mae, per, sec = parts.score(cand.algo, f"SVD {_short(cand)}", cand.n_epochs, log)
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
