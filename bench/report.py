"""Benchmark results: one JSON per area under docs/bench/, rendered into docs/benchmarks.md."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "docs" / "bench"
REPORT = ROOT / "docs" / "benchmarks.md"
AREAS = (
    "etl",
    "catalog",
    "model",
    "hybrid",
    "spark",
    "bot",
    "api",
    "store",
    "refresh",
    "replicas",
    "alerts",
    "docker",
)


@dataclass
class Row:
    figure: str
    target: str
    measured: str
    met: bool | None = None  # None: informative figure without a target


def merged(area: str, rows: list[Row]) -> list[Row]:
    """The area's stored rows with these rows replacing theirs (same figure) in place and new
    ones added: for areas measured in separate runs (sizes, engines)."""
    old = stored_rows(area)
    new = {r.figure: r for r in rows}
    kept = [new.pop(r.figure, r) for r in old]
    return kept + list(new.values())


def stored_rows(area: str) -> list[Row]:
    """The rows stored for an area ([] when none)."""
    try:
        return [Row(**r) for r in json.loads((RESULTS_DIR / f"{area}.json").read_text())["rows"]]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def stored_notes(area: str) -> str:
    """The notes stored for an area ("" when none)."""
    try:
        return str(json.loads((RESULTS_DIR / f"{area}.json").read_text()).get("notes", ""))
    except (OSError, ValueError, AttributeError):
        return ""


def machine() -> str:
    """One line naming the machine, so numbers are never read without it."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = psutil.virtual_memory().total / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB, Python {platform.python_version()}"


def write_results(area: str, rows: list[Row], notes: str = "") -> Path:
    """Store one area's rows and re-render docs/benchmarks.md from every stored area."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{area}.json"
    payload = {
        "area": area,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "rows": [asdict(r) for r in rows],
        "notes": notes,
    }
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    render()
    return path


def render() -> None:
    parts = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m bench all`) from `docs/bench/*.json`; do not edit by"
        " hand. Each table was measured in one run on the machine and date shown under it. Speed"
        " targets are compared as ratios within one run where the issue asks for a ratio.",
        "",
    ]
    for area in AREAS:
        path = RESULTS_DIR / f"{area}.json"
        if not path.exists():
            parts += [f"## {area}", "", "_not measured yet_", ""]
            continue
        data = json.loads(path.read_text())
        parts += [f"## {area}", "", "| figure | target | measured | met |", "|---|---|---|---|"]
        for r in data["rows"]:
            met = {True: "yes", False: "**no**", None: ""}[r["met"]]
            parts.append(f"| {r['figure']} | {r['target']} | {r['measured']} | {met} |")
        parts += ["", f"Machine: {data['machine']}. Date: {data['date']}.", ""]
        if data.get("notes"):
            parts += [data["notes"].strip(), ""]
    REPORT.write_text("\n".join(parts))
