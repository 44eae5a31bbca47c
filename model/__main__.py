"""`python -m model train|evaluate`: see docs/model.md."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from config import resolve_data_dir
from model import tune
from model.cli_evaluate import DEFAULT_GRID, run_evaluate
from model.cli_options import ENGINES, GRID_FILE, add_engine_options, add_svd_options
from model.cli_spark import run_spark
from model.cli_train import run_train
from model.data import RatingsError
from model.report import (
    METRIC_COLUMNS,
    render_fold_in,
    render_report,
    render_selection,
    write_model_report,
)
from model.spark_als import SparkUnavailable

# Re-exported: bench/, tests and model/spark_train.py import these from here.
__all__ = [
    "DEFAULT_GRID",
    "ENGINES",
    "GRID_FILE",
    "METRIC_COLUMNS",
    "main",
    "render_fold_in",
    "render_report",
    "render_selection",
    "write_model_report",
]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m model", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="train SVD on processed/ratings.parquet")
    add_svd_options(t)
    add_engine_options(t)
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
    add_svd_options(e)
    add_engine_options(e)
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
    e.add_argument(
        "--no-hybrid", action="store_true", help="skip the hybrid part (new titles and people)"
    )
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
            return run_spark(args)
        if args.command == "train":
            return run_train(args)
        return run_evaluate(args)
    except SparkUnavailable as e:
        print(f"error: the Spark engine cannot run here: {e}", file=sys.stderr)
        return 2
    except RatingsError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except ValueError as e:  # e.g. more folds than ratings: a message, not a traceback
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
