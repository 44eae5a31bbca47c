"""`python -m model train|evaluate`: see docs/model.md."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import numpy as np

from model.data import Ratings, RatingsError, read_ratings
from model.evaluate import (
    ALGORITHMS,
    cross_validate,
    fold_in_accuracy,
    grid_search,
    log_stderr,
)
from model.recommender import META_FILE
from model.train import SVDParams, train

GRID_FILE = "model_grid.json"
# Surprise's defaults (100 factors, 20 epochs, lr 0.005, reg 0.02) are one corner of this grid
# and ours (20, 40, 0.02, 0.05) another; 24 fits per fold, about 10 minutes per fold at 1M
# ratings on 2 cores. --grid-spec replaces it.
DEFAULT_GRID = {
    "n_factors": [10, 20, 100],
    "n_epochs": [20, 40],
    "lr_all": [0.005, 0.02],
    "reg_all": [0.02, 0.05],
}


def _add_svd_options(p: argparse.ArgumentParser) -> None:
    d = SVDParams()
    p.add_argument("--data-dir", type=Path, default=Path("data"), help="holds processed/ models/")
    p.add_argument("--factors", type=int, default=d.n_factors, dest="n_factors")
    p.add_argument("--epochs", type=int, default=d.n_epochs, dest="n_epochs")
    p.add_argument("--lr", type=float, default=d.lr_all, dest="lr_all")
    p.add_argument("--reg", type=float, default=d.reg_all, dest="reg_all")
    p.add_argument("--seed", type=int, default=d.random_state, dest="random_state")


def _params(args: argparse.Namespace) -> SVDParams:
    return SVDParams(**{f.name: getattr(args, f.name) for f in fields(SVDParams)})


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m model", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="train SVD on processed/ratings.parquet")
    _add_svd_options(t)
    t.add_argument("--ratings", type=Path, help="train on this file instead (parquet or csv)")
    t.add_argument(
        "--fold-in-reg", type=float, help="noise variance of fold-in (default: the training MSE)"
    )
    t.add_argument(
        "--from-grid", action="store_true", help=f"use the best parameters in reports/{GRID_FILE}"
    )
    t.add_argument("--quiet", action="store_true", help="no per-epoch progress")

    e = sub.add_parser("evaluate", help="cross-validate SVD vs BaselineOnly vs NormalPredictor")
    _add_svd_options(e)
    e.add_argument("--ratings", type=Path, help="a ratings CSV (userId,rating,timestamp,movieId)")
    e.add_argument("--folds", type=int, default=5)
    e.add_argument("--cv-seed", type=int, default=0, help="seed of the fold split (Surprise KFold)")
    e.add_argument("--threshold", type=float, default=3.5)
    e.add_argument("--max-ratings", type=int, help="evaluate on a seeded sample of this many")
    e.add_argument("--grid", action="store_true", help="also search hyper-parameters")
    e.add_argument("--grid-folds", type=int, default=3)
    e.add_argument(
        "--grid-spec", type=json.loads, help="JSON grid, e.g. '{\"n_factors\": [10, 20]}'"
    )
    e.add_argument("--no-fold-in", action="store_true", help="skip the fold-in accuracy part")
    e.add_argument("--fold-in-users", type=int, default=500)
    e.add_argument(
        "--fold-in-regs",
        default="auto,0.1,1",
        help="comma list of fold-in noise variances to compare; auto = the training MSE",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "train":
            return _train(args)
        return _evaluate(args)
    except RatingsError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


def _train(args: argparse.Namespace) -> int:
    params = _params(args)
    if args.from_grid:
        path = args.data_dir / "reports" / GRID_FILE
        try:
            params = SVDParams(**json.loads(path.read_text())["best"]["params"])
        except (OSError, KeyError, TypeError, json.JSONDecodeError) as e:
            print(f"error: no usable grid result in {path} ({e}); run evaluate --grid first")
            return 2
    train(
        args.data_dir,
        params,
        fold_in_reg=args.fold_in_reg,
        ratings_path=args.ratings,
        progress=not args.quiet,
    )
    return 0


def _sample(ratings: Ratings, n: int | None, seed: int) -> Ratings:
    if n is None or n >= len(ratings):
        return ratings
    # Sorted so the sample keeps the file's order, which decides Surprise's inner ids.
    keep = np.sort(np.random.default_rng(seed).choice(len(ratings), size=n, replace=False))
    sub = ratings.subset(keep)
    sub.fingerprint = f"{ratings.fingerprint}#sample{n}@{seed}"
    return sub


def _evaluate(args: argparse.Namespace) -> int:
    params = _params(args)
    allowed = {f.name for f in fields(SVDParams)}
    spec = args.grid_spec
    if spec is not None and (
        not isinstance(spec, dict)
        or set(spec) - allowed
        or not all(isinstance(v, list) and v for v in spec.values())
    ):
        print(f"error: --grid-spec maps some of {', '.join(sorted(allowed))} to lists of values")
        return 2
    path = args.ratings or args.data_dir / "processed" / "ratings.parquet"
    full = read_ratings(path)
    ratings = _sample(full, args.max_ratings, args.cv_seed)
    reports = args.data_dir / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    log_stderr(f"evaluating on {len(ratings):,} ratings from {path}")
    cv = cross_validate(
        ratings, params, ALGORITHMS, args.folds, args.cv_seed, args.threshold, log=log_stderr
    )
    report: dict[str, Any] = {
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "data": {"path": str(path), "fingerprint": ratings.fingerprint, "ratings": len(ratings)},
        "folds": args.folds,
        "cv_seed": args.cv_seed,
        "threshold": args.threshold,
        "algorithms": cv,
    }
    if args.grid:
        grid = args.grid_spec or DEFAULT_GRID
        rows = grid_search(ratings, grid, params, args.grid_folds, args.cv_seed, log_stderr)
        report["grid"] = {"grid": grid, "folds": args.grid_folds, "results": rows}
        best = {"data": report["data"], "best": rows[0], "created": report["created"]}
        (reports / GRID_FILE).write_text(json.dumps(best, indent=2) + "\n")
    if not args.no_fold_in:
        regs = [
            None if x.strip() == "auto" else float(x)
            for x in args.fold_in_regs.split(",")
            if x.strip()
        ]
        report["fold_in"] = fold_in_accuracy(
            ratings,
            params,
            n_users=args.fold_in_users,
            regs=regs,
            seed=args.cv_seed,
            log=log_stderr,
        )
    (reports / "model.json").write_text(json.dumps(report, indent=2) + "\n")
    md = render_report(report)
    (reports / "model.md").write_text(md)
    _attach_to_model(args.data_dir / "models" / META_FILE, report, params)
    print(md)
    return 0


def _attach_to_model(meta_path: Path, report: dict[str, Any], params: SVDParams) -> None:
    """Copy SVD's CV metrics into svd.json when they are for the model's data and params."""
    try:
        meta = json.loads(meta_path.read_text())
    except (OSError, json.JSONDecodeError):
        return
    if meta.get("data", {}).get("fingerprint") != report["data"]["fingerprint"]:
        return
    if meta.get("params") != asdict(params):
        return
    svd = report["algorithms"]["SVD"]
    meta.setdefault("metrics", {})["cv"] = {"folds": report["folds"], **svd["metrics"]}
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")


def render_report(report: dict[str, Any]) -> str:
    algos = report["algorithms"]
    keys = ["rmse", "mae", "precision", "recall", "precision@10", "recall@10", "fit_seconds"]
    lines = [
        "# Recommender evaluation",
        "",
        f"{report['folds']}-fold cross-validation (Surprise KFold, shuffle, random_state="
        f"{report['cv_seed']}) on {report['data']['ratings']:,} ratings from"
        f" `{report['data']['path']}`; recommend when the estimate is >= {report['threshold']}."
        f" Mean over folds (± std). Created {report['created']}.",
        "",
        "| algorithm | " + " | ".join(keys) + " |",
        "|---" * (len(keys) + 1) + "|",
    ]
    for name, res in algos.items():
        cells = [f"{res['metrics'][k]:.4f} ± {res['std'][k]:.4f}" for k in keys[:-1]]
        cells.append(f"{res['metrics']['fit_seconds']:.1f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    p = algos["SVD"]["params"]
    lines += ["", "SVD parameters: " + ", ".join(f"{k}={v}" for k, v in p.items()), ""]
    if "grid" in report:
        g = report["grid"]
        lines += [
            f"## Grid search ({g['folds']} folds, best first)",
            "",
            "| n_factors | n_epochs | lr_all | reg_all | RMSE | MAE |",
            "|---|---|---|---|---|---|",
        ]
        for r in g["results"]:
            q = r["params"]
            lines.append(
                f"| {q['n_factors']} | {q['n_epochs']} | {q['lr_all']} | {q['reg_all']} |"
                f" {r['rmse']:.4f} | {r['mae']:.4f} |"
            )
        lines.append("")
    if "fold_in" in report:
        f = report["fold_in"]
        given = f["given"]
        lines += [
            f"## Fold-in for new users ({f['users']} held-out users, RMSE on their other ratings)",
            "",
            "| method | " + " | ".join(f"given {g}" for g in given) + " |",
            "|---" * (len(given) + 1) + "|",
        ]
        for name, by_g in f["rmse"].items():
            label = {
                "baseline": "unknown user: mean + title bias (Surprise)",
                "fold-in": f"fold-in, default reg = training MSE ({f['default_reg']:.3f})",
            }.get(name, f"fold-in {name}")
            cells = [
                f"{by_g.get(g, by_g.get(str(g))):.4f}" if by_g.get(g, by_g.get(str(g))) else "-"
                for g in given
            ]
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
