"""The content boost's strength for newcomers' lists, chosen on held-out people (`boost_table`,
`best_boost`), as model/fold_in_choice.py chooses fold-in's regulariser.

A folded-in person's scores get β times the content neighbourhood of what they rated
(model/similarity.py `content_lift`). For every β in BOOSTS, each held-out person's first 1, 3
and 5 ratings (in a seeded random order) are folded in and their ratings from the sixth on are
scored: RMSE and NDCG@10. The boost serves a ranking (/foryou), so the candidate with the highest
NDCG@10 averaged over the three sizes wins; equal figures go to the smaller β. β = 0 (fold-in
alone) is in the table as the reference but is not a candidate: issue 21 asks for fold-in *plus*
a content profile of what a newcomer rated, and with fold-in alone three 5-star horror films
barely move horror in a list (tests/model/test_model_demo.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from model import hybrid
from model.artifact_write import payload
from model.content import ContentFeatures
from model.data import Ratings
from model.fold_in_choice import HeldOut
from model.recommender import Recommender
from model.scoring import ndcg_at_k

BOOSTS = (0.0, 0.25, 0.5, 1.0, 2.0)  # in the table; 0 is the reference, not a candidate
GIVEN = (1, 3, 5)
# what a model without a validated choice serves (`train --no-search`, the tests' demo data):
# the value every measured set chose or came within noise of (docs/model.md)
DEFAULT_BOOST = 0.25

Person = tuple[Sequence[str], Sequence[float]]  # one held-out person's titles and ratings


def _rmse(est: np.ndarray, true: np.ndarray, scale: tuple[float, float]) -> float:
    return float(np.sqrt(np.mean((np.clip(est, *scale) - true) ** 2)))


def boost_table(
    rec: Recommender, people: Iterable[Person], seed: int = 0
) -> dict[str, dict[str, dict[str, float]]]:
    """{"β": {"given g": {"rmse", "ndcg@10"}}} for every β in BOOSTS on these people (those with
    more than 6 ratings of titles the model knows)."""
    est: dict[tuple[float, int], list[np.ndarray]] = {(b, g): [] for b in BOOSTS for g in GIVEN}
    true: list[np.ndarray] = []
    who: list[np.ndarray] = []
    for n, (titles, stars) in enumerate(people):
        idx = np.fromiter((rec._title_index.get(t, -1) for t in titles), dtype=np.int64)
        keep = np.flatnonzero(idx >= 0)
        if len(keep) <= max(GIVEN) + 1:
            continue
        order = keep[np.random.default_rng(seed + n).permutation(len(keep))]
        vals = np.asarray(stars, dtype=np.float64)[order]
        test = idx[order[max(GIVEN) :]]
        true.append(vals[max(GIVEN) :])
        who.append(np.full(len(test), n))
        for g in GIVEN:
            vector = rec.fold_in(
                {titles[j]: float(v) for j, v in zip(order[:g], vals[:g], strict=True)}
            )
            base = rec.global_mean + vector.bias + rec.bi[test] + rec.qi[test] @ vector.factors
            lift = rec._lift(vector, boost=1.0, rows=test)
            part = lift if lift is not None else np.zeros(len(test))
            for b in BOOSTS:
                est[(b, g)].append(base + b * part)
    if not true:
        return {}
    t_all, w_all = np.concatenate(true), np.concatenate(who)
    return {
        f"{b:g}": {
            f"given {g}": {
                "rmse": _rmse(np.concatenate(est[(b, g)]), t_all, rec.rating_scale),
                "ndcg@10": ndcg_at_k(np.concatenate(est[(b, g)]), t_all, w_all, 10),
            }
            for g in GIVEN
        }
        for b in BOOSTS
    }


def best_boost(table: dict[str, dict[str, dict[str, float]]]) -> float:
    """The candidate (β > 0) with the highest NDCG@10 averaged over the sizes; the smaller β on
    equal figures."""
    ndcg = {
        b: float(np.mean([m["ndcg@10"] for m in by_size.values()]))
        for b, by_size in table.items()
        if float(b) > 0
    }
    if not ndcg:
        return DEFAULT_BOOST
    best = max(ndcg.values())
    return min(float(b) for b, v in ndcg.items() if v == best)


def choose_boost(rec: Recommender, people: Iterable[Person], seed: int = 0) -> dict[str, Any]:
    """svd.json's `boost`: the value, how it was chosen and the table it was chosen on."""
    rows = list(people)
    table = boost_table(rec, rows, seed)
    if not table:
        return {"value": DEFAULT_BOOST, "chosen_by": "default: too few held-out people"}
    return {
        "value": best_boost(table),
        "chosen_by": "held-out people, NDCG@10 averaged over given 1/3/5 (0 is the reference)",
        "people": len(rows),
        "table": table,
    }


def people_of(ratings: Ratings) -> list[Person]:
    """Each person's (titles, ratings), people in id order, ratings in file order."""
    order = np.argsort(ratings.users, kind="stable")
    bounds = np.flatnonzero(np.diff(ratings.users[order])) + 1
    return [
        ([str(t) for t in ratings.items[part]], ratings.ratings[part].astype(float).tolist())
        for part in np.split(order, bounds)
        if len(part)
    ]


def choose_on_held_out(
    held: HeldOut,
    content: ContentFeatures,
    choice: hybrid.Choice,
    fold_in: dict[str, Any],
    seed: int = 0,
    log: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """train's choice: the model fitted without the held-out people (the fold-in choice's, so
    no extra SVD fit; the ridge map is fitted once more) made the hybrid `choice` describes,
    with the chosen fold-in, then `choose_boost` on those people. Changes `held.algo` (the
    hybrid's values written in)."""
    started = time.perf_counter()
    applied = hybrid.apply(held.algo, held.trainset, content, choice)
    part = hybrid.artifact_part(applied, content, choice)
    body = payload(held.algo, held.trainset, fold_in.get("reg"), fold_in.get("method", "prior"),
                   applied.extra_ids, part)  # fmt: skip
    out = choose_boost(Recommender(body, {}), people_of(held.test), seed)
    out["seconds"] = round(time.perf_counter() - started, 2)
    log(f"content boost: {out['value']:g} chosen on {held.people} held-out people"
        f" ({out['chosen_by']}) in {out['seconds']:.0f} s")  # fmt: skip
    return out
