"""`python -m model train|evaluate --engine spark`: Spark's ALS writing the Surprise artifact,
and its cross-validation on Surprise's folds beside Surprise's SVD and BaselineOnly."""

from __future__ import annotations

import datetime as dt
import json
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
from surprise import SVD

from model import spark_als, tune
from model.artifact_write import payload, save
from model.data import Ratings, kfold_indices, read_ratings
from model.evaluate import _Fold, _summary, cross_validate
from model.recommender import FORMAT, FORMAT_VERSION, META_FILE
from model.report import write_model_report
from model.spark_als import ALSParams
from model.svd import SVDParams
from model.train import Fitter, peak_rss_mb, with_content
from model.trainset import CompactTrainset

ALGORITHM = "Spark ALS (pyspark.ml, explicit) on BaselineOnly residuals"
EVAL_FILE = "spark_eval.json"


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _why(params: ALSParams, master: str) -> str:
    return (
        f"--engine spark on {master}: BaselineOnly biases, then ALS rank {params.rank},"
        f" regParam {params.reg_param:g}, {params.max_iter} iterations on the residuals"
    )


def train_spark(
    data_dir: Path,
    params: ALSParams,
    master: str | None = spark_als.DEFAULT_MASTER,
    driver_memory: str = spark_als.DEFAULT_DRIVER_MEMORY,
    ratings_path: Path | None = None,
    fold_in_reg: float | None = None,
    log: Callable[[str], None] = _log,
) -> dict[str, Any]:
    """Train on processed/ratings.parquet and write svd.pkl + svd.json as `model.train` does;
    returns the metadata. SparkUnavailable when Spark cannot run here."""
    if not spark_als.under_spark_submit():
        spark_als.check_java()  # before reading millions of ratings
    data_dir = Path(data_dir)
    path = ratings_path or data_dir / "processed" / "ratings.parquet"
    t0 = time.perf_counter()
    ratings = read_ratings(path)
    tune.check_learnable(ratings)
    trainset = CompactTrainset(ratings)
    t_read = time.perf_counter() - t0
    where = master or (
        "spark-submit's" if spark_als.under_spark_submit() else spark_als.DEFAULT_MASTER
    )
    log(f"read {len(ratings):,} ratings from {path} in {t_read:.1f} s; starting Spark ({where})")
    t1 = time.perf_counter()
    with spark_als.spark_session(master, driver_memory) as spark:
        t_start = time.perf_counter() - t1
        version, master = spark.version, spark.sparkContext.master
        driver_memory = spark.sparkContext.getConf().get("spark.driver.memory", "1g")
        t2 = time.perf_counter()
        algo, _ = spark_als.fit(spark, trainset, params)
        t_fit = time.perf_counter() - t2
        jvm_mb = spark_als.jvm_rss_mb()
        # The hybrid's choice fits ALS once more (same parameters) on its sample: the map is
        # chosen for the factors this engine learns, as `train` does with Surprise's.
        t3 = time.perf_counter()
        extra, part, hybrid_meta = with_content(
            data_dir, ratings, algo, trainset, _als_fitter(spark, params), log,
            fitted_with="Spark ALS",
        )  # fmt: skip
        t_hybrid = time.perf_counter() - t3
    body = payload(algo, trainset, fold_in_reg, "prior", extra, part)
    why = _why(params, master)
    metadata: dict[str, Any] = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "engine": "spark",
        "algorithm": ALGORITHM,
        "why": why,
        "params": {**asdict(params), "n_factors": params.rank},
        "selection": {"chosen": "Spark ALS", "reason": why, "searched": False},
        "spark": {"master": master, "driver_memory": driver_memory, "version": version},
        "fold_in_reg": body["fold_in_reg"],
        "fold_in": {"method": "prior", "reg": body["fold_in_reg"], "chosen_by": "default"},
        "calibration": body["calibration"],
        "data": {
            "path": str(path),
            "fingerprint": ratings.fingerprint,
            "ratings": trainset.n_ratings,
            "users": trainset.n_users,
            "titles": trainset.n_items,
            "skipped": ratings.skipped,
        },
        "hybrid": hybrid_meta,
        "global_mean": trainset.global_mean,
        "rating_scale": list(trainset.rating_scale),
        "seconds": {
            "read": round(t_read, 2),
            "spark_start": round(t_start, 2),
            "fit": round(t_fit, 2),
            "hybrid": round(t_hybrid, 2),
        },
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "jvm_rss_mb": jvm_mb,
        "metrics": {
            "train_rmse": body["train_rmse"],
            "train_mae": body["train_mae"],
            "cv": _cv_for(data_dir, ratings.fingerprint, params),
        },
        "versions": {
            "pyspark": version,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
    }
    pkl, meta = save(data_dir / "models", body, metadata)
    log(
        f"trained {ALGORITHM} on {trainset.n_ratings:,} ratings ({trainset.n_users:,} users,"
        f" {trainset.n_items:,} titles): Spark start {t_start:.1f} s, fit {t_fit:.1f} s;"
        f" train RMSE {body['train_rmse']:.4f}; wrote {pkl} and {meta}"
    )

    write_model_report(data_dir)
    return metadata


def _als_fitter(spark: Any, params: ALSParams) -> Fitter:
    """Fits Spark's ALS (biases, then ALS on the residuals) on some ratings, for the hybrid."""

    def fit_one(r: Ratings) -> tuple[SVD, CompactTrainset]:
        ts = CompactTrainset(r)
        algo, _ = spark_als.fit(spark, ts, params)
        return algo, ts

    return fit_one


def _cv_for(data_dir: Path, fingerprint: str, params: ALSParams) -> dict[str, Any] | None:
    """The Spark evaluation's figures when they are for this data and these parameters."""
    try:
        report = json.loads((data_dir / "reports" / EVAL_FILE).read_text())
    except (OSError, json.JSONDecodeError):
        return None
    als = report.get("algorithms", {}).get("Spark ALS")
    if report.get("data", {}).get("fingerprint") != fingerprint or not als:
        return None
    if als.get("params") != asdict(params):
        return None
    base = report["algorithms"].get("BaselineOnly", {}).get("metrics", {}).get("rmse")
    return {"folds": report["folds"], "protocol": "plain", **als["metrics"], "baseline_rmse": base}


def cross_validate_spark(
    spark: Any,
    ratings: Ratings,
    params: ALSParams,
    folds: int = 5,
    seed: int = 0,
    threshold: float = 3.5,
    k: int = 10,
    log: Callable[[str], None] | None = None,
    list_users: int = 300,
) -> dict[str, Any]:
    """cross_validate's figures for Spark ALS on exactly its folds (same split, same scoring)."""
    rows: list[dict[str, float]] = []
    for f, (tr, te) in enumerate(kfold_indices(len(ratings), folds, seed)):
        trainset = CompactTrainset(ratings.subset(tr))
        fold = _Fold(trainset, ratings.subset(te), seed + f, list_users)
        t0 = time.perf_counter()
        algo, _ = spark_als.fit(spark, trainset, params)
        fit_s = time.perf_counter() - t0
        m = fold.score(algo, threshold, k)
        m["fit_seconds"] = fit_s
        rows.append(m)
        if log:
            log(f"fold {f + 1}/{folds} Spark ALS: RMSE {m['rmse']:.4f} ({fit_s:.1f} s)")
    result = _summary({"Spark ALS": rows})
    result["Spark ALS"]["params"] = asdict(params)
    return result


def evaluate_spark(
    data_dir: Path,
    ratings: Ratings,
    params: ALSParams,
    svd_params: SVDParams,
    folds: int = 5,
    seed: int = 0,
    threshold: float = 3.5,
    master: str | None = spark_als.DEFAULT_MASTER,
    driver_memory: str = spark_als.DEFAULT_DRIVER_MEMORY,
    surprise: bool = True,
    log: Callable[[str], None] = _log,
) -> dict[str, Any]:
    """Spark ALS, and (unless `surprise` is False) Surprise's SVD and BaselineOnly, on the same
    KFold split; writes reports/spark_eval.json and returns the report."""
    tune.check_learnable(ratings)
    report: dict[str, Any] = {
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "data": {
            "path": ratings.source,
            "fingerprint": ratings.fingerprint,
            "ratings": len(ratings),
        },
        "folds": folds,
        "cv_seed": seed,
        "threshold": threshold,
        "nested": False,
        "spark": {"master": master, "driver_memory": driver_memory},
        "algorithms": {},
    }
    with spark_als.spark_session(master, driver_memory) as spark:
        report["spark"]["version"] = spark.version
        report["spark"]["master"] = spark.sparkContext.master
        report["algorithms"].update(
            cross_validate_spark(spark, ratings, params, folds, seed, threshold, log=log)
        )
    if surprise:
        report["algorithms"].update(
            cross_validate(
                ratings, svd_params, ("SVD", "BaselineOnly"), folds, seed, threshold, log=log
            )
        )
    reports = Path(data_dir) / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    (reports / EVAL_FILE).write_text(json.dumps(report, indent=2) + "\n")
    _attach(Path(data_dir) / "models" / META_FILE, report, params)
    return report


def _attach(meta_path: Path, report: dict[str, Any], params: ALSParams) -> None:
    """Copy the figures into svd.json when it is a Spark model of this data and parameters."""
    try:
        meta = json.loads(meta_path.read_text())
    except (OSError, json.JSONDecodeError):
        return
    if meta.get("engine") != "spark":
        return
    cv = _cv_for(meta_path.parent.parent, meta.get("data", {}).get("fingerprint", ""), params)
    if cv is None or {k: meta["params"].get(k) for k in asdict(params)} != asdict(params):
        return
    meta.setdefault("metrics", {})["cv"] = cv
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")


def render(report: dict[str, Any]) -> str:
    """The side-by-side table (RMSE, MAE, fit time per fold) as markdown."""
    algos = report["algorithms"]
    lines = [
        "# Spark ALS beside Surprise",
        "",
        f"{report['folds']}-fold cross-validation (Surprise KFold, shuffle, random_state="
        f"{report['cv_seed']}) on {report['data']['ratings']:,} ratings, the same folds for"
        f" every model; Spark {report['spark'].get('version', '?')} on"
        f" {report['spark']['master']}. Created {report['created']}.",
        "",
        "| model | RMSE | MAE | NDCG@10 | fit s per fold | vs SVD |",
        "|---|---|---|---|---|---|",
    ]
    svd = algos.get("SVD", {}).get("metrics", {}).get("rmse")
    for name, res in algos.items():
        m, s = res["metrics"], res["std"]
        rel = f"{(m['rmse'] / svd - 1) * 100:+.2f}%" if svd else "-"
        lines.append(
            f"| {name} | {m['rmse']:.4f} ± {s['rmse']:.4f} | {m['mae']:.4f} |"
            f" {m.get('ndcg@10', float('nan')):.4f} | {m['fit_seconds']:.1f} | {rel} |"
        )
    lines.append("")
    for name, res in algos.items():
        if "params" in res:
            p = ", ".join(f"{k}={v}" for k, v in res["params"].items())
            lines.append(f"- {name}: {p}")
    return "\n".join(lines) + "\n"
