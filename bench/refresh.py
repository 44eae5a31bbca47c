"""`python -m bench refresh`: a catalogue refresh at full title scale, each stage timed.

The real titles (../shared/data/raw/titles, 22,998 rows; linked, never copied into the repo)
with demo ratings for them (`etl.demo --titles-from`, 1,000,000 by default) go into an inbox
under a temporary work folder. Run 1 builds the first release; run 2 (one more rating in the
inbox) builds the second against it, so the comparisons (titles per platform, model, changes)
are timed too, while an in-process CatalogHolder serving release 1 is watched: the time from
the pointer move to the holder serving release 2 is the publish-to-serving latency. Wall time
and peak memory of each stage are the child's own (wait4); the orchestrator's are measured the
same way around `python -m refresh run`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.report import REPORT, RESULTS_DIR, ROOT, Row, machine

REAL_TITLES = ROOT.parent / "shared" / "data" / "raw" / "titles"


def _run(argv: list[str]) -> tuple[float, float, int]:
    """(wall seconds, peak RSS MB of it and its children, exit code) of one child."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - started, usage.ru_maxrss / 1024, proc.returncode


def _inbox(work: Path, titles: Path, ratings: int) -> Path:
    inbox = work / "inbox"
    if (inbox / "ratings").is_dir():
        return inbox
    (inbox / "titles").mkdir(parents=True, exist_ok=True)
    for f in sorted(titles.glob("*_titles.csv")):
        (inbox / "titles" / f.name).symlink_to(f)
    subprocess.run(
        [sys.executable, "-m", "etl.demo", "--titles-from", str(titles), "--out", str(inbox),
         "--ratings", str(ratings), "--seed", "1"],
        cwd=ROOT, check=True,
    )  # fmt: skip
    return inbox


def _refresh(data: Path, inbox: Path, budget: float) -> tuple[float, float, dict[str, Any]]:
    argv = [sys.executable, "-m", "refresh", "--data-dir", str(data), "run", "--raw", str(inbox),
            "--budget", f"{budget:g}"]  # fmt: skip
    wall, peak, code = _run(argv)
    if code != 0:
        raise SystemExit(f"refresh failed with status {code}")
    manifest = json.loads((data / "releases" / "current" / "manifest.json").read_text())
    return wall, peak, manifest


def _rows(label: str, wall: float, peak: float, m: dict[str, Any]) -> list[Row]:
    t = m["timings"]
    stages = ", ".join(
        f"{k} {v['seconds']:.1f} s"
        + (f" / {v['peak_rss_mb']:.0f} MB" if "peak_rss_mb" in v else "")
        for k, v in t.items()
        if k != "total"
    )
    stage_peak = max(v.get("peak_rss_mb", 0) for k, v in t.items() if k != "total")
    return [
        Row(f"{label}: wall time", "", f"{wall:.0f} s ({stages})"),
        Row(
            f"{label}: peak memory (largest stage; the refresh process itself)",
            "",
            f"{stage_peak / 1024:.2f} GB; {t['total']['orchestrator_peak_rss_mb']:.0f} MB",
        ),
    ]


def main(argv: list[str]) -> None:
    p = argparse.ArgumentParser(prog="python -m bench refresh")
    p.add_argument("--titles-dir", type=Path, default=REAL_TITLES)
    p.add_argument("--ratings", type=int, default=1_000_000)
    p.add_argument("--budget", type=float, default=180.0, help="training search (REFRESH_BUDGET)")
    p.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "streamrec-bench-refresh"
    )
    p.add_argument("--no-write", action="store_true", help="print, do not update docs/")
    args = p.parse_args(argv)
    from catalog.holder import CatalogHolder

    inbox = _inbox(args.work, args.titles_dir, args.ratings)
    data = args.work / "data"
    shutil.rmtree(data, ignore_errors=True)
    wall1, peak1, m1 = _refresh(data, inbox, args.budget)
    holder = CatalogHolder(data, follow_seconds=0.5, blas_threads=1)
    with open(inbox / "ratings" / "ratings_1.csv", "a", encoding="utf-8") as f:
        f.write("999999,4.0,1500000000,ns1\n")  # one more rating: a new release
    seen: dict[str, float] = {}
    stop = threading.Event()
    wall2, peak2 = 0.0, 0.0
    m2: dict[str, Any] = {}
    try:
        # the version is not known before the run: watch for "not release 1"
        watcher = threading.Thread(target=_watch_any, args=(holder, m1["version"], seen, stop))
        watcher.start()
        wall2, peak2, m2 = _refresh(data, inbox, args.budget)
        watcher.join(timeout=120)
    finally:
        stop.set()
    moved = os.lstat(data / "releases" / "current").st_mtime
    latency = seen["at"] - moved if "at" in seen else float("nan")
    rows = _rows(
        f"release 1 ({m1['rows']['titles']:,} titles, {m1['rows']['ratings']:,} ratings)",
        wall1,
        peak1,
        m1,
    )
    rows += _rows("release 2 (compared with release 1)", wall2, peak2, m2)
    rows.append(
        Row(
            "published -> an in-process CatalogHolder serving it (checks every 0.5 s)",
            "",
            f"{latency:.1f} s (catalogue load {holder.current.info.load_seconds:.1f} s)",
        )
    )
    for r in rows:
        print(f"{r.figure}: {r.measured}")
    if not args.no_write:
        notes = (
            f"`python -m bench refresh`: the real titles with {args.ratings:,} demo ratings"
            f" (`etl.demo --titles-from`), training budget {args.budget:g} s (REFRESH_BUDGET's"
            " default). Stages are child processes; each figure is that child's wall time and max"
            " RSS. inputs = hashing the inbox, verify = loading the staged release as the bot"
            " does. Validation RMSE "
            f"{m1['model']['validation_rmse']:.4f} vs BaselineOnly"
            f" {m1['model']['baseline_rmse']:.4f}."
        )
        write_section(rows, notes)


def _watch_any(holder: Any, old: str, seen: dict[str, float], stop: threading.Event) -> None:
    while not stop.is_set():
        holder.current  # noqa: B018 - taking it is what checks the pointer
        if holder.release is not None and holder.release.version != old:
            seen["at"] = time.time()
            return
        time.sleep(0.01)


def write_section(rows: list[Row], notes: str) -> None:
    """docs/bench/refresh.json, and only the `## refresh` section of docs/benchmarks.md
    (re-rendering the whole page would drop notes written into other sections)."""
    date = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    payload = {"area": "refresh", "date": date, "machine": machine(),
               "rows": [asdict(r) for r in rows], "notes": notes}  # fmt: skip
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "refresh.json").write_text(json.dumps(payload, indent=2) + "\n")
    lines = ["## refresh", "", "| figure | target | measured | met |", "|---|---|---|---|"]
    lines += [f"| {r.figure} | {r.target} | {r.measured} | |" for r in rows]
    lines += ["", f"Machine: {payload['machine']}. Date: {date}.", "", notes, ""]
    text = REPORT.read_text()
    section = "\n".join(lines)
    if re.search(r"^## refresh$", text, re.M):
        text = re.sub(r"^## refresh\n.*?(?=^## |\Z)", section + "\n", text, flags=re.M | re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    REPORT.write_text(text)
