"""Cross-validation of SVD against Surprise's BaselineOnly and NormalPredictor, grid search, and
the accuracy of fold-in for users outside the training data.

Folds are exactly Surprise's `KFold(n_splits, random_state=seed, shuffle=True)` folds and the
algorithms are Surprise's own, fitted on `CompactTrainset` (bit-identical to Surprise's
Trainset); only the scoring of the test sets is vectorised (model/scoring.py, which also holds the
metrics). Metric definitions: docs/model.md.
"""

from __future__ import annotations

import itertools
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, replace
from typing import Any

import numpy as np
import pandas as pd
from surprise import AlgoBase, BaselineOnly, NormalPredictor

from model import tune
from model.artifact_write import payload
from model.data import Ratings, kfold_indices
from model.fold_in_choice import baseline_as_svd
from model.recommender import Recommender
from model.scoring import decision_metrics, inner_ids, ndcg_at_k, predict_all, top_n_stats
from model.svd import SVDParams
from model.trainset import CompactTrainset

ALGORITHMS = ("SVD", "BaselineOnly", "NormalPredictor")


def make_algo(name: str, params: SVDParams) -> AlgoBase:
    if name == "SVD":
        return params.algo()
    if name == "BaselineOnly":
        return BaselineOnly(verbose=False)  # Surprise's defaults: ALS, 10 epochs
    if name == "NormalPredictor":
        return NormalPredictor()
    raise ValueError(f"unknown algorithm {name!r}")


class _Fold:
    """One outer fold's test part, in the trainset's inner ids, and the people whose top-k
    lists are scored."""

    def __init__(self, trainset: CompactTrainset, test: Ratings, seed: int, list_users: int):
        self.trainset, self.test, self.seed = trainset, test, seed
        self.u, self.i = inner_ids(trainset, test)
        known = np.unique(self.u[self.u >= 0])
        self.lists = np.random.default_rng(seed).choice(
            known, size=min(list_users, len(known)), replace=False
        )

    def score(self, algo: Any, threshold: float, k: int) -> dict[str, float]:
        """Accuracy, decision, NDCG@k and top-k list figures of a fitted algorithm."""
        test = self.test
        est = predict_all(algo, self.trainset, self.u, self.i, seed=self.seed)
        m = decision_metrics(est, test.ratings, test.users, threshold, k)
        m[f"ndcg@{k}"] = ndcg_at_k(est, test.ratings, test.users, k)
        m.update(top_n_stats(algo, self.trainset, self.lists, k, self.seed))
        return m


def _summary(per: Mapping[str, list[dict[str, float]]]) -> dict[str, Any]:
    """Per algorithm: the mean and std of each metric over the folds, and the folds."""
    result: dict[str, Any] = {}
    for name, rows in per.items():
        keys = rows[0].keys()
        result[name] = {
            "metrics": {key: float(np.mean([r[key] for r in rows])) for key in keys},
            "std": {key: float(np.std([r[key] for r in rows])) for key in keys},
            "folds": rows,
        }
    return result


def cross_validate(
    ratings: Ratings,
    params: SVDParams,
    algorithms: Iterable[str] = ALGORITHMS,
    folds: int = 5,
    seed: int = 0,
    threshold: float = 3.5,
    k: int = 10,
    log: Callable[[str], None] | None = None,
    list_users: int = 300,
) -> dict[str, dict[str, Any]]:
    """Per algorithm: mean and std of every metric over the folds, and fit seconds; the top-k
    list figures (coverage, popularity) over `list_users` people of each test fold."""
    algorithms = list(algorithms)
    per: dict[str, list[dict[str, float]]] = {a: [] for a in algorithms}
    for f, (tr, te) in enumerate(kfold_indices(len(ratings), folds, seed)):
        trainset = CompactTrainset(ratings.subset(tr))
        fold = _Fold(trainset, ratings.subset(te), seed + f, list_users)
        for name in algorithms:
            t0 = time.perf_counter()
            algo = make_algo(name, params).fit(trainset)
            fit_s = time.perf_counter() - t0
            m = fold.score(algo, threshold, k)
            m["fit_seconds"] = fit_s
            per[name].append(m)
            if log:
                log(f"fold {f + 1}/{folds} {name}: RMSE {m['rmse']:.4f} ({fit_s:.1f} s)")
    result = _summary(per)
    if "SVD" in result:
        result["SVD"]["params"] = asdict(params)
    return result


def grid_search(
    ratings: Ratings,
    # SVDParams field -> values to try; fields differ in type (ints, floats), read from JSON
    grid: Mapping[str, Sequence[Any]],
    base: SVDParams,
    folds: int = 3,
    seed: int = 0,
    log: Callable[[str], None] | None = None,
) -> list[dict[str, Any]]:
    """Mean CV RMSE/MAE of SVD for every combination in `grid`, best (lowest RMSE) first.

    Like Surprise's GridSearchCV but each fold's trainset is built once for all combinations.
    """
    names = list(grid)
    combos = [dict(zip(names, values, strict=True)) for values in itertools.product(*grid.values())]
    scores: list[list[tuple[float, float]]] = [[] for _ in combos]
    for f, (tr, te) in enumerate(kfold_indices(len(ratings), folds, seed)):
        trainset = CompactTrainset(ratings.subset(tr))
        test = ratings.subset(te)
        u, i = inner_ids(trainset, test)
        for c, combo in enumerate(combos):
            algo = replace(base, **combo).algo().fit(trainset)
            err = predict_all(algo, trainset, u, i) - test.ratings
            scores[c].append((float(np.sqrt(np.mean(err**2))), float(np.mean(np.abs(err)))))
            if log:
                log(f"fold {f + 1}/{folds} {combo}: RMSE {scores[c][-1][0]:.4f}")
    rows = [
        {
            "params": asdict(replace(base, **combo)),
            "rmse": float(np.mean([s[0] for s in sc])),
            "mae": float(np.mean([s[1] for s in sc])),
        }
        for combo, sc in zip(combos, scores, strict=True)
    ]
    return sorted(rows, key=lambda r: r["rmse"])


def fold_in_accuracy(
    ratings: Ratings,
    params: SVDParams,
    given: Iterable[int] = (3, 5, 10, 20),
    n_users: int = 500,
    regs: Iterable[float | None] = (None,),
    seed: int = 0,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """RMSE on held-out users' remaining ratings after folding in `g` of them, per g and reg.

    Held-out users (drawn among those with more than max(given) + 5 ratings) are removed from
    training entirely, so they are what a new Telegram user is to the model. The baseline is
    Surprise's answer for an unknown user: global mean + title bias, from the same model.
    A reg of None is the model's default (its training MSE), reported as "fold-in".
    """
    given = sorted(given)
    regs = list(regs)
    counts = pd.Series(ratings.users).value_counts()
    eligible = counts.index[counts > given[-1] + 5].to_numpy()
    rng = np.random.default_rng(seed)
    chosen = rng.choice(eligible, size=min(n_users, len(eligible)), replace=False)
    held = np.isin(ratings.users, chosen)
    trainset = CompactTrainset(ratings.subset(np.flatnonzero(~held)))
    algo = params.algo().fit(trainset)
    rec = Recommender(payload(algo, trainset), {})
    names = ["fold-in" if r is None else f"reg={r:g}" for r in regs]
    test = ratings.subset(np.flatnonzero(held))
    order = np.argsort(test.users, kind="stable")
    users_sorted = test.users[order]
    bounds = np.flatnonzero(np.r_[True, users_sorted[1:] != users_sorted[:-1], True])
    sq: dict[str, dict[int, list[float]]] = {
        name: {g: [] for g in given} for name in ["baseline", *names]
    }
    for a, b in itertools.pairwise(bounds):
        rows = order[a:b][rng.permutation(b - a)]
        items, true = test.items[rows], test.ratings[rows]
        known = np.array([rec.knows_title(t) for t in items])
        items, true = items[known], true[known]
        for g in given:
            if len(items) <= g:
                continue
            shown = dict(zip(items[:g].tolist(), true[:g].tolist(), strict=True))
            rest_items, rest_true = items[g:], true[g:]
            idx = np.array([rec._title_index[t] for t in rest_items])
            base = np.clip(rec.global_mean + rec.bi[idx], *rec.rating_scale)
            sq["baseline"][g].extend(((base - rest_true) ** 2).tolist())
            for name, r in zip(names, regs, strict=True):
                v = rec.fold_in(shown, reg=r)
                est = rec.global_mean + v.bias + rec.bi[idx] + rec.qi[idx] @ v.factors
                est = np.clip(est, *rec.rating_scale)
                sq[name][g].extend(((est - rest_true) ** 2).tolist())
    result = {
        name: {g: float(np.sqrt(np.mean(v))) if v else None for g, v in by_g.items()}
        for name, by_g in sq.items()
    }
    if log:
        for name, by_g in result.items():
            log(f"fold-in {name}: " + ", ".join(f"{g}: {v:.4f}" for g, v in by_g.items() if v))
    return {"users": len(chosen), "given": given, "rmse": result, "default_reg": rec.fold_in_reg}


def log_stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def nested_cross_validate(
    ratings: Ratings,
    start: SVDParams,
    folds: int = 5,
    seed: int = 0,
    threshold: float = 3.5,
    k: int = 10,
    budget: float = 60.0,
    search_folds: int = 3,
    max_search_ratings: int | None = None,
    list_users: int = 300,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """What `train` would ship, scored honestly: in each outer fold the selection
    (model/tune.py: search within `budget` seconds, BaselineOnly when no SVD beats it) runs on
    the outer training part only, and the chosen model is scored on the outer test part next
    to SVD with the default parameters, BaselineOnly and NormalPredictor on the same folds."""
    names = ["train (nested selection)", "SVD defaults", "BaselineOnly", "NormalPredictor"]
    per: dict[str, list[dict[str, float]]] = {a: [] for a in names}
    chosen: list[dict[str, Any]] = []
    quiet = log or tune.log_none
    for f, (tr, te) in enumerate(kfold_indices(len(ratings), folds, seed)):
        train_part = ratings.subset(tr)
        sel = tune.select(
            train_part,
            start,
            budget,
            search_folds,
            seed + f + 1,
            max_search_ratings or tune.SEARCH_MAX_RATINGS,
            log=quiet,
        )
        chosen.append(
            {"fold": f + 1, "chosen": sel.chosen, "params": asdict(sel.params), "why": sel.reason}
        )
        trainset = CompactTrainset(train_part)
        fold = _Fold(trainset, ratings.subset(te), seed + f, list_users)
        for name in names:
            t0 = time.perf_counter()
            if name.startswith("train"):
                algo = (
                    sel.params.algo().fit(trainset)
                    if sel.chosen == "SVD"
                    else baseline_as_svd(trainset)
                )
            elif name == "SVD defaults":
                algo = start.algo().fit(trainset)
            else:
                algo = make_algo(name, start).fit(trainset)
            fit_s = time.perf_counter() - t0
            m = fold.score(algo, threshold, k)
            m["fit_seconds"] = fit_s
            per[name].append(m)
            if log:
                log(f"fold {f + 1}/{folds} {name}: RMSE {m['rmse']:.4f} ({fit_s:.1f} s)")
    result = _summary(per)
    result["SVD defaults"]["params"] = asdict(start)
    return {"algorithms": result, "selections": chosen}
