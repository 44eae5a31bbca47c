"""`python -m bench spark`: Spark's ALS (`--engine spark`) beside Surprise's SVD on the same
folds, its training cost, and the serving latency of its artifact against an SVD artifact of
the same shape (same titles, same number of factors).

Uses the demo data of `bench model` (data/bench/model/<size>/processed); each training runs as
a child process (`python -m model ...`) into its own folder under data/bench/spark/<size>/.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.model import TITLES, prepare, serving
from bench.report import ROOT, Row, merged, write_results
from model.spark_als import ALSParams

WORK = ROOT / "data" / "bench" / "spark"
TARGET_RMSE = 0.02  # Spark ALS within 2 % of Surprise's SVD on the same folds (issue 16)


def _run(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    print("$ " + " ".join(cmd), file=sys.stderr, flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT)
    return time.perf_counter() - t0


def _folder(size: int, name: str, processed: Path) -> Path:
    """data/bench/spark/<size>/<name> sharing the demo's processed/ (models are per folder)."""
    d = WORK / str(size) / name
    d.mkdir(parents=True, exist_ok=True)
    link = d / "processed"
    if not link.exists():
        link.symlink_to(processed)
    return d


def _p(xs: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(xs), q)) * 1e3


def evaluate(size: int, d: Path, folds: int, extra: list[str]) -> tuple[list[Row], dict[str, Any]]:
    py = sys.executable
    wall = _run([py, "-m", "model", "evaluate", "--engine", "spark", "--no-search",
                 "--folds", str(folds), "--data-dir", str(d), *extra])  # fmt: skip
    report = json.loads((d / "reports" / "spark_eval.json").read_text())
    algos = report["algorithms"]
    als, svd = algos["Spark ALS"]["metrics"], algos["SVD"]["metrics"]
    base = algos["BaselineOnly"]["metrics"]
    rel = als["rmse"] / svd["rmse"] - 1
    n = f"{size / 1e6:g}M"
    p = algos["SVD"]["params"]
    rows = [
        Row(f"Spark ALS RMSE vs Surprise SVD, {folds}-fold CV, same folds ({n})",
            "within 2 %", f"{als['rmse']:.4f} vs {svd['rmse']:.4f} ({rel * 100:+.2f}%);"
            f" BaselineOnly {base['rmse']:.4f}", rel <= TARGET_RMSE),
        Row(f"fit time per fold: Spark ALS / SVD / BaselineOnly ({n})", "",
            f"{als['fit_seconds']:.1f} s / {svd['fit_seconds']:.1f} s /"
            f" {base['fit_seconds']:.1f} s (SVD {p['n_factors']} factors, {p['n_epochs']}"
            " epochs)"),
        Row(f"NDCG@10: Spark ALS / SVD / BaselineOnly ({n})", "",
            f"{als['ndcg@10']:.4f} / {svd['ndcg@10']:.4f} / {base['ndcg@10']:.4f}"),
        Row(f"evaluate --engine spark wall time ({n}, {folds} folds, all three models)", "",
            f"{wall:.0f} s"),
    ]  # fmt: skip
    return rows, report


def train(size: int, d: Path, extra: list[str]) -> tuple[list[Row], dict[str, Any]]:
    py = sys.executable
    wall = _run([py, "-m", "model", "train", "--engine", "spark", "--data-dir", str(d), *extra])
    meta = json.loads((d / "models" / "svd.json").read_text())
    s, n = meta["seconds"], f"{size / 1e6:g}M"
    data = meta["data"]
    rows = [
        Row(f"train --engine spark ({n}: {data['users']:,} users, {data['titles']:,} titles)",
            "", f"{wall:.0f} s wall: read {s['read']:.1f} s, Spark start {s['spark_start']:.1f} s,"
            f" biases + ALS {s['fit']:.1f} s (driver memory {meta['spark']['driver_memory']})"),
        Row(f"train --engine spark memory ({n})", "",
            f"Python driver {meta['peak_rss_mb'] / 1024:.2f} GiB peak, JVM"
            f" {(meta['jvm_rss_mb'] or 0) / 1024:.2f} GiB at the end of the fit"),
    ]  # fmt: skip
    return rows, meta


def latency(size: int, spark_dir: Path, svd_dir: Path, seed: int) -> list[Row]:
    """top_n p50/p99 of the Spark artifact and of an SVD artifact of the same shape, measured
    alternately (A B A B) so both see the same machine load; the median of the two runs."""
    runs: dict[str, list[dict[str, Any]]] = {"spark": [], "svd": []}
    for _ in range(2):
        for name, d in (("spark", spark_dir), ("svd", svd_dir)):
            runs[name].append(serving(d / "models", seed, naive_users=5))
    fig = {
        name: {
            "load": statistics.median(r["load"] for r in rs),
            "p50": statistics.median(_p(r["top_n"], 50) for r in rs),
            "p99": statistics.median(_p(r["top_n"], 99) for r in rs),
        }
        for name, rs in runs.items()
    }
    a, b = fig["spark"], fig["svd"]
    ratio = a["p50"] / b["p50"]
    n = f"{size / 1e6:g}M"
    return [
        Row(f"top_n(10) p50 / p99: Spark artifact vs SVD artifact of the same shape ({n})",
            "same latency", f"{a['p50']:.3f} / {a['p99']:.3f} ms vs {b['p50']:.3f} /"
            f" {b['p99']:.3f} ms (p50 ratio {ratio:.2f})", 0.8 <= ratio <= 1.25),
        Row(f"Recommender.load: Spark artifact vs SVD artifact ({n})", "",
            f"{a['load']:.3f} s vs {b['load']:.3f} s"),
    ]  # fmt: skip


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench spark")
    p.add_argument("--size", type=int, default=1_000_000)
    p.add_argument("--folds", type=int, default=3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--no-cv", action="store_true", help="skip the side-by-side evaluation")
    p.add_argument("--no-latency", action="store_true", help="skip the serving comparison")
    p.add_argument("--driver-memory", default=None, help="--spark-driver-memory for both runs")
    args = p.parse_args(argv)
    extra = ["--spark-driver-memory", args.driver_memory] if args.driver_memory else []
    processed = (prepare(args.size, TITLES, args.seed) / "processed").resolve()
    rows: list[Row] = []
    if not args.no_cv:
        r, _ = evaluate(args.size, _folder(args.size, "eval", processed), args.folds, extra)
        rows += r
    spark_dir = _folder(args.size, "als", processed)
    r, meta = train(args.size, spark_dir, extra)
    rows += r
    k = ALSParams().rank
    if not args.no_latency:
        svd_dir = _folder(args.size, "svd", processed)
        _run([sys.executable, "-m", "model", "train", "--no-search", "--quiet", "--factors",
              str(k), "--data-dir", str(svd_dir)])  # fmt: skip
        rows += latency(args.size, spark_dir, svd_dir, args.seed)
    notes = (
        f"Demo data of `bench model` (`python -m etl.demo --titles {TITLES} --seed {args.seed}`)."
        f" Spark {meta['spark']['version']} in local mode (local[2]; the driver memory is in each"
        " training row), Java from `make java`; ALS defaults"
        f" {ALSParams().rank} factors, regParam {ALSParams().reg_param}, {ALSParams().max_iter}"
        " iterations on the residuals of BaselineOnly's biases (docs/model.md). Surprise's SVD in"
        " the CV has `model evaluate`'s defaults; the latency comparison's SVD artifact is"
        f" `model train --no-search --factors {k}` on the same ratings, so both artifacts have the"
        " same shape. Each size is a separate run (`--size`); the date above is the latest. The"
        " machine's 2 cores were shared with other work during the runs."
    )
    write_results("spark", merged("spark", rows), notes)
    return 0
