"""`model evaluate`'s hybrid part (issue 21): what content adds, measured on held-out data.

One split, seeded: all ratings of 10% of the titles (new titles) and all ratings of up to
`n_people` people with more than 25 ratings (new people) are held out; the SVD with the given
parameters is fitted on the rest. Then:

- **new titles**: RMSE of the ratings of held-out titles by people in training, the hybrid's
  content prediction against mean + person bias. The ridge strength is chosen on half of those
  titles and the figure is for the other half, so the reported number did not pick it;
- **new people**, given 1, 3 and 5 of their ratings: RMSE and NDCG@10 on their other ratings
  for fold-in on the plain SVD, fold-in on the hybrid, and the hybrid plus the content
  neighbourhood of what they rated (what /foryou serves); coverage of their top-10 lists;
- **onboarding**, given 5: the 5 of their titles first in /rate's order (model/onboarding.py)
  against 5 drawn at random from their titles among the most rated (what they could have been
  asked), scored on the same remaining ratings.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from model import hybrid, onboarding
from model.artifact_write import payload
from model.content import ContentFeatures
from model.data import Ratings
from model.recommender import Recommender
from model.scoring import ndcg_at_k
from model.svd import SVDParams, fit

GIVEN = (1, 3, 5)
MIN_PERSON_RATINGS = 25


def _rmse(est: np.ndarray, true: np.ndarray) -> float:
    return float(np.sqrt(np.mean((np.clip(est, 0.5, 5.0) - true) ** 2)))


def evaluate_hybrid(
    ratings: Ratings,
    params: SVDParams,
    content: ContentFeatures,
    seed: int = 0,
    n_people: int = 300,
    log: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    users, counts = np.unique(ratings.users, return_counts=True)
    eligible = users[counts > MIN_PERSON_RATINGS]
    people = set(rng.choice(eligible, size=min(n_people, len(eligible)), replace=False).tolist())
    is_person = np.isin(ratings.users, list(people))
    _, held_rows, held = hybrid.split_new_titles(ratings, hybrid.NEW_TITLE_SHARE, seed)
    is_new_title = np.zeros(len(ratings), dtype=bool)
    is_new_title[held_rows] = True
    train_rows = np.flatnonzero(~is_person & ~is_new_title)
    algo, ts = fit(ratings.subset(train_rows), params, progress=False)
    plain_algo = copy.deepcopy(algo)
    log(f"hybrid evaluate: fitted on {len(train_rows):,} ratings; {len(people)} new people")

    # New titles: choose alpha on half the held-out titles, report on the other half.
    held_sorted = sorted(held)
    rng.shuffle(held_sorted)
    half_a = set(held_sorted[: len(held_sorted) // 2])
    user_at = {u: k for k, u in enumerate(ts.user_raw.tolist())}
    sub = ratings.subset(np.flatnonzero(is_new_title & ~is_person))
    u_idx = np.fromiter((user_at.get(int(u), -1) for u in sub.users), dtype=np.int64)
    ok = u_idx >= 0
    items = [str(t) for t, k in zip(sub.items, ok, strict=True) if k]
    u_idx, true = u_idx[ok], sub.ratings[ok].astype(np.float64)
    in_a = np.array([t in half_a for t in items], dtype=bool)
    x_train = content.rows_for(ts.item_raw.tolist())
    y = hybrid.targets(algo)
    n_rated = np.bincount(ts.i_sorted, minlength=ts.n_items).astype(np.float64)
    x_new = content.rows_for(items)
    base = ts.global_mean + np.asarray(algo.bu)[u_idx]
    pu = np.asarray(algo.pu)[u_idx]
    by_alpha = {}
    for alpha in hybrid.ALPHAS:
        pred = hybrid.predict(hybrid.fit_map(x_train, y, n_rated, alpha), x_new)
        by_alpha[alpha] = base + pred[:, 0] + np.einsum("ij,ij->i", pu, pred[:, 1:])
    alpha = min(hybrid.ALPHAS, key=lambda a: _rmse(by_alpha[a][in_a], true[in_a]))
    new_titles = {
        "titles": len(held),
        "ratings_scored": int((~in_a).sum()),
        "alpha": alpha,
        "rmse_hybrid": _rmse(by_alpha[alpha][~in_a], true[~in_a]),
        "rmse_mean_person_bias": _rmse(base[~in_a], true[~in_a]),
    }
    new_titles["improvement"] = 1 - new_titles["rmse_hybrid"] / new_titles["rmse_mean_person_bias"]
    log(f"hybrid evaluate: new titles {new_titles}")

    # Models to serve the new people from: plain SVD, and the hybrid (learned values kept).
    choice = hybrid.Choice(alpha=alpha, shrink=0.0)
    applied = hybrid.apply(algo, ts, content, choice)
    body = payload(algo, ts, None, "prior", applied.extra_ids,
                   hybrid.artifact_part(applied, content, choice))  # fmt: skip
    rec = Recommender(body, {})
    plain = Recommender(payload(plain_algo, ts, None, "prior"), {})

    person_rows: dict[int, np.ndarray] = {}
    rows = np.flatnonzero(is_person)
    order = np.argsort(ratings.users[rows], kind="stable")
    rows = rows[order]
    bounds = np.flatnonzero(np.diff(ratings.users[rows])) + 1
    for part in np.split(rows, bounds):
        person_rows[int(ratings.users[part[0]])] = part

    def score(model: Recommender, given: dict[str, float], test: list[tuple[str, float]],
              lift: bool) -> np.ndarray:  # fmt: skip
        """Raw scores of the test titles, as predict_for computes them, all at once."""
        vector = model.fold_in(given)
        idx = np.fromiter(
            (model._title_index.get(t, -1) for t, _ in test), dtype=np.int64, count=len(test)
        )
        known = idx >= 0
        out = np.full(len(test), model.global_mean + (vector.bias if vector.n_ratings else 0.0))
        j = idx[known]
        if vector.n_ratings:
            out[known] += model.bi[j] + model.qi[j] @ vector.factors
            extra = model._lift(vector) if lift else None
            if extra is not None:
                out[known] += extra[j]
        else:
            out[known] += model.bi[j]
        return out

    variants = {
        "fold-in, plain SVD": (plain, False),
        "fold-in, hybrid": (rec, False),
        "hybrid + content neighbourhood": (rec, True),
    }
    people_out: dict[str, Any] = {}
    for k in GIVEN:
        est: dict[str, list[np.ndarray]] = {v: [] for v in variants}
        true_all, who = [], []
        lists: dict[str, set[str]] = {v: set() for v in variants}
        for u, part in person_rows.items():
            perm = np.random.default_rng(seed + u).permutation(part)
            given = {str(ratings.items[r]): float(ratings.ratings[r]) for r in perm[:k]}
            test = [(str(ratings.items[r]), float(ratings.ratings[r])) for r in perm[k:]]
            true_all.append(np.array([r for _, r in test]))
            who.append(np.full(len(test), u))
            for name, (model, lift) in variants.items():
                est[name].append(score(model, given, test, lift))
                if k == 5:
                    vector = model.fold_in(given)
                    if not lift:
                        vector = type(vector)(vector.bias, vector.factors, vector.used,
                                              vector.ignored, 0, vector.seen)  # fmt: skip
                    lists[name].update(s.title_id for s in model.top_n_for(vector, 10))
        t_all, w_all = np.concatenate(true_all), np.concatenate(who)
        people_out[f"given {k}"] = {
            name: {
                "rmse": _rmse(np.concatenate(e), t_all),
                "ndcg@10": ndcg_at_k(np.concatenate(e), t_all, w_all, 10),
            }
            for name, e in est.items()
        }
        if k == 5:
            for name in variants:
                people_out["given 5"][name]["coverage"] = len(lists[name]) / len(rec.title_ids)
        log(f"hybrid evaluate: new people given {k}: {people_out[f'given {k}']}")

    # Onboarding: the first 5 of /rate's order among their titles vs 5 random popular ones.
    order_at = {t: r for r, t in enumerate(rec.onboarding(len(rec.title_ids)))}
    pool = set(rec.title_ids[j] for j in np.argsort(-rec.title_counts)[: onboarding.POOL])
    on: dict[str, list[np.ndarray]] = {"onboarding order": [], "random popular": []}
    t_on, w_on = [], []
    for u, part in person_rows.items():
        titles = [str(ratings.items[r]) for r in part]
        stars = {str(ratings.items[r]): float(ratings.ratings[r]) for r in part}
        ranked = sorted((t for t in titles if t in order_at), key=order_at.__getitem__)[:5]
        popular = [t for t in titles if t in pool]
        if len(ranked) < 5 or len(popular) < 5:
            continue
        rand = list(np.random.default_rng(seed + u).choice(popular, 5, replace=False))
        test = [(t, stars[t]) for t in titles if t not in set(ranked) | set(rand)]
        if len(test) < 2:
            continue
        t_on.append(np.array([r for _, r in test]))
        w_on.append(np.full(len(test), u))
        for name, chosen in (("onboarding order", ranked), ("random popular", rand)):
            on[name].append(score(rec, {t: stars[t] for t in chosen}, test, True))
    onboarding_out: dict[str, Any] = {"people": len(t_on)}
    if t_on:
        t_all, w_all = np.concatenate(t_on), np.concatenate(w_on)
        for name, e in on.items():
            onboarding_out[name] = {
                "rmse": _rmse(np.concatenate(e), t_all),
                "ndcg@10": ndcg_at_k(np.concatenate(e), t_all, w_all, 10),
            }
    log(f"hybrid evaluate: onboarding {onboarding_out}")
    return {
        "seed": seed,
        "params": params.__dict__,
        "train_ratings": len(train_rows),
        "new_titles": new_titles,
        "new_people": people_out,
        "onboarding": onboarding_out,
        "seconds": round(time.perf_counter() - started, 1),
    }
