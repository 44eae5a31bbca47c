"""`python -m bench etl`: ETL wall time and peak memory on full-scale demo data.

Generates 23,000 titles and 11,000,000 ratings once (cached under data/bench/), then runs
`python -m etl` in a child process so its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench.report import ROOT, Row, write_results

TARGET_SECONDS = 30.0
TARGET_GB = 3.0


def child_peak_gb() -> float:
    # ru_maxrss of all waited-for children, in KiB on Linux: run one child per measurement.
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20


def main(argv: list[str]) -> None:
    p = argparse.ArgumentParser(prog="python -m bench etl")
    p.add_argument("--titles", type=int, default=23_000)
    p.add_argument("--ratings", type=int, default=11_000_000)
    p.add_argument("--work", type=Path, default=ROOT / "data" / "bench" / "etl")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)

    raw = args.work / f"raw-{args.titles}-{args.ratings}"
    if not (raw / "ratings").exists():
        subprocess.run(
            [sys.executable, "-m", "etl.demo", "--out", str(raw), "--titles", str(args.titles),
             "--ratings", str(args.ratings), "--seed", "1"],
            check=True, cwd=ROOT,
        )  # fmt: skip
    times = []
    peak = 0.0
    for _ in range(args.repeat):
        # A fresh child per run: RUSAGE_CHILDREN keeps the maximum over children so far.
        code = (
            "import resource,subprocess,sys,time;t=time.perf_counter();"
            f"subprocess.run([sys.executable,'-m','etl','--raw',{str(raw)!r},'--out',"
            f"{str(args.work / 'processed')!r},'-q'],check=True);"
            "print(time.perf_counter()-t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
        )
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", code], check=True, cwd=ROOT, capture_output=True, text=True
        ).stdout.split()
        times.append(float(out[0]) if out else time.perf_counter() - started)
        peak = max(peak, int(out[1]) / 2**20)
    best, median = min(times), sorted(times)[len(times) // 2]
    size = f"{args.titles:,} titles, {args.ratings:,} ratings"
    rows = [
        Row(f"ETL wall time ({size}), median of {args.repeat}", f"< {TARGET_SECONDS:.0f} s",
            f"{median:.1f} s (best {best:.1f} s)", median < TARGET_SECONDS),
        Row(f"ETL peak memory ({size})", f"< {TARGET_GB:.0f} GB", f"{peak:.2f} GB",
            peak < TARGET_GB),
    ]  # fmt: skip
    print("\n".join(f"{r.figure}: {r.measured} (target {r.target})" for r in rows))
    write_results(
        "etl",
        rows,
        "Demo data from `python -m etl.demo --seed 1` at the sizes shown; the ETL runs as its own "
        "process (`python -m etl`), peak memory is that process's max RSS.",
    )
