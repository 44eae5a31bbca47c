"""`model evaluate`'s hybrid part (issue 21): what content adds, measured on held-out data.

One split, seeded: all ratings of 10% of the titles (new titles) and all ratings of up to
`n_people` people with more than 25 ratings (new people; at most a quarter of them, so training
keeps most of its people) are held out; the SVD with the given parameters is fitted on the rest.
Then:

- **new titles**: RMSE of the ratings of held-out titles by people in training, the hybrid's
  content prediction against mean + person bias. The ridge strength is chosen on half of those
  titles and the figure is for the other half, so the reported number did not pick it;
- **new people**, given 1, 3 and 5 of their ratings: RMSE and NDCG@10 on their other ratings
  for fold-in on the plain SVD, fold-in on the hybrid, and the hybrid plus the content boost
  (what /foryou serves), its strength chosen on the other half of the people
  (model/boost_choice.py, the table reported too); coverage of their top-10 lists;
- **onboarding**, given 5: each person's ratings split at random into the titles they could
  answer for and the test ratings (twice per person; the answerable/test split of Elahi et al.'s
  active-learning protocol); every way of asking walks down its order and stops at the fifth
  title the person can answer for: /rate's order (model/onboarding.py), the most rated first,
  and a random order of the POOL most rated (three draws, averaged). The same test ratings for
  all; RMSE, NDCG@10, how many titles were shown for 5 answers, and each order's difference from
  random popular with its bootstrap standard error over the person-splits.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from model import hybrid, onboarding
from model.artifact_write import payload
from model.boost_choice import best_boost, boost_table
from model.content import ContentFeatures
from model.data import Ratings
from model.recommender import Recommender
from model.scoring import ndcg_at_k
from model.svd import SVDParams, fit

GIVEN = (1, 3, 5)
MIN_PERSON_RATINGS = 25
ASKED = 5  # onboarding: answers collected before the person is scored
SPLITS = 2  # onboarding: answerable/test splits per person
DRAWS = 3  # onboarding: random orders per split for "random popular"
BOOTSTRAP = 1000


def _rmse(est: np.ndarray, true: np.ndarray) -> float:
    return float(np.sqrt(np.mean((np.clip(est, 0.5, 5.0) - true) ** 2)))


def _scores(
    model: Recommender, given: dict[str, float], test: list[str], boost: float
) -> np.ndarray:
    """Raw scores of the test titles as predict_for computes them, all at once, with the content
    boost at `boost` (0: fold-in alone); a title the model does not know gets mean + bias."""
    vector = model.fold_in(given)
    idx = np.fromiter(
        (model._title_index.get(t, -1) for t in test), dtype=np.int64, count=len(test)
    )
    known = idx >= 0
    j = idx[known]
    out = np.full(len(test), model.global_mean + (vector.bias if vector.n_ratings else 0.0))
    if not vector.n_ratings:
        out[known] += model.bi[j]
        return out
    out[known] += model.bi[j] + model.qi[j] @ vector.factors
    lift = model._lift(vector, boost=boost, rows=j)
    if lift is not None:
        out[known] += lift
    return out


def _people(ratings: Ratings, rows: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """(person, their rows) for the given rows, people in id order."""
    rows = rows[np.argsort(ratings.users[rows], kind="stable")]
    bounds = np.flatnonzero(np.diff(ratings.users[rows])) + 1
    return [(int(ratings.users[p[0]]), p) for p in np.split(rows, bounds) if len(p)]


def evaluate_hybrid(
    ratings: Ratings,
    params: SVDParams,
    content: ContentFeatures,
    seed: int = 0,
    n_people: int = 1000,
    log: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    users, counts = np.unique(ratings.users, return_counts=True)
    eligible = users[counts > MIN_PERSON_RATINGS]
    size = min(n_people, max(len(eligible) // 4, 1), len(eligible))
    people = set(rng.choice(eligible, size=size, replace=False).tolist())
    is_person = np.isin(ratings.users, list(people))
    _, held_rows, held = hybrid.split_new_titles(ratings, hybrid.NEW_TITLE_SHARE, seed)
    is_new_title = np.zeros(len(ratings), dtype=bool)
    is_new_title[held_rows] = True
    train_rows = np.flatnonzero(~is_person & ~is_new_title)
    algo, ts = fit(ratings.subset(train_rows), params, progress=False)
    plain_algo = copy.deepcopy(algo)
    log(f"hybrid evaluate: fitted on {len(train_rows):,} ratings; {len(people)} new people")
    new_titles, alpha = _new_titles(ratings, algo, ts, content, is_new_title & ~is_person,
                                    held, rng)  # fmt: skip
    log(f"hybrid evaluate: new titles {new_titles}")

    # Models to serve the new people from: plain SVD, and the hybrid (learned values kept).
    choice = hybrid.Choice(alpha=alpha, shrink=0.0)
    applied = hybrid.apply(algo, ts, content, choice)
    body = payload(algo, ts, None, "prior", applied.extra_ids,
                   hybrid.artifact_part(applied, content, choice))  # fmt: skip
    rec = Recommender(body, {})
    plain = Recommender(payload(plain_algo, ts, None, "prior"), {})
    person_rows = _people(ratings, np.flatnonzero(is_person))
    people_out, boost = _new_people(ratings, person_rows, rec, plain, seed, log)
    onboarding_out = _onboarding(ratings, person_rows, rec, boost, seed)
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


def _new_titles(
    ratings: Ratings,
    algo: Any,
    ts: Any,
    content: ContentFeatures,
    scored: np.ndarray,
    held: set[str],
    rng: np.random.Generator,
) -> tuple[dict[str, Any], float]:
    """New titles: the ridge strength chosen on half the held-out titles, reported on the
    other half. Returns the figures and the strength."""
    held_sorted = sorted(held)
    rng.shuffle(held_sorted)
    half_a = set(held_sorted[: len(held_sorted) // 2])
    user_at = {u: k for k, u in enumerate(ts.user_raw.tolist())}
    sub = ratings.subset(np.flatnonzero(scored))
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
    out: dict[str, Any] = {
        "titles": len(held),
        "ratings_scored": int((~in_a).sum()),
        "alpha": alpha,
        "rmse_hybrid": _rmse(by_alpha[alpha][~in_a], true[~in_a]),
        "rmse_mean_person_bias": _rmse(base[~in_a], true[~in_a]),
    }
    out["improvement"] = 1 - out["rmse_hybrid"] / out["rmse_mean_person_bias"]
    return out, alpha


def _new_people(
    ratings: Ratings,
    person_rows: list[tuple[int, np.ndarray]],
    rec: Recommender,
    plain: Recommender,
    seed: int,
    log: Callable[[str], None],
) -> tuple[dict[str, Any], float]:
    """New people given 1/3/5: the content boost chosen on the even-numbered people (as train
    chooses it), every row reported on the odd-numbered ones. Returns the figures and β."""
    choose_on = [
        ([str(t) for t in ratings.items[p]], ratings.ratings[p].astype(float).tolist())
        for k, (_, p) in enumerate(person_rows)
        if k % 2 == 0
    ]
    table = boost_table(rec, choose_on, seed)
    boost = best_boost(table)
    rec.boost = boost  # what an artifact with this choice serves (top_n_for below)
    log(f"hybrid evaluate: content boost {boost:g} chosen on {len(choose_on)} people")
    variants = {
        "fold-in, plain SVD": (plain, 0.0),
        "fold-in, hybrid": (rec, 0.0),
        f"hybrid + content boost {boost:g}": (rec, boost),
    }
    out: dict[str, Any] = {}
    report = [(u, p) for k, (u, p) in enumerate(person_rows) if k % 2 == 1]
    for k in GIVEN:
        est: dict[str, list[np.ndarray]] = {v: [] for v in variants}
        true_all, who = [], []
        lists: dict[str, set[str]] = {v: set() for v in variants}
        for u, part in report:
            perm = np.random.default_rng(seed + u).permutation(part)
            given = {str(ratings.items[r]): float(ratings.ratings[r]) for r in perm[:k]}
            rest = perm[k:]
            test = [str(ratings.items[r]) for r in rest]
            true_all.append(ratings.ratings[rest].astype(np.float64))
            who.append(np.full(len(rest), u))
            for name, (model, strength) in variants.items():
                est[name].append(_scores(model, given, test, strength))
                if k == max(GIVEN):
                    vector = model.fold_in(given)
                    if strength == 0:  # fold-in alone: no residuals, no neighbourhood
                        vector = type(vector)(vector.bias, vector.factors, vector.used,
                                              vector.ignored, 0, vector.seen)  # fmt: skip
                    lists[name].update(s.title_id for s in model.top_n_for(vector, 10))
        t_all, w_all = np.concatenate(true_all), np.concatenate(who)
        out[f"given {k}"] = {
            name: {
                "rmse": _rmse(np.concatenate(e), t_all),
                "ndcg@10": ndcg_at_k(np.concatenate(e), t_all, w_all, 10),
            }
            for name, e in est.items()
        }
        if k == max(GIVEN):
            for name in variants:
                out[f"given {k}"][name]["coverage"] = len(lists[name]) / len(rec.title_ids)
        log(f"hybrid evaluate: new people given {k}: {out[f'given {k}']}")
    return {**out, "boost": {"value": boost, "people": len(choose_on), "table": table},
            "people": len(report)}, boost  # fmt: skip


def _onboarding(
    ratings: Ratings,
    person_rows: list[tuple[int, np.ndarray]],
    rec: Recommender,
    boost: float,
    seed: int,
) -> dict[str, Any]:
    """The ways of asking compared on the same people and test ratings (module docstring)."""
    counts = rec.title_counts
    pool = np.argsort(-counts, kind="stable")[: onboarding.POOL]
    pool = pool[counts[pool] > 0]
    in_pool = np.zeros(len(rec.title_ids), dtype=bool)
    in_pool[pool] = True
    orders = {
        "/rate's order": [rec._title_index[t] for t in rec.onboarding(len(rec.title_ids))],
        "most popular": [int(j) for j in np.argsort(-counts, kind="stable") if counts[j] > 0],
    }
    rank = {}
    for name, order in orders.items():
        at = np.full(len(rec.title_ids), np.iinfo(np.int64).max, dtype=np.int64)
        at[np.asarray(order, dtype=np.int64)] = np.arange(len(order))
        rank[name] = at
    names = [*orders, "random popular"]
    sse: dict[str, list[float]] = {n: [] for n in names}
    ndcg: dict[str, list[float]] = {n: [] for n in names}
    asks: dict[str, list[float]] = {n: [] for n in names}
    sizes: list[int] = []
    for u, part in person_rows:
        idx = np.fromiter((rec._title_index.get(str(t), -1) for t in ratings.items[part]),
                          dtype=np.int64, count=len(part))  # fmt: skip
        keep = idx >= 0
        idx, stars = idx[keep], ratings.ratings[part][keep].astype(np.float64)
        prng = np.random.default_rng(seed * 100_003 + u)
        for _ in range(SPLITS):
            perm = prng.permutation(len(idx))
            answerable, test = perm[: len(idx) // 2], perm[len(idx) // 2 :]
            if in_pool[idx[answerable]].sum() < ASKED or len(test) < 2:
                continue  # random popular could not collect 5 answers: nobody is scored
            sizes.append(len(test))

            for name in orders:
                where = rank[name][idx[answerable]]
                first = np.argsort(where, kind="stable")[:ASKED]
                err, gain = _score_answers(rec, idx, stars, answerable[first], test, boost)
                sse[name].append(err)
                ndcg[name].append(gain)
                asks[name].append(float(where[first[-1]] + 1))
            draws = []
            for _ in range(DRAWS):
                at = np.full(len(rec.title_ids), np.iinfo(np.int64).max, dtype=np.int64)
                at[prng.permutation(pool)] = np.arange(len(pool))
                where = at[idx[answerable]]
                first = np.argsort(where, kind="stable")[:ASKED]
                got = _score_answers(rec, idx, stars, answerable[first], test, boost)
                draws.append((*got, float(where[first[-1]] + 1)))
            e_r, n_r, a_r = (float(np.mean(x)) for x in zip(*draws, strict=True))
            sse["random popular"].append(e_r)
            ndcg["random popular"].append(n_r)
            asks["random popular"].append(a_r)
    out: dict[str, Any] = {"people": len({u for u, _ in person_rows}), "splits": len(sizes),
                           "boost": boost}  # fmt: skip
    if not sizes:
        return out
    n = np.asarray(sizes, dtype=np.float64)
    boot = np.random.default_rng(seed).integers(0, len(n), size=(BOOTSTRAP, len(n)))
    ref_sse, ref_ndcg = np.asarray(sse["random popular"]), np.asarray(ndcg["random popular"])
    for name in names:
        e, nd = np.asarray(sse[name]), np.asarray(ndcg[name])
        row = {
            "rmse": float(np.sqrt(e.sum() / n.sum())),
            "ndcg@10": float(np.mean(nd)),
            "asks": float(np.mean(asks[name])),
        }
        if name != "random popular":
            d_rmse = np.sqrt(e[boot].sum(1) / n[boot].sum(1)) - np.sqrt(
                ref_sse[boot].sum(1) / n[boot].sum(1)
            )
            d_ndcg = nd[boot].mean(1) - ref_ndcg[boot].mean(1)
            row["rmse_vs_random"] = row["rmse"] - float(np.sqrt(ref_sse.sum() / n.sum()))
            row["rmse_vs_random_se"] = float(d_rmse.std())
            row["ndcg_vs_random"] = row["ndcg@10"] - float(np.mean(ref_ndcg))
            row["ndcg_vs_random_se"] = float(d_ndcg.std())
        out[name] = row
    return out


def _score_answers(
    rec: Recommender,
    idx: np.ndarray,
    stars: np.ndarray,
    picked: np.ndarray,
    test: np.ndarray,
    boost: float,
) -> tuple[float, float]:
    """Squared error sum and NDCG@10 of one person's test ratings (positions `test` of their
    titles `idx` and `stars`) after folding in the answers at positions `picked`."""
    given = {rec.title_ids[idx[a]]: float(stars[a]) for a in picked}
    est = _scores(rec, given, [rec.title_ids[j] for j in idx[test]], boost)
    err = float(np.sum((np.clip(est, 0.5, 5.0) - stars[test]) ** 2))
    return err, ndcg_at_k(est, stars[test], np.zeros(len(test), dtype=np.int64), 10)
