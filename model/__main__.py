"""`python -m model train|evaluate`: see docs/model.md."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import sys
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import numpy as np

from config import resolve_data_dir
from model import tune
from model.data import Ratings, RatingsError, read_ratings
from model.evaluate import (
    ALGORITHMS,
    cross_validate,
    grid_search,
    log_stderr,
    nested_cross_validate,
)
from model.recommender import META_FILE
from model.spark_als import (
    DEFAULT_DRIVER_MEMORY,
    DEFAULT_MASTER,
    ALSParams,
    SparkUnavailable,
    check_java,
    under_spark_submit,
)
from model.train import SVDParams, train

GRID_FILE = "model_grid.json"
ENGINES = ("surprise", "spark")
# A fixed grid for `evaluate --grid` (train searches by itself, model/tune.py): Surprise's
# defaults (100 factors, 20 epochs, lr 0.005, reg 0.02) and ours (100, 40, 0.01, 0.1) sit on it.
# --grid-spec replaces it.
DEFAULT_GRID = {
    "n_factors": [20, 100],
    "n_epochs": [20, 40],
    "lr_all": [0.005, 0.01],
    "reg_all": [0.02, 0.1],
}


def _add_svd_options(p: argparse.ArgumentParser) -> None:
    d = SVDParams()
    p.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="holds processed/ models/ reports/ (default: DATA_DIR from the environment or "
        ".env, else data)",
    )
    p.add_argument("--factors", type=int, default=d.n_factors, dest="n_factors")
    p.add_argument("--epochs", type=int, default=d.n_epochs, dest="n_epochs")
    p.add_argument("--lr", type=float, default=d.lr_all, dest="lr_all")
    p.add_argument("--reg", type=float, default=d.reg_all, dest="reg_all")
    p.add_argument("--seed", type=int, default=d.random_state, dest="random_state")


def _add_engine_options(p: argparse.ArgumentParser) -> None:
    """--engine spark trains Spark's ALS into the same artifact (model/spark_als.py)."""
    d = ALSParams()
    p.add_argument("--engine", choices=ENGINES, default="surprise", help="(default %(default)s)")
    g = p.add_argument_group("Spark engine (--engine spark)")
    g.add_argument(
        "--spark-master",
        help=f"a master URL (default {DEFAULT_MASTER}; under spark-submit, spark-submit's)",
    )
    g.add_argument("--spark-driver-memory", default=DEFAULT_DRIVER_MEMORY)
    g.add_argument("--rank", type=int, default=d.rank, help="ALS factors (default %(default)s)")
    g.add_argument("--max-iter", type=int, default=d.max_iter, help="(default %(default)s)")
    g.add_argument("--reg-param", type=float, default=d.reg_param, help="(default %(default)s)")


def _als_params(args: argparse.Namespace) -> ALSParams:
    p = ALSParams(
        rank=args.rank, max_iter=args.max_iter, reg_param=args.reg_param, seed=args.random_state
    )
    if p.rank < 1 or p.max_iter < 1 or p.reg_param < 0:
        raise ValueError("--rank and --max-iter must be at least 1 and --reg-param not negative")
    return p


def _params(args: argparse.Namespace) -> SVDParams:
    return SVDParams(**{f.name: getattr(args, f.name) for f in fields(SVDParams)})


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m model", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="train SVD on processed/ratings.parquet")
    _add_svd_options(t)
    _add_engine_options(t)
    t.add_argument("--ratings", type=Path, help="train on this file instead (parquet or csv)")
    t.add_argument(
        "--fold-in-reg", type=float, help="noise variance of fold-in (default: the training MSE)"
    )
    t.add_argument(
        "--from-grid", action="store_true", help=f"use the best parameters in reports/{GRID_FILE}"
    )
    t.add_argument("--quiet", action="store_true", help="no per-epoch progress")
    t.add_argument(
        "--budget",
        type=float,
        default=tune.DEFAULT_BUDGET,
        help="seconds for the hyper-parameter search (default %(default)g)",
    )
    t.add_argument(
        "--no-search",
        action="store_true",
        help="train the given parameters (default: the real-data evidence) without searching",
    )
    t.add_argument("--folds", type=int, default=3, help="folds of the search (default 3)")
    t.add_argument(
        "--search-ratings",
        type=int,
        default=tune.SEARCH_MAX_RATINGS,
        help="above this many ratings search on a sample of people (default %(default)d)",
    )

    e = sub.add_parser("evaluate", help="cross-validate SVD vs BaselineOnly vs NormalPredictor")
    _add_svd_options(e)
    _add_engine_options(e)
    e.add_argument("--spark-only", action="store_true", help="--engine spark without Surprise")
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
        "--no-search",
        action="store_true",
        help="plain CV of the given parameters instead of the nested selection",
    )
    e.add_argument(
        "--budget",
        type=float,
        default=60.0,
        help="seconds of search inside each outer fold (default %(default)g)",
    )
    e.add_argument("--search-folds", type=int, default=3)
    e.add_argument("--search-ratings", type=int, default=tune.SEARCH_MAX_RATINGS)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    args.data_dir = resolve_data_dir(args.data_dir)
    try:
        if args.engine == "spark":
            return _spark(args)
        if args.command == "train":
            return _train(args)
        return _evaluate(args)
    except SparkUnavailable as e:
        print(f"error: the Spark engine cannot run here: {e}", file=sys.stderr)
        return 2
    except RatingsError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except ValueError as e:  # e.g. more folds than ratings: a message, not a traceback
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
    if args.budget <= 0 or args.folds < 2:
        print("error: --budget must be positive and --folds at least 2", file=sys.stderr)
        return 2
    train(
        args.data_dir,
        params,
        fold_in_reg=args.fold_in_reg,
        ratings_path=args.ratings,
        progress=not args.quiet,
        search=not (args.no_search or args.from_grid),
        budget=args.budget,
        folds=args.folds,
        max_search_ratings=args.search_ratings,
    )
    return 0


def _spark(args: argparse.Namespace) -> int:
    from model.spark_train import evaluate_spark, render, train_spark

    params = _als_params(args)
    if not under_spark_submit():
        check_java()  # before reading millions of ratings
    opts = {"master": args.spark_master, "driver_memory": args.spark_driver_memory}
    if args.command == "train":
        train_spark(args.data_dir, params, ratings_path=args.ratings,
                    fold_in_reg=args.fold_in_reg, **opts)  # fmt: skip
        return 0
    path = args.ratings or args.data_dir / "processed" / "ratings.parquet"
    ratings = _sample(read_ratings(path), args.max_ratings, args.cv_seed)
    report = evaluate_spark(args.data_dir, ratings, params, _params(args), args.folds,
                            args.cv_seed, args.threshold, surprise=not args.spark_only,
                            **opts)  # fmt: skip
    print(render(report))
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
    tune.check_learnable(ratings)
    log_stderr(f"evaluating on {len(ratings):,} ratings from {path}")
    report: dict[str, Any] = {
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "data": {"path": str(path), "fingerprint": ratings.fingerprint, "ratings": len(ratings)},
        "folds": args.folds,
        "cv_seed": args.cv_seed,
        "threshold": args.threshold,
        "nested": not args.no_search,
    }
    fold_params = params
    if args.no_search:
        report["algorithms"] = cross_validate(
            ratings, params, ALGORITHMS, args.folds, args.cv_seed, args.threshold, log=log_stderr
        )
    else:
        report["budget_per_fold"] = args.budget
        nested = nested_cross_validate(
            ratings,
            params,
            args.folds,
            args.cv_seed,
            args.threshold,
            budget=args.budget,
            search_folds=args.search_folds,
            max_search_ratings=args.search_ratings,
            log=log_stderr,
        )
        report.update(nested)
        first = nested["selections"][0]
        fold_params = SVDParams(**first["params"])
        baseline_chosen = first["chosen"] != "SVD"
    if args.grid:
        grid = args.grid_spec or DEFAULT_GRID
        rows = grid_search(ratings, grid, params, args.grid_folds, args.cv_seed, log_stderr)
        report["grid"] = {"grid": grid, "folds": args.grid_folds, "results": rows}
        best = {"data": report["data"], "best": rows[0], "created": report["created"]}
        (reports / GRID_FILE).write_text(json.dumps(best, indent=2) + "\n")
    if not args.no_fold_in:
        report["fold_in"] = tune.choose_fold_in(
            ratings,
            fold_params,
            baseline=not args.no_search and baseline_chosen,
            n_users=args.fold_in_users,
            seed=args.cv_seed,
            log=log_stderr,
            nested=True,
        )
        report["fold_in"]["params"] = asdict(fold_params)
    (reports / "model.json").write_text(json.dumps(report, indent=2) + "\n")
    _attach_to_model(args.data_dir / "models" / META_FILE, report, params)
    md = write_model_report(args.data_dir)
    print(md)
    return 0


def _attach_to_model(meta_path: Path, report: dict[str, Any], params: SVDParams) -> None:
    """Copy the cross-validated metrics into svd.json when they are for the model's data: the
    nested selection's (it scores the procedure that made the model) or, for a plain CV, SVD's
    when the parameters are the model's."""
    try:
        meta = json.loads(meta_path.read_text())
    except (OSError, json.JSONDecodeError):
        return
    if meta.get("data", {}).get("fingerprint") != report["data"]["fingerprint"]:
        return
    algos = report["algorithms"]
    if report.get("nested"):
        res = algos["train (nested selection)"]
        protocol = "nested"
    else:
        if meta.get("params") != asdict(params):
            return
        res = algos["SVD"]
        protocol = "plain"
    cv = {"folds": report["folds"], "protocol": protocol, **res["metrics"]}
    cv["baseline_rmse"] = algos["BaselineOnly"]["metrics"]["rmse"]
    meta.setdefault("metrics", {})["cv"] = cv
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")


METRIC_COLUMNS = (
    ("rmse", "RMSE"),
    ("mae", "MAE"),
    ("precision@10", "prec@10"),
    ("recall@10", "recall@10"),
    ("ndcg@10", "NDCG@10"),
    ("coverage@10", "coverage of top-10"),
    ("popularity@10_x_mean", "top-10 popularity (x mean title)"),
)


def render_report(report: dict[str, Any]) -> str:
    """The evaluation (model.json) as markdown."""
    algos = report["algorithms"]
    first = next(iter(algos.values()))["metrics"]
    cols = [(k, label) for k, label in METRIC_COLUMNS if k in first]
    nested = report.get("nested")
    how = (
        f"nested: in each outer fold `train`'s selection (search budget"
        f" {report.get('budget_per_fold', 0):g} s) runs on the training part only"
        if nested
        else "plain cross-validation of fixed parameters"
    )
    lines = [
        "# Recommender evaluation",
        "",
        f"{report['folds']}-fold cross-validation (Surprise KFold, shuffle, random_state="
        f"{report['cv_seed']}) on {report['data']['ratings']:,} ratings from"
        f" `{report['data']['path']}`, {how}. Mean over folds (± std). Top-10 lists for up to"
        f" 300 people per fold, titles rated in training left out. Created {report['created']}.",
        "",
        "| model | " + " | ".join(label for _, label in cols) + " | fit s |",
        "|---" * (len(cols) + 2) + "|",
    ]
    for name, res in algos.items():
        cells = [f"{res['metrics'][k]:.4f} ± {res['std'][k]:.4f}" for k, _ in cols]
        cells.append(f"{res['metrics']['fit_seconds']:.1f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("")
    if "selections" in report:
        lines += ["What the selection chose in each outer fold:", ""]
        for c in report["selections"]:
            p = c["params"]
            lines.append(
                f"- fold {c['fold']}: {c['chosen']}"
                + (
                    f" ({p['n_factors']} factors, {p['n_epochs']} epochs, lr {p['lr_all']},"
                    f" reg {p['reg_all']})"
                    if c["chosen"] == "SVD"
                    else ""
                )
                + f": {c['why']}"
            )
        lines.append("")
    elif "SVD" in algos and "params" in algos["SVD"]:
        p = algos["SVD"]["params"]
        lines += ["SVD parameters: " + ", ".join(f"{k}={v}" for k, v in p.items()), ""]
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
    if "fold_in" in report and report["fold_in"].get("rmse"):
        lines += render_fold_in(report["fold_in"])
    return "\n".join(lines)


def render_fold_in(f: dict[str, Any]) -> list[str]:
    given = f["given"]
    half = "; chosen on half of them, RMSE on the other half" if f.get("nested") else ""
    lines = [
        f"## Fold-in for new people ({f['users']} held-out people{half})",
        "",
        f"Chosen: **{f['label']}**. RMSE on their other ratings after folding in a few:",
        "",
        "| method | " + " | ".join(f"given {g}" for g in given) + " |",
        "|---" * (len(given) + 1) + "|",
    ]
    for name, by_g in f["rmse"].items():
        label = "unknown user: mean + title bias (Surprise)" if name == "baseline" else name
        if name == f["label"]:
            label = f"**{label}** (chosen)"
        vals = [by_g.get(g, by_g.get(str(g))) for g in given]
        lines.append(f"| {label} | " + " | ".join(f"{v:.4f}" if v else "-" for v in vals) + " |")
    lines.append("")
    return lines


def render_selection(meta: dict[str, Any]) -> str:
    """What `train` chose and why (from svd.json)."""
    sel = meta.get("selection") or {}
    lines = [
        "# Recommender training",
        "",
        f"Model `{meta.get('model_id', '?')}`, created {meta.get('created', '?')}:"
        f" **{meta.get('algorithm', '?')}** on {meta.get('data', {}).get('ratings', 0):,}"
        " ratings.",
        "",
        f"Why: {sel.get('reason', 'not recorded')}.",
        "",
    ]
    if sel.get("searched"):
        how = f"{sel['folds']}-fold CV" if sel["folds"] > 1 else "one 80/20 hold-out split"
        sample = (
            f" on a seeded sample of people ({sel['search_ratings']:,} of"
            f" {sel['total_ratings']:,} ratings)"
            if sel.get("sampled")
            else f" on all {sel['search_ratings']:,} ratings"
        )
        lines += [
            f"Search: {how}{sample}, {sel['seconds']:.0f} s of a {sel['budget_seconds']:.0f} s"
            f" budget; {sel['skipped_for_budget']} candidates skipped for the budget."
            f" BaselineOnly on the same folds: {sel['baseline_rmse']:.4f}.",
            "",
            "| factors | epochs | lr | reg | validation RMSE | vs BaselineOnly | fit s |",
            "|---|---|---|---|---|---|---|",
        ]
        for c in sel.get("candidates", []):
            p = c["params"]
            rel = (c["rmse"] / sel["baseline_rmse"] - 1) * 100
            lines.append(
                f"| {p['n_factors']} | {p['n_epochs']} | {p['lr_all']} | {p['reg_all']} |"
                f" {c['rmse']:.4f} | {rel:+.1f}% | {c['fit_seconds']:.1f} |"
            )
        lines.append("")
    f = meta.get("fold_in") or {}
    if f.get("rmse"):
        lines += render_fold_in(f)
    elif f:
        lines += [f"Fold-in: {f.get('method')} with reg {f.get('reg')} ({f.get('chosen_by')}).", ""]
    return "\n".join(lines)


def write_model_report(data_dir: Path) -> str:
    """data/reports/model.md: what train chose and why (svd.json), then the latest evaluation
    (model.json) when there is one."""
    data_dir = Path(data_dir)
    reports = data_dir / "reports"
    parts = []
    with contextlib.suppress(OSError, json.JSONDecodeError):
        parts.append(render_selection(json.loads((data_dir / "models" / META_FILE).read_text())))
    with contextlib.suppress(OSError, json.JSONDecodeError, KeyError):
        parts.append(render_report(json.loads((reports / "model.json").read_text())))
    md = "\n".join(parts)
    reports.mkdir(parents=True, exist_ok=True)
    (reports / "model.md").write_text(md)
    return md


if __name__ == "__main__":
    sys.exit(main())
