"""Catalog.load step by step: where the load budget goes (rows for `python -m bench catalog`).

Each step is timed on its own, as catalog/loading.py runs it, median of `loads`; the indented
rows are parts of the step above them. A load reads the parquet files' bytes (fingerprint,
footer) and processed/index/; the build steps below it now run when the release is built
(etl/indexes.py), and at load only for a processed/ folder without an index (an older release).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np

from bench.report import Row

T = TypeVar("T")


def load_step_rows(data: Path, loads: int) -> list[Row]:
    from catalog import index, loading, questions, rows, stored
    from catalog.search.tables import build_tables
    from domain.testrows import flag_test_rows

    walls: dict[str, list[float]] = {}
    cpus: dict[str, list[float]] = {}

    def timed(name: str, fn: Callable[..., T], *args: object, **kwargs: object) -> T:
        cpu, started = time.process_time(), time.perf_counter()
        out = fn(*args, **kwargs)
        walls.setdefault(name, []).append(time.perf_counter() - started)
        cpus.setdefault(name, []).append(time.process_time() - cpu)
        return out

    processed = data / "processed"
    for _ in range(loads):
        sources = timed(
            "read the 3 parquet files' bytes (sha256, footer, contract)",
            lambda: [loading.read_source(processed / n) for n in stored.SOURCES],
        )
        sha = {s.info.name: s.info.sha256 for s in sources}
        timed("read processed/index/ (catalog/stored.py)", stored.read_index, processed, sha)
        titles, _ = timed(
            "build: read + check titles.parquet", loading.read_parquet, processed / "titles.parquet"
        )
        scores, _ = timed(
            "build: read + check scores.parquet", loading.read_parquet, processed / "scores.parquet"
        )
        display, _ = timed(
            "build: read + check display.parquet",
            loading.read_parquet,
            processed / "display.parquet",
        )
        titles, display = rows.first_row_per_id(titles, display)
        table = rows.build_rows(titles, scores, display)
        timed(
            "build: build_rows (rows, display text, scores, popular lists)",
            rows.build_rows,
            titles,
            scores,
            display,
        )
        col = {c: titles.column(c).to_pylist() for c in ("title", "cast", "description")}
        timed(
            "  test-row flags (domain/testrows.py, Arrow RE2)",
            flag_test_rows,
            col["title"],
            col["cast"],
            col["description"],
        )
        timed(
            "build: build_questions (the four questions for every key)",
            questions.build_questions,
            table,
        )
        timed("  cast members split (Arrow) and deduplicated", questions._cast_members, table)
        timed("build: build_search (name index, name rows and groups)", index.build_search, table)
        served = np.flatnonzero(~table.test).tolist()
        folded = [table.folded[r] for r in served]
        votes = table.votes[served].tolist()
        names = [table.display_title[r] for r in served]
        timed(
            "  name tables (postings, suffixes, SymSpell deletions)",
            build_tables,
            folded,
            votes=votes,
            titles=names,
        )
        kinds = dict(zip(table.ids, table.kind, strict=True))
        timed(
            "load_recommender (svd.pkl)",
            loading.load_recommender,
            data / "models",
            3.5,
            kinds,
            None,
        )
    # CPU time is the steadier figure on a shared machine (wall includes waiting for a core;
    # reading parquet uses Arrow's threads, so its CPU may exceed its wall time).
    return [
        Row(
            f"Catalog.load step: {name}, median of {len(t)}: wall (CPU)",
            "",
            f"{statistics.median(t) * 1000:.0f} ms ({statistics.median(cpus[name]) * 1000:.0f})",
        )
        for name, t in walls.items()
    ]
