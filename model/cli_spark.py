"""`python -m model train|evaluate --engine spark`: Spark's ALS (model/spark_train.py)."""

from __future__ import annotations

import argparse

from model.cli_evaluate import sample_ratings
from model.cli_options import als_params, svd_params
from model.data import read_ratings
from model.spark_als import check_java, under_spark_submit


def run_spark(args: argparse.Namespace) -> int:
    from model.spark_train import evaluate_spark, render, train_spark

    params = als_params(args)
    if not under_spark_submit():
        check_java()  # before reading millions of ratings
    opts = {"master": args.spark_master, "driver_memory": args.spark_driver_memory}
    if args.command == "train":
        train_spark(args.data_dir, params, ratings_path=args.ratings,
                    fold_in_reg=args.fold_in_reg, **opts)  # fmt: skip
        return 0
    path = args.ratings or args.data_dir / "processed" / "ratings.parquet"
    ratings = sample_ratings(read_ratings(path), args.max_ratings, args.cv_seed)
    report = evaluate_spark(args.data_dir, ratings, params, svd_params(args), args.folds,
                            args.cv_seed, args.threshold, surprise=not args.spark_only,
                            **opts)  # fmt: skip
    print(render(report))
    return 0
