"""The quality half of `python -m bench model`: the nested cross-validation table (the same
protocol as `python -m model evaluate`) and fold-in accuracy, on the smallest size's ratings.
Split from bench/model.py (issue 13), which re-exports quality."""

from __future__ import annotations

import time
from pathlib import Path

from bench.report import ROOT, Row


def quality(d: Path, rows: list[Row], seed: int) -> list[str]:
    """The nested evaluate table (3 outer folds, 60 s of search in each) and fold-in accuracy
    (regulariser chosen on half of the held-out people, RMSE on the other half), smallest size."""
    from model.__main__ import render_fold_in, render_report
    from model.data import read_ratings
    from model.evaluate import log_stderr, nested_cross_validate
    from model.fold_in_choice import choose_fold_in
    from model.svd import SVDParams

    ratings = read_ratings(d / "processed" / "ratings.parquet")
    n = f"{len(ratings) / 1e6:g}M"
    t0 = time.perf_counter()
    nested = nested_cross_validate(ratings, SVDParams(), folds=3, seed=0, budget=60, log=log_stderr)
    wall = time.perf_counter() - t0
    algos = nested["algorithms"]
    ours = algos["train (nested selection)"]["metrics"]
    bl = algos["BaselineOnly"]["metrics"]
    normal = algos["NormalPredictor"]["metrics"]["rmse"]
    rows += [
        Row(f"shipped model, nested 3-fold CV RMSE vs BaselineOnly ({n})", "a few % below",
            f"{ours['rmse']:.4f} vs {bl['rmse']:.4f} ({(ours['rmse'] / bl['rmse'] - 1):+.1%});"
            f" NDCG@10 {ours['ndcg@10']:.4f} vs {bl['ndcg@10']:.4f}",
            ours["rmse"] < bl["rmse"]),
        Row(f"NormalPredictor / BaselineOnly RMSE ({n})", "about 1.5 (MovieLens 1.60)",
            f"{normal / bl['rmse']:.2f}"),
        Row(f"top-10 lists: catalogue coverage, popularity x mean title ({n})", "",
            f"ours {ours['coverage@10']:.1%}, {ours['popularity@10_x_mean']:.1f}x; BaselineOnly"
            f" {bl['coverage@10']:.1%}, {bl['popularity@10_x_mean']:.1f}x"),
        Row(f"nested evaluate wall time ({n}, 3 outer folds, 60 s search each)", "",
            f"{wall:.0f} s"),
    ]  # fmt: skip
    first = nested["selections"][0]
    fold = choose_fold_in(
        ratings,
        SVDParams(**first["params"]),
        baseline=first["chosen"] != "SVD",
        n_users=1000,
        seed=seed,
        log=log_stderr,
        nested=True,
    )
    base, best = fold["rmse"]["baseline"], fold["rmse"][fold["label"]]
    for g in fold["given"]:
        rows.append(
            Row(
                f"fold-in RMSE given {g} ratings ({fold['label']}, {fold['users']} held-out"
                f" people, {n})",
                "below mean + title bias",
                f"{best[g]:.4f} vs {base[g]:.4f}",
                best[g] < base[g],
            )
        )
    report = {
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "data": {"path": str(d.relative_to(ROOT) / "processed" / "ratings.parquet"),
                 "ratings": len(ratings)},
        "folds": 3, "cv_seed": 0, "threshold": 3.5, "nested": True, "budget_per_fold": 60,
        **nested,
    }  # fmt: skip
    table = render_report(report).split("\n", 2)[2]  # drop the report's own title
    return [
        "### Evaluate table (`python -m model evaluate --folds 3 --budget 60`, same protocol)\n\n"
        + table,
        "\n".join(render_fold_in({**fold, "nested": True})),
    ]
