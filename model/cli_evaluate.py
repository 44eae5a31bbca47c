"""`python -m model evaluate`: cross-validation (nested or plain), the grid, fold-in; writes
reports/model.json, copies the metrics into svd.json and renders reports/model.md."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import numpy as np

from model import tune
from model.artifact import META_FILE
from model.cli_options import GRID_FILE, svd_params
from model.content import CONTENT_FILE, ContentError, read_content
from model.data import Ratings, read_ratings
from model.evaluate import (
    ALGORITHMS,
    cross_validate,
    grid_search,
    log_stderr,
    nested_cross_validate,
)
from model.fold_in_choice import choose_fold_in
from model.hybrid_eval import evaluate_hybrid
from model.report import write_model_report
from model.svd import SVDParams
from model.train import MIN_CONTENT_COVERAGE

# A fixed grid for `evaluate --grid` (train searches by itself, model/tune.py): Surprise's
# defaults (100 factors, 20 epochs, lr 0.005, reg 0.02) and ours (100, 40, 0.01, 0.1) sit on it.
# --grid-spec replaces it.
DEFAULT_GRID: dict[str, list[Any]] = {
    "n_factors": [20, 100],
    "n_epochs": [20, 40],
    "lr_all": [0.005, 0.01],
    "reg_all": [0.02, 0.1],
}


def sample_ratings(ratings: Ratings, n: int | None, seed: int) -> Ratings:
    if n is None or n >= len(ratings):
        return ratings
    # Sorted so the sample keeps the file's order, which decides Surprise's inner ids.
    keep = np.sort(np.random.default_rng(seed).choice(len(ratings), size=n, replace=False))
    sub = ratings.subset(keep)
    sub.fingerprint = f"{ratings.fingerprint}#sample{n}@{seed}"
    return sub


def run_evaluate(args: argparse.Namespace) -> int:
    params = svd_params(args)
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
    ratings = sample_ratings(full, args.max_ratings, args.cv_seed)
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
        report["fold_in"] = choose_fold_in(
            ratings,
            fold_params,
            baseline=not args.no_search and baseline_chosen,
            n_users=args.fold_in_users,
            seed=args.cv_seed,
            log=log_stderr,
            nested=True,
        )
        report["fold_in"]["params"] = asdict(fold_params)
    if not args.no_hybrid:
        report["hybrid"] = hybrid_part(args.data_dir, ratings, fold_params, args.cv_seed)
    (reports / "model.json").write_text(json.dumps(report, indent=2) + "\n")
    attach_to_model(args.data_dir / "models" / META_FILE, report, params)
    md = write_model_report(args.data_dir)
    print(md)
    return 0


def hybrid_part(data_dir: Path, ratings: Ratings, params: SVDParams, seed: int) -> dict[str, Any]:
    """The hybrid's figures (model/hybrid_eval.py), or why they were not measured."""
    try:
        content = read_content(data_dir / "processed" / CONTENT_FILE)
    except ContentError as e:
        return {"skipped": str(e)}
    known = set(content.ids)
    titles = np.unique(ratings.items.astype(str))
    if np.mean([t in known for t in titles]) < MIN_CONTENT_COVERAGE:
        return {"skipped": "the content features describe other titles than these ratings"}
    return evaluate_hybrid(ratings, params, content, seed=seed, log=log_stderr)


def attach_to_model(meta_path: Path, report: dict[str, Any], params: SVDParams) -> None:
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
