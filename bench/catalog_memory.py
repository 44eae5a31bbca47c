"""What several serving processes spend on one catalogue, and what they share (issue 24 item 8).

`process_rows` starts `processes` Python processes at once, each loading the catalogue of one
data dir and answering a few questions, and reads each one's memory while all of them are
alive (psutil's memory_full_info = /proc/<pid>/smaps_rollup): RSS (resident, shared pages
counted in full by every process), USS (pages only this process has), PSS (shared pages
divided among the processes mapping them: the sum of PSS is what the processes really cost
together) and the shared part of RSS. Figures are taken after the imports and again after the
load, so the catalogue's own share is the difference.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import psutil

from bench.report import ROOT, Row

MiB = 2**20

# The child: import, say so, wait; load and ask, say so, wait; then exit.
CHILD = """
import sys
from catalog import Catalog
print("imported", flush=True); sys.stdin.readline()
model = {} if sys.argv[2] == "model" else {"recommender_loader": lambda *_: None}
cat = Catalog.load(sys.argv[1], **model)
for q in ("the lion king", "amelie", "stranger things", "spiderman", "breaking bad"):
    cat.search(q); cat.where_to_watch(q)
for p in ("netflix", "amazon", "disney", "hulu"):
    cat.max_duration(2019, p); cat.actor(p, 2019); cat.score_count(p, 3.5, 2019); cat.popular(10, p)
print("loaded", cat.recommender is not None, flush=True); sys.stdin.readline()
"""


def _figures(procs: list[subprocess.Popen[str]]) -> list[dict[str, float]]:
    out = []
    for p in procs:
        m = psutil.Process(p.pid).memory_full_info()
        out.append(
            {"rss": m.rss / MiB, "uss": m.uss / MiB, "pss": m.pss / MiB, "shared": m.shared / MiB}
        )
    return out


def measure(data: Path, processes: int, model: bool) -> dict[str, list[dict[str, float]]]:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(data), "model" if model else "none"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for _ in range(processes)
    ]
    try:
        for p in procs:
            assert p.stdout is not None and p.stdout.readline().startswith("imported")
        imported = _figures(procs)
        for p in procs:
            assert p.stdin is not None
            p.stdin.write("\n")
            p.stdin.flush()
        for p in procs:
            assert p.stdout is not None
            line = p.stdout.readline()
            if not line.startswith("loaded"):
                raise RuntimeError(f"bench catalog memory: a child failed ({line!r})")
        loaded = _figures(procs)
        for p in procs:
            assert p.stdin is not None
            p.stdin.write("\n")
            p.stdin.flush()
    finally:
        for p in procs:
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
    return {"imported": imported, "loaded": loaded}


def process_rows(
    label: str, data: Path, processes: int, model: bool
) -> tuple[list[Row], dict[str, list[dict[str, float]]]]:
    """Rows for one data dir: per process (median figures) and for all of them together."""
    m = measure(data, processes, model)
    imp, lo = m["imported"], m["loaded"]

    def med(key: str, figures: list[dict[str, float]]) -> float:
        values = sorted(f[key] for f in figures)
        return values[len(values) // 2]

    total_rss = sum(f["rss"] for f in lo)
    total_pss = sum(f["pss"] for f in lo)
    growth_pss = sum(f["pss"] for f in lo) - sum(f["pss"] for f in imp)
    rows = [
        Row(
            f"{label}: per process after load, RSS / USS / PSS / shared (median of {processes})",
            "",
            f"{med('rss', lo):.0f} / {med('uss', lo):.0f} / {med('pss', lo):.0f} /"
            f" {med('shared', lo):.0f} MiB",
        ),
        Row(
            f"{label}: the load's growth per process, RSS / USS / PSS",
            "",
            f"{med('rss', lo) - med('rss', imp):.0f} / {med('uss', lo) - med('uss', imp):.0f} /"
            f" {med('pss', lo) - med('pss', imp):.0f} MiB",
        ),
        Row(
            f"{label}: {processes} processes together, sum of RSS / sum of PSS (the load's PSS)",
            "",
            f"{total_rss:.0f} / {total_pss:.0f} MiB ({growth_pss:.0f})",
        ),
    ]
    return rows, m


def main(argv: list[str]) -> None:
    """`python -m bench.catalog_memory DATA_DIR [N]`: print the rows (no docs written)."""
    data = Path(argv[0])
    n = int(argv[1]) if len(argv) > 1 else 3
    rows, m = process_rows(str(data), data, n, model=True)
    for r in rows:
        print(f"{r.figure:<90} {r.measured}")
    print(json.dumps(m, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
