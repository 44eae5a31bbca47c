"""`python -m model train` (Surprise engine): search, fit, write the artifact (model/train.py)."""

from __future__ import annotations

import argparse
import json
import sys

from model.cli_options import GRID_FILE, svd_params
from model.svd import SVDParams
from model.train import train


def run_train(args: argparse.Namespace) -> int:
    params = svd_params(args)
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
