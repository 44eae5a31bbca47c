"""`python -m bench catalog`: Catalog.load time and memory, and latency of every question.

Data: the real Kaggle titles (../shared/data/raw/titles) through the ETL with demo ratings for
the real ids, and an SVD model trained on them, built once under data/bench/catalog/ (or an
existing data dir with --data-dir). Each question is asked `--repeat` times with arguments drawn
from the data, passed the way users type them (strings, aliases), so parsing is timed too.
"""

from __future__ import annotations

import os

# Measure what the serving processes run: one BLAS thread (api/__main__.py sets the same). With
# OpenBLAS's default threads on a busy 2-core machine every model call took ~8 ms instead of
# ~0.5 ms (threads waiting for a core). Only effective if numpy is not imported yet.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import gc  # noqa: E402
import random  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import psutil  # noqa: E402

from bench.catalog_load import load_step_rows  # noqa: E402
from bench.catalog_memory import process_rows  # noqa: E402
from bench.catalog_questions import questions, time_calls, with_typo  # noqa: E402
from bench.report import ROOT, Row, write_results  # noqa: E402

REAL_TITLES = ROOT.parent / "shared" / "data" / "raw" / "titles"
TARGET_MS = 5.0
# Issue 14: search and where-to-watch p99 under 1 ms. Judged on the thread-CPU p99: on the shared
# 2-core machine a busy neighbour adds a scheduler slice (~4 ms) to the wall p99 of anything.
SEARCH_TARGET_MS = 1.0
SEARCH_QUESTIONS = ("search", "where_to_watch", "resolve_title")
TARGET_LOAD_S = 0.3  # issue 24: Catalog.load on the real titles with the model, index read
MEMORY_PROCESSES = 3  # serving processes measured together (bench/catalog_memory.py)


def build(work: Path, ratings: int, train: bool) -> Path:
    """Real titles + demo ratings -> processed/ (+ models/) under work/data, once."""
    data = work / f"data-{ratings}"
    py = sys.executable
    if not (data / "processed" / "titles.parquet").exists():
        raw = work / f"raw-{ratings}"
        subprocess.run(
            [py, "-m", "etl.demo", "--out", str(raw), "--titles-from", str(REAL_TITLES),
             "--ratings", str(ratings), "--seed", "1"],
            check=True, cwd=ROOT,
        )  # fmt: skip
        subprocess.run(
            [py, "-m", "etl", "--titles", str(REAL_TITLES), "--ratings", str(raw / "ratings"),
             "--out", str(data / "processed"), "-q"],
            check=True, cwd=ROOT,
        )  # fmt: skip
    if train and not _model_loads(data / "models"):
        subprocess.run(
            [py, "-m", "model", "train", "--data-dir", str(data), "--quiet"], check=True, cwd=ROOT
        )
    return data


def with_index(data: Path) -> Path:
    """A data dir processed by an ETL older than processed/index/ gets the index written."""
    from catalog.loading import write_catalog_index
    from catalog.stored import FOLDER, MANIFEST

    if not (data / "processed" / FOLDER / MANIFEST).exists():
        print(f"bench catalog: writing {data / 'processed' / FOLDER} (processed by an older ETL)")
        write_catalog_index(data / "processed")
    return data


def without_index(data: Path, work: Path) -> Path:
    """The same parquet files (hard links) and model without processed/index/: an older
    release, which Catalog.load builds the index for, as every load did before issue 24."""
    from catalog.stored import FOLDER

    old = work / "no-index"
    shutil.rmtree(old, ignore_errors=True)
    (old / "processed").mkdir(parents=True)
    for path in (data / "processed").iterdir():
        if path.name != FOLDER and path.is_file():
            os.link(path, old / "processed" / path.name)
    if (data / "models").is_dir():
        (old / "models").symlink_to((data / "models").resolve())
    return old


def _no_model(*_: object) -> Any:
    # Catalog.load takes a loader that fails as "no model" (recommender None, model_error set).
    raise LookupError("bench catalog: loaded without the model")


def timed_loads(data: Path, loads: int, model: bool) -> tuple[list[float], list[float]]:
    """(wall, CPU) seconds of `loads` Catalog.load calls, each after a full collection."""
    from catalog import Catalog

    walls, cpus = [], []
    for _ in range(loads):
        gc.collect()
        t, c = time.perf_counter(), time.process_time()
        Catalog.load(data, recommender_loader=None if model else _no_model)
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    return walls, cpus


def _model_loads(models: Path) -> bool:
    """False when there is no model or one an older model/ code can no longer read."""
    if not (models / "svd.pkl").exists():
        return False
    from model.recommender import ModelError, Recommender

    try:
        Recommender.load(models)
    except ModelError as e:
        print(f"bench catalog: retraining, the cached model does not load: {e}")
        return False
    return True


def library_rows(cat: Any, rng: random.Random) -> list[Row]:
    """bench/search_libraries.py on the catalogue's names: relevance and speed per engine."""
    from bench.search_libraries import compare
    from catalog.search.index import NameIndex
    from catalog.search.tables import build_tables
    from tests.catalog.test_catalog_relevance import CASES, GARBAGE

    served = sorted(set(cat.index.rows.row_of_id.values()))
    names = [
        cat.index.rows.display_title[r] for r in served if len(cat.index.rows.display_title[r]) >= 4
    ]
    mix = (
        [rng.choice(names) for _ in range(700)]
        + [with_typo(rng, rng.choice(names)) for _ in range(700)]
        + [rng.choice(names).split()[0] for _ in range(600)]
    )

    def rebuild() -> NameIndex:  # as catalog.index.build_search builds it
        return NameIndex(
            build_tables(
                [cat.index.rows.folded[r] for r in served],
                votes=cat.index.rows.votes[served].tolist(),
                titles=[cat.index.rows.display_title[r] for r in served],
            )
        )

    rows = []
    for r in compare(cat.index.search.names, CASES, GARBAGE, mix, rebuild):
        if r.get("missing"):
            rows.append(Row(f"search engine {r['engine']}", "", "not installed"))
            continue
        rows.append(
            Row(
                f"search engine {r['engine']}: first result right / garbage answered with"
                " nothing / p50 / p99 wall (p99 CPU) / index build",
                "",
                f"{r['top1']}/{r['cases']} / {r['garbage_empty']}/{r['garbage']} /"
                f" {r['p50']:.3f} / {r['p99']:.3f} ms ({r['cpu_p99']:.3f}) /"
                f" {r['build_s']:.2f} s",
            )
        )
    return rows


def main(argv: list[str]) -> None:
    p = argparse.ArgumentParser(prog="python -m bench catalog")
    p.add_argument("--data-dir", type=Path, help="an existing dir with processed/ (and models/)")
    p.add_argument("--work", type=Path, default=ROOT / "data" / "bench" / "catalog")
    p.add_argument("--ratings", type=int, default=1_000_000, help="demo ratings for real ids")
    p.add_argument("--no-model", action="store_true", help="do not train/load a model")
    p.add_argument("--repeat", type=int, default=2000, help="calls per question")
    p.add_argument("--loads", type=int, default=5, help="Catalog.load repetitions")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-write", action="store_true", help="print only, keep docs/ as they are")
    p.add_argument(
        "--compare-search-libraries",
        action="store_true",
        help="also measure bm25s and tantivy (if installed) against the hand-made name index",
    )
    args = p.parse_args(argv)

    from catalog import Catalog  # after argparse: --help stays fast

    data = with_index(args.data_dir or build(args.work, args.ratings, train=not args.no_model))
    old = without_index(data, args.work)
    proc = psutil.Process()
    gc.collect()
    rss0 = proc.memory_info().rss
    started, cpu_started = time.perf_counter(), time.process_time()
    cat = Catalog.load(data)
    first_load = time.perf_counter() - started
    first_cpu = time.process_time() - cpu_started
    gc.collect()
    rss_delta = (proc.memory_info().rss - rss0) / 2**20
    # Read and built alternate in one run, so that the ratio compares like with like.
    read_wall, read_cpu, built_wall, built_cpu = [first_load], [first_cpu], [], []
    for _ in range(args.loads - 1):
        w, c = timed_loads(data, 1, True)
        read_wall += w
        read_cpu += c
        w, c = timed_loads(old, 1, True)
        built_wall += w
        built_cpu += c
    data_only, data_only_cpu = timed_loads(data, args.loads, False)
    gc.collect()
    med = statistics.median

    model = "with model" if cat.recommender is not None else f"no model ({cat.model_error})"
    rows = [
        Row(
            f"Catalog.load, processed/index/ read ({cat.info.titles:,} titles, {model}),"
            f" median of {len(read_wall)}: wall (CPU)",
            f"≤ {TARGET_LOAD_S:g} s CPU",
            f"{med(read_wall):.2f} s ({med(read_cpu):.2f} s; first {first_cpu:.2f} s CPU)",
            med(read_cpu) <= TARGET_LOAD_S,
        ),
        Row(
            f"Catalog.load, index built at load (no processed/index/: an older release, as"
            f" every load before issue 24), median of {len(built_wall)}: wall (CPU)",
            "",
            f"{med(built_wall):.2f} s ({med(built_cpu):.2f} s)",
        ),
        Row(
            "Catalog.load, index read / index built at load (ratio of the CPU medians, same run)",
            "",
            f"{med(read_cpu) / med(built_cpu):.0%}",
        ),
        Row(
            f"Catalog.load, index read, without the model, median of {len(data_only)}: wall (CPU)",
            "",
            f"{med(data_only):.2f} s ({med(data_only_cpu):.2f} s)",
        ),
        Row("Catalog.load memory (RSS growth, first load, index read)", "", f"{rss_delta:.0f} MiB"),
    ]
    # With the model (what a replica holds) and without it (the catalogue's own share).
    for model_loaded in dict.fromkeys((cat.recommender is not None, False)):
        which = "with model" if model_loaded else "without the model"
        for label, folder in (("index read", data), ("index built at load", old)):
            rows += process_rows(
                f"{MEMORY_PROCESSES} processes, {label}, {which}",
                folder,
                MEMORY_PROCESSES,
                model_loaded,
            )[0]
    rows += load_step_rows(data, args.loads)
    rng = random.Random(args.seed)
    asked = questions(cat, rng, args.repeat)
    for fn, arguments in asked.values():  # warm caches (rapidfuzz, numpy) before any timing
        for a in arguments[:50]:
            fn(*a)
    gc.collect()  # the garbage of the repeated loads above is not a question's cost
    for name, (fn, arguments) in asked.items():
        t = time_calls(fn, arguments)
        if name.startswith(SEARCH_QUESTIONS) and "no such title" not in name:
            target, met = f"CPU p99 < {SEARCH_TARGET_MS:g} ms", t["cpu_p99"] < SEARCH_TARGET_MS
        elif "no such title" in name:
            target, met = "", None  # a fallback path; no target of its own
        else:
            target, met = f"p99 < {TARGET_MS:g} ms", t["p99"] < TARGET_MS
        rows.append(
            Row(
                f"{name}: p50 / p99 wall (p99 CPU)",
                target,
                f"{t['p50']:.3f} / {t['p99']:.3f} ms ({t['cpu_p99']:.3f})",
                met,
            )
        )
    if args.compare_search_libraries:
        rows += library_rows(cat, rng)
    blas = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    load_avg = ", ".join(f"{x:.1f}" for x in psutil.getloadavg())
    for r in rows:
        print(f"{r.figure:<70} {r.measured:>24}  {r.target:>12}  {r.met}")
    sizes = ", ".join(f"{f.name} {f.bytes / 2**20:.1f} MiB" for f in cat.info.files)
    notes = (
        f"Data: the real titles ({cat.info.titles:,}) through the ETL with "
        f"{args.ratings:,} demo ratings for the real ids ({sizes}); "
        f"model: {cat.info.model.get('params', 'none')}. Each question is asked {args.repeat:,}"
        " times with arguments drawn from the data and typed the way users type them (aliases,"
        " strings), so argument parsing is included; one thread, after 50 warm-up calls of every"
        " question. Catalog.load reads processed/index/ (written by the ETL with the parquet"
        " files, catalog/stored.py: numpy arrays memory-mapped, Arrow IPC tables memory-mapped,"
        " Python lists and sets made from them in bulk); the 'index built at load' rows load the"
        " same parquet and model without processed/index/ (hard links; an older release), which"
        " builds everything as every load did before issue 24; the two alternate in one run. The"
        " load target is judged on CPU time: on this shared 2-core machine the wall time includes"
        f" waiting for a core. Memory rows: {MEMORY_PROCESSES} processes load the same data dir at"
        " once and answer a few questions; psutil memory_full_info (/proc/<pid>/smaps_rollup)"
        " per process while all are alive: RSS counts shared pages in every process, PSS divides"
        " them among the processes that map them (the sum of PSS is the real total), USS is"
        " private; 'growth' is after the load minus after the imports (bench/catalog_memory.py)."
        " The four questions are dict lookups on tables precomputed with the release; search and"
        " where-to-watch use catalog/search/'s name index over ~22k unique names (word"
        " postings, a SymSpell deletion index for typos, a sorted list of word suffixes for exact"
        " names and phrases; rapidfuzz only for queries no word matches); the search rows are"
        ' judged on their thread-CPU p99 (target of issue 14), "no such title" is random'
        " letters and symbols (the fallback path) and has no target."
        " The search engine rows (--compare-search-libraries) run"
        " tests/catalog/test_catalog_relevance.py's queries and a mix of exact names, names with"
        " one typo and first words through each engine over the same names: bm25s (BM25 over the"
        " words, exact tokens) and tantivy (a RAM index, each word a Levenshtein-1 fuzzy term,"
        " the last also a prefix, plus the words as a phrase boosted x3); see"
        " bench/search_libraries.py. The relevance queries were written for issue 14 and the"
        " hand-made index tuned on them, so its 100 % there is no blind score."
        f" Load average at the end of the run: {load_avg} on {psutil.cpu_count()} cores (other"
        " work shares the machine; the CPU-time p99 in brackets excludes waiting for a core)."
        " top/similar/for_ratings time the model's numpy work (model/recommender.py) plus the"
        f" catalogue's mapping to display titles; OPENBLAS_NUM_THREADS={blas} as in `python -m"
        " api` (with OpenBLAS's default threads each model call waited ~8 ms for a busy core)."
    )
    if not args.no_write:
        write_results("catalog", rows, notes)


if __name__ == "__main__":
    main(sys.argv[1:])
