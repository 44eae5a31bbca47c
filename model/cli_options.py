"""The options `train` and `evaluate` share (`python -m model`), and the parameters they give."""

from __future__ import annotations

import argparse
from dataclasses import fields
from pathlib import Path

from model.spark_als import DEFAULT_DRIVER_MEMORY, DEFAULT_MASTER, ALSParams
from model.svd import SVDParams

GRID_FILE = "model_grid.json"
ENGINES = ("surprise", "spark")


def add_svd_options(p: argparse.ArgumentParser) -> None:
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


def add_engine_options(p: argparse.ArgumentParser) -> None:
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


def als_params(args: argparse.Namespace) -> ALSParams:
    p = ALSParams(
        rank=args.rank, max_iter=args.max_iter, reg_param=args.reg_param, seed=args.random_state
    )
    if p.rank < 1 or p.max_iter < 1 or p.reg_param < 0:
        raise ValueError("--rank and --max-iter must be at least 1 and --reg-param not negative")
    return p


def svd_params(args: argparse.Namespace) -> SVDParams:
    return SVDParams(**{f.name: getattr(args, f.name) for f in fields(SVDParams)})
