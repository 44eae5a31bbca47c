"""`python -m bench.onboarding DATA_DIR [DATA_DIR ...]`: which way of choosing /rate's first
titles teaches fold-in most, measured on held-out people (the study behind model/onboarding.py;
docs/model.md "Onboarding" has its tables).

Each data dir holds an ETL output (`processed/ratings.parquet` and `content.npz`). The people
with more than 25 ratings are split into `--folds` groups; for each group the SVD (50 factors,
40 epochs, lr 0.01, reg 0.1) and the hybrid (ridge 10, learned values kept) are fitted without
it, and each of its people is scored twice: their ratings split at random into the titles they
could answer for and the test ratings (Elahi et al.'s protocol for active learning in
collaborative filtering); every rule walks down its order until 5 titles are answered, those 5
are folded in (no content boost: the question is what the answers teach fold-in), and the
test ratings are scored. The same people and test ratings for every rule; random popular is
the mean of 3 random orders of the 400 most rated. Printed: RMSE and NDCG@10, their difference
from random popular with a bootstrap standard error over the person-splits, and how many
titles were shown on average for 5 answers.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from model import hybrid, onboarding
from model.artifact_write import payload
from model.content import read_content
from model.data import read_ratings
from model.recommender import Recommender
from model.scoring import ndcg_at_k
from model.svd import SVDParams, fit

ASKED, SPLITS, DRAWS, BOOT = 5, 2, 3, 1000
Score = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (z of the pool, A⁻¹) -> value


def _greedy(pool: np.ndarray, z: np.ndarray, prior: np.ndarray, value: Score) -> list[int]:
    """Greedy over the pool: the best value, then A += z zᵀ as if it were answered."""
    a_inv = np.linalg.inv(prior)
    zp, taken, chosen = z[pool], np.zeros(len(pool), dtype=bool), []
    for _ in range(min(onboarding.ORDER_LENGTH, len(pool))):
        best = int(np.argmax(np.where(taken, -np.inf, value(zp, a_inv))))
        chosen.append(int(pool[best]))
        taken[best] = True
        v = a_inv @ zp[best]
        a_inv = a_inv - np.outer(v, v) / (1.0 + zp[best] @ v)
    return chosen


def _rules(rec: Recommender, stars: np.ndarray, titles: np.ndarray) -> dict[str, list[int]]:
    """Every candidate order (title indices, best first; after the first 100 the most rated)."""
    counts = rec.title_counts.astype(np.float64)
    n = len(counts)
    pool = np.argsort(-counts, kind="stable")[: onboarding.POOL]
    pool = pool[counts[pool] > 0]
    z = np.hstack([np.ones((n, 1)), rec.qi])
    prior = rec.fold_in_reg * rec.prior_precision
    share, logpop = counts / counts.max(), np.log1p(counts)
    # the training ratings' spread per title, for the entropy and variance rules
    c = np.bincount(titles, minlength=n).astype(np.float64)
    mean = np.bincount(titles, stars, n) / np.maximum(c, 1)
    var = np.bincount(titles, stars**2, n) / np.maximum(c, 1) - mean**2
    hist = np.zeros((n, 5))
    np.add.at(hist, (titles, np.clip(np.ceil(stars), 1, 5).astype(int) - 1), 1)
    p = hist / np.maximum(hist.sum(1, keepdims=True), 1)
    entropy = -np.sum(np.where(p > 0, p * np.log2(np.where(p > 0, p, 1)), 0.0), axis=1)
    moment = (z * (counts / counts.sum())[:, None]).T @ z  # what lists are scored on

    def d_opt(w: np.ndarray) -> Score:
        return lambda zp, a: w[pool] * np.log1p(np.einsum("ij,jk,ik->i", zp, a, zp))

    def v_opt(w: np.ndarray) -> Score:
        def value(zp: np.ndarray, a: np.ndarray) -> np.ndarray:
            num = np.einsum("ij,jk,ik->i", zp, a @ moment @ a, zp)
            out: np.ndarray = w[pool] * num / (1 + np.einsum("ij,jk,ik->i", zp, a, zp))
            return out

        return value

    norms = np.linalg.norm(rec.qi[pool], axis=1)
    unit = rec.qi[pool] / np.where(norms > 0, norms, 1.0)[:, None]

    def previous() -> list[int]:  # log(1 + n) · |q| / max|q| · (1 − max cosine)⁺
        value = logpop[pool] * np.maximum(norms / norms.max(), 1e-3)
        closest, taken, chosen = np.zeros(len(pool)), np.zeros(len(pool), dtype=bool), []
        for _ in range(min(onboarding.ORDER_LENGTH, len(pool))):
            s = np.where(taken, -np.inf, value * np.clip(1 - closest, 0, None))
            best = int(np.argmax(s))
            chosen.append(int(pool[best]))
            taken[best] = True
            closest = np.maximum(closest, unit @ unit[best])
        return chosen

    def by(value: np.ndarray) -> list[int]:
        return [int(j) for j in pool[np.argsort(-value[pool], kind="stable")]]

    return {
        "most popular": [],
        "previous rule (log pop · ‖q‖ · spread)": previous(),
        "log(pop) · entropy (Rashid et al.)": by(logpop * entropy),
        "log(pop) · variance": by(logpop * var),
        "D-optimal, pool only": _greedy(pool, z, prior, d_opt(np.ones(n))),
        "D-optimal · log(pop)": _greedy(pool, z, prior, d_opt(logpop)),
        "D-optimal · seen share (shipped)": _greedy(pool, z, prior, d_opt(share)),
        "V-optimal, pool only": _greedy(pool, z, prior, v_opt(np.ones(n))),
        "V-optimal · log(pop)": _greedy(pool, z, prior, v_opt(logpop)),
        "V-optimal · seen share": _greedy(pool, z, prior, v_opt(share)),
    }


def _score(
    rec: Recommender, idx: np.ndarray, stars: np.ndarray, picked: np.ndarray, test: np.ndarray
) -> tuple[float, float]:
    """Squared error sum and NDCG@10 of a person's test ratings after folding in `picked`."""
    v = rec.fold_in({rec.title_ids[idx[a]]: float(stars[a]) for a in picked})
    t_idx, t_true = idx[test], stars[test]
    est = rec.global_mean + v.bias + rec.bi[t_idx] + rec.qi[t_idx] @ v.factors
    err = float(np.sum((np.clip(est, 0.5, 5.0) - t_true) ** 2))
    return err, ndcg_at_k(est, t_true, np.zeros(len(t_idx), dtype=np.int64), 10)


def study(
    data: Path, folds: int, seed: int, log: Callable[[str], None]
) -> dict[str, dict[str, float]]:
    ratings = read_ratings(data / "processed" / "ratings.parquet")
    content = read_content(data / "processed" / "content.npz")
    users, counts = np.unique(ratings.users, return_counts=True)
    groups = np.random.default_rng(seed).permutation(users[counts > 25])
    params = SVDParams(n_factors=50, n_epochs=40, lr_all=0.01, reg_all=0.1)
    sse: dict[str, list[float]] = {}
    ndcg: dict[str, list[float]] = {}
    asks: dict[str, list[float]] = {}
    sizes: list[int] = []
    for fold in range(folds):
        started = time.perf_counter()
        people = groups[fold::folds]
        is_person = np.isin(ratings.users, people)
        train = ratings.subset(np.flatnonzero(~is_person))
        algo, ts = fit(train, params, progress=False)
        choice = hybrid.Choice(alpha=10.0, shrink=0.0)
        applied = hybrid.apply(algo, ts, content, choice)
        body = payload(algo, ts, None, "prior", applied.extra_ids,
                       hybrid.artifact_part(applied, content, choice))  # fmt: skip
        rec = Recommender(body, {})
        at = rec._title_index
        titles = np.fromiter((at.get(str(t), -1) for t in train.items), dtype=np.int64)
        ok = titles >= 0
        orders = _rules(rec, train.ratings[ok].astype(np.float64), titles[ok])
        most = [int(j) for j in np.argsort(-rec.title_counts, kind="stable")
                if rec.title_counts[j] > 0]  # fmt: skip
        rank = {}
        for name, head in orders.items():
            order = list(dict.fromkeys([*head, *most]))
            r = np.full(len(rec.title_ids), np.iinfo(np.int64).max, dtype=np.int64)
            r[np.asarray(order, dtype=np.int64)] = np.arange(len(order))
            rank[name] = r
        pool = np.asarray(most[: onboarding.POOL], dtype=np.int64)
        in_pool = np.zeros(len(rec.title_ids), dtype=bool)
        in_pool[pool] = True
        rows = np.flatnonzero(is_person)
        rows = rows[np.argsort(ratings.users[rows], kind="stable")]
        for part in np.split(rows, np.flatnonzero(np.diff(ratings.users[rows])) + 1):
            u = int(ratings.users[part[0]])
            idx = np.fromiter((at.get(str(t), -1) for t in ratings.items[part]), dtype=np.int64)
            keep = idx >= 0
            idx, stars = idx[keep], ratings.ratings[part][keep].astype(np.float64)
            prng = np.random.default_rng(seed * 100_003 + u)
            for _ in range(SPLITS):
                perm = prng.permutation(len(idx))
                answerable, test = perm[: len(idx) // 2], perm[len(idx) // 2 :]
                if in_pool[idx[answerable]].sum() < ASKED:
                    continue
                sizes.append(len(test))

                walks = [(name, rank[name]) for name in orders]
                for _ in range(DRAWS):
                    drawn = np.full(len(rec.title_ids), np.iinfo(np.int64).max, dtype=np.int64)
                    drawn[prng.permutation(pool)] = np.arange(len(pool))
                    walks.append(("random popular", drawn))
                got: dict[str, list[tuple[float, float, float]]] = {}
                for name, order_at in walks:
                    where = order_at[idx[answerable]]
                    first = np.argsort(where, kind="stable")[:ASKED]
                    got.setdefault(name, []).append(
                        (
                            *_score(rec, idx, stars, answerable[first], test),
                            float(where[first[-1]] + 1),
                        )
                    )
                for name, vals in got.items():
                    means = np.mean(np.asarray(vals), axis=0)
                    sse.setdefault(name, []).append(float(means[0]))
                    ndcg.setdefault(name, []).append(float(means[1]))
                    asks.setdefault(name, []).append(float(means[2]))
        log(f"{data.name}: fold {fold + 1}/{folds}, {time.perf_counter() - started:.0f} s")
    n = np.asarray(sizes, dtype=np.float64)
    boot = np.random.default_rng(seed).integers(0, len(n), size=(BOOT, len(n)))
    ref_e, ref_g = np.asarray(sse["random popular"]), np.asarray(ndcg["random popular"])
    out: dict[str, dict[str, float]] = {"_": {"splits": len(n), "test ratings": float(n.sum())}}
    for name in sse:
        e, g = np.asarray(sse[name]), np.asarray(ndcg[name])
        d_e = np.sqrt(e[boot].sum(1) / n[boot].sum(1)) - np.sqrt(
            ref_e[boot].sum(1) / n[boot].sum(1)
        )
        out[name] = {
            "rmse": float(np.sqrt(e.sum() / n.sum())),
            "d_rmse": float(np.sqrt(e.sum() / n.sum()) - np.sqrt(ref_e.sum() / n.sum())),
            "d_rmse_se": float(d_e.std()),
            "ndcg": float(g.mean()),
            "d_ndcg": float(g.mean() - ref_g.mean()),
            "d_ndcg_se": float((g[boot].mean(1) - ref_g[boot].mean(1)).std()),
            "asks": float(np.mean(asks[name])),
        }
    return out


def render(name: str, res: dict[str, dict[str, float]]) -> str:
    splits, ratings = int(res["_"]["splits"]), int(res["_"]["test ratings"])
    lines = [
        f"{name}: {splits:,} person-splits, {ratings:,} test ratings",
        "",
        "| rule | RMSE | vs random popular | NDCG@10 | vs random popular | shown for 5 |",
        "|---|---|---|---|---|---|",
    ]
    for rule, m in res.items():
        if rule != "_":
            lines.append(
                f"| {rule} | {m['rmse']:.4f} | {m['d_rmse']:+.4f} ± {m['d_rmse_se']:.4f} |"
                f" {m['ndcg']:.4f} | {m['d_ndcg']:+.4f} ± {m['d_ndcg_se']:.4f} | {m['asks']:.0f} |"
            )
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.onboarding")
    ap.add_argument("data", type=Path, nargs="+", help="data dirs with processed/")
    ap.add_argument("--folds", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    for d in args.data:
        res = study(d, args.folds, args.seed, lambda m: print(m, file=sys.stderr, flush=True))
        print(render(d.name, res) + "\n", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
