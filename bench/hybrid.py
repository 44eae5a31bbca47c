"""`python -m bench hybrid [--size 1000000] [--engine surprise|spark]`: the hybrid recommender's
costs and its /similar target, on the real titles (../shared/data/raw/titles) with demo ratings.

Surprise (the default): training with content (svd.json's seconds and peak memory; the
hybrid's share); model and catalogue load, memory and the first /similar of a fresh process
with the raters file, without it (an older model) and, with `--before DIR` (a checkout of the
code before it, e.g. `git archive <commit> | tar -x -C DIR`), as that code serves the same
model, alternating in child processes; top-10 latency as wall and CPU time (thread_time) per
call, with and without the content part, for one person asked every time (identical work: its
tail is the machine's) and with gc.freeze(), all alternating in one run, with the garbage
collections counted; a newcomer's top-10; /similar's latency and, for well-known titles, how
many of its first 5 share a genre with the title asked about (target: >= 3).

`--engine spark`: `train --engine spark` on the same data (the hybrid chosen with ALS fits),
its time, memory and choice; those rows join the stored ones. `--no-train` reuses the models.
Demo data lives under data/bench/hybrid/<size>/; the load average is in every timing row.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import pickle
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench.report import ROOT, Row, merged, stored_notes, stored_rows, write_results

REAL_TITLES = ROOT.parent / "shared" / "data" / "raw" / "titles"
WELL_KNOWN = (
    "stranger things", "the irishman", "frozen", "toy story", "breaking bad", "narcos",
    "the simpsons", "jaws", "the mandalorian", "black panther", "parks and recreation",
    "the crown", "the office", "moana", "ozark", "the godfather",
)  # fmt: skip
ROUNDS = 7  # child processes per variant, alternating
SPARK = "Spark engine: "  # the figures of `--engine spark` runs, kept by the Surprise runs
SPARK_NOTES = "\n\nSpark engine"
_TRAINED = "bench-train.json"  # the bench's own note of a training: wall time, load average

# A fresh process: load (the model alone, or the catalogue), then the first /similar.
_CHILD = """
import json, resource, sys, time
from pathlib import Path
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20
kind, folder, title = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
if kind == "model":
    from model.recommender import Recommender
    base = rss()
    c = time.process_time(); t = time.perf_counter(); rec = Recommender.load(folder)
    load, cpu = time.perf_counter() - t, time.process_time() - c
else:
    from catalog import Catalog
    base = rss()
    c = time.process_time(); t = time.perf_counter(); rec = Catalog.load(folder).recommender
    load, cpu = time.perf_counter() - t, time.process_time() - c
loaded = rss()
t = time.perf_counter(); rec.similar_explained(title, 5); first = time.perf_counter() - t
print(json.dumps({"load": load, "load_cpu": cpu, "first": first, "rss_load": loaded - base,
                  "rss_first": rss() - loaded,
                  "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())


def _load() -> str:
    return "load " + " / ".join(f"{x:.1f}" for x in os.getloadavg())


def _train(data: Path, budget: int, engine: str, driver_memory: str | None) -> tuple[float, str]:
    """Train in a child process; (wall seconds, load averages), also kept beside the models for
    a later `--no-train` run to report."""
    py = sys.executable
    cmd = [py, "-m", "model", "train", "--data-dir", str(data), "--quiet"]
    if engine == "spark":
        cmd = [py, "-m", "model", "train", "--engine", "spark", "--data-dir", str(data)]
        cmd += ["--spark-driver-memory", driver_memory] if driver_memory else []
    else:
        cmd += ["--budget", str(budget)]
    before = _load()
    started = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT)
    wall = time.perf_counter() - started
    print(f"train ({engine}): {wall:.0f} s", file=sys.stderr)
    load = f"{before} before, {_load()} after; finished {_now()}"
    (data / "models" / _TRAINED).write_text(json.dumps({"wall": wall, "load": load}))
    return wall, load


def _trained(data: Path) -> tuple[float, str]:
    """What `_train` recorded for the models there (NaN and "" when they came otherwise)."""
    try:
        got = json.loads((data / "models" / _TRAINED).read_text())
        return float(got["wall"]), str(got["load"])
    except (OSError, ValueError, KeyError):
        return float("nan"), ""


def _prepare(base: Path, size: int) -> Path:
    data = base / "data"
    py = sys.executable
    if not (data / "processed" / "content.npz").is_file():
        demo = [py, "-m", "etl.demo", "--out", str(base / "raw"), "--titles-from",
                str(REAL_TITLES), "--ratings", str(size), "--seed", "42"]  # fmt: skip
        etl = [py, "-m", "etl", "--titles", str(REAL_TITLES), "--ratings",
               str(base / "raw" / "ratings"), "--out", str(data / "processed"), "-q"]  # fmt: skip
        subprocess.run(demo, check=True)
        subprocess.run(etl, check=True)
    return data


def _beside(data: Path, folder: Path, models: Callable[[Path, Path], None] | None) -> Path:
    """A data folder sharing `data`'s processed/ (a link), with `models(src, dst)` copied in."""
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / "processed"
    if not link.exists():
        link.symlink_to((data / "processed").resolve())
    if models is not None:
        shutil.rmtree(folder / "models", ignore_errors=True)
        models(data / "models", folder / "models")
    return folder


def _without_raters(src: Path, dst: Path) -> None:
    """The same model without its raters file: what a model trained before it is."""
    dst.mkdir(parents=True)
    for name in ("svd.pkl", "svd.json"):
        shutil.copy(src / name, dst / name)


def _without_content(src: Path, dst: Path) -> None:
    """The same artifact without its content part: what a model from before issue 21 is."""
    dst.mkdir(parents=True)
    body = pickle.loads((src / "svd.pkl").read_bytes())
    body.pop("content", None)
    (dst / "svd.pkl").write_bytes(pickle.dumps(body, protocol=5))
    (dst / "svd.json").write_text((src / "svd.json").read_text())
    for raters in src.glob("raters.*.npy"):
        shutil.copy(raters, dst / raters.name)


def _p(values: list[float], q: float) -> float:
    return float(np.percentile(values, q) * 1000)


def _child(tree: Path, kind: str, folder: Path, title: str) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, kind, str(folder), title],
        cwd=tree, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    got: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return got


def first_similar_rows(
    variants: dict[str, tuple[Path, Path]], title: str, label: str
) -> tuple[list[Row], dict[str, dict[str, dict[str, float]]]]:
    """Load and first-/similar cost of fresh processes, each variant (code tree, data folder)
    in turn, ROUNDS times; the median of each figure."""
    runs: dict[str, dict[str, list[dict[str, float]]]] = {
        kind: {v: [] for v in variants} for kind in ("model", "catalog")
    }
    load_before = _load()
    for _ in range(ROUNDS):
        for name, (tree, data) in variants.items():
            runs["model"][name].append(_child(tree, "model", data / "models", title))
            runs["catalog"][name].append(_child(tree, "catalog", data, title))
    med = {
        kind: {
            name: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for name, rs in by.items()
        }
        for kind, by in runs.items()
    }
    load = f"{load_before} before, {_load()} after"
    names = list(variants)
    m, c = med["model"], med["catalog"]

    def each(fig: dict[str, dict[str, float]], key: str, scale: float, fmt: str) -> str:
        return " / ".join(f"{fig[n][key] * scale:{fmt}}" for n in names)

    which = " / ".join(names)

    def wall_cpu(fig: dict[str, dict[str, float]]) -> str:
        return " / ".join(
            f"{fig[n]['load'] * 1000:.0f} ({fig[n]['load_cpu'] * 1000:.0f})" for n in names
        )

    def not_slower(fig: dict[str, dict[str, float]]) -> bool | None:
        # on CPU time: the wall of one load swings by a third on the shared cores
        if "before" not in names:
            return None
        return fig[names[0]]["load_cpu"] <= fig["before"]["load_cpu"] * 1.05

    rows = [
        Row(f"fresh process, {which}: Recommender.load, wall (CPU) ms, median of {ROUNDS}",
            "not slower than before", wall_cpu(m) + f" ({load})", not_slower(m)),
        Row(f"fresh process, {which}: Catalog.load, wall (CPU) ms", "not slower than before",
            wall_cpu(c), not_slower(c)),
        Row(f"fresh process, {which}: first similar_explained(5) of {label}, ms",
            "< 0.1 s (1.6 s before)", each(m, "first", 1000, ".1f"), m[names[0]]["first"] < 0.1),
        Row(f"fresh process, {which}: memory, MiB added by the model load / by the first"
            " /similar", "", " ; ".join(
                f"{m[n]['rss_load']:.0f} / {m[n]['rss_first']:.0f}" for n in names)
            + "; peak RSS " + each(m, "peak", 1, ".0f")),
    ]  # fmt: skip
    return rows, med


def _timed(fn: Callable[[int], object], arg: int) -> tuple[float, float]:
    """(wall, CPU time of this thread) of one call, in seconds."""
    cpu, wall = time.thread_time_ns(), time.perf_counter_ns()
    fn(arg)
    return (time.perf_counter_ns() - wall) / 1e9, (time.thread_time_ns() - cpu) / 1e9


def top_n_rows(rec: Any, plain: Any, calls: int) -> list[Row]:
    """top_n(10) wall and CPU time per call, variants alternating call by call; then gc.freeze()
    against the default in alternating blocks; the collections the calls set off, counted."""
    users = rec.user_ids[np.random.default_rng(0).integers(0, len(rec.user_ids), calls)].tolist()
    one = users[0]
    variants: dict[str, Callable[[int], object]] = {
        "with content": lambda u: rec.top_n(u, 10),
        "without content": lambda u: plain.top_n(u, 10),
        "one person every call": lambda _u: rec.top_n(one, 10),
    }
    blocks = ["after gc.freeze()", "default gc (blocks)"]
    wall: dict[str, list[float]] = {v: [] for v in [*variants, *blocks]}
    cpu: dict[str, list[float]] = {v: [] for v in wall}
    collections: list[int] = []
    paused: list[float] = []
    started = [0.0]

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            collections.append(info["generation"])
            paused.append(time.perf_counter() - started[0])

    for u in users[:50]:  # warm: the first calls fill caches and the filter masks
        for fn in variants.values():
            fn(u)
    load_before = _load()
    gc.callbacks.append(count)
    try:
        for u in users:
            for name, fn in variants.items():
                w, c = _timed(fn, u)
                wall[name].append(w)
                cpu[name].append(c)
        # gc.freeze() moves every object alive into a generation no collection scans, as a
        # server does after loading; alternating blocks (the freeze is process-wide)
        for block in range(0, calls, 200):
            for name in ("after gc.freeze()", "default gc (blocks)"):
                if name == "after gc.freeze()":
                    gc.freeze()
                for u in users[block : block + 200]:
                    w, c = _timed(variants["with content"], u)
                    wall[name].append(w)
                    cpu[name].append(c)
                gc.unfreeze()
    finally:
        gc.callbacks.remove(count)
    load = f"{load_before} before, {_load()} after"

    def fig(name: str) -> str:
        return (
            f"wall {_p(wall[name], 50):.2f} / {_p(wall[name], 99):.2f} ms, CPU"
            f" {_p(cpu[name], 50):.2f} / {_p(cpu[name], 99):.2f} ms"
        )

    gens = {g: collections.count(g) for g in (0, 1, 2)}
    longest = max(paused, default=0.0) * 1000
    return [
        Row(f"top_n(10) p50 / p99, known person ({calls:,} people; {load})", "p99 ≤ 1 ms",
            fig("with content"), _p(wall["with content"], 99) <= 1.0),
        Row("top_n(10) p50 / p99, CPU time of the call (thread_time): the code's share",
            "p99 ≤ 1 ms", f"{_p(cpu['with content'], 50):.2f} /"
            f" {_p(cpu['with content'], 99):.2f} ms", _p(cpu["with content"], 99) <= 1.0),
        Row("top_n(10) p50 / p99 without the content part (same calls, alternating)", "",
            fig("without content")),
        Row("top_n(10) p50 / p99, one person every call (identical work; alternating)",
            "", fig("one person every call")),
        Row("top_n(10) p50 / p99 after gc.freeze() / default (alternating blocks of 200)",
            "", f"{fig('after gc.freeze()')} / {fig('default gc (blocks)')}"),
        Row(f"garbage collections during the {5 * calls:,} timed calls (generation 0 / 1 / 2)",
            "", f"{gens[0]} / {gens[1]} / {gens[2]}, longest {longest:.1f} ms"),
    ]  # fmt: skip


def spark_rows(data: Path, base: Path, size: int, train: bool, driver: str | None) -> list[Row]:
    folder = _beside(data, base / "spark", None)
    wall, load = _train(folder, 0, "spark", driver) if train else _trained(folder)
    meta = json.loads((folder / "models" / "svd.json").read_text())
    s, h = meta["seconds"], meta.get("hybrid") or {}
    nt = h.get("new_title_rmse") or {}
    best, fallback = nt.get(f"alpha {h.get('alpha', 0):g}"), nt.get("mean + person bias")
    jvm = (meta.get("jvm_rss_mb") or 0) / 1024
    return [
        Row(f"{SPARK}train --engine spark with content, {size:,} ratings", "≤ 10 min at 11M",
            f"{wall:.0f} s wall: read {s['read']:.0f} s, Spark start {s['spark_start']:.0f} s,"
            f" biases + ALS {s['fit']:.0f} s, hybrid {s.get('hybrid', 0):.0f} s (its choice:"
            f" one more ALS fit on {h.get('ratings', 0):,} ratings, the ridges); {load}",
            wall <= 600 if size >= 11_000_000 else None),
        Row(f"{SPARK}train --engine spark memory (driver and JVM are two processes)", "",
            f"Python driver {meta['peak_rss_mb'] / 1024:.2f} GiB peak, JVM {jvm:.2f} GiB at the"
            f" end of the ALS fit (driver memory {meta['spark']['driver_memory']})", None),
        Row(f"{SPARK}new-title RMSE (its choice, held-out titles)", "below mean + person bias",
            f"{best:.4f} vs {fallback:.4f} ({100 * (1 - best / fallback):+.1f}%); chosen ridge"
            f" {h.get('alpha')}, K {h.get('shrink')}" if best and fallback else "-",
            bool(best and fallback and best < fallback)),
    ]  # fmt: skip


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench hybrid")
    ap.add_argument("--size", type=int, default=1_000_000)
    ap.add_argument("--budget", type=int, default=120, help="train's search budget, seconds")
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--engine", choices=("surprise", "spark"), default="surprise")
    ap.add_argument("--no-train", action="store_true", help="reuse the trained models")
    ap.add_argument("--spark-driver-memory", default=None)
    ap.add_argument(
        "--before",
        type=Path,
        default=None,
        help="a checkout of earlier code (a folder named after its commit) to compare with",
    )
    args = ap.parse_args(argv)
    if not REAL_TITLES.is_dir():
        print(f"bench hybrid: the real titles are not at {REAL_TITLES}; skipped")
        return
    base = ROOT / "data" / "bench" / "hybrid" / str(args.size)
    data = _prepare(base, args.size)
    if args.engine == "spark":
        rows = spark_rows(data, base, args.size, not args.no_train, args.spark_driver_memory)
        notes = stored_notes("hybrid").split(SPARK_NOTES)[0]
        notes += (
            f"{SPARK_NOTES} (`bench hybrid --engine spark`, {_now()}):"
            " `train --engine spark` on the same ratings and content.npz, local[2]; the hybrid"
            " is chosen with ALS fits (svd.json `hybrid.chosen_with`). The 2 cores were shared"
            " with other work (load average in the row)."
        )
        write_results("hybrid", merged("hybrid", rows), notes)
        print("\n".join(f"{r.figure}: {r.measured}" for r in rows))
        return
    wall, train_load = (
        _train(data, args.budget, "surprise", None) if not args.no_train else _trained(data)
    )
    meta = json.loads((data / "models" / "svd.json").read_text())
    plain_dir = _beside(data, base / "plain", _without_content) / "models"
    older = _beside(data, base / "no_raters", _without_raters)

    from catalog import Catalog
    from domain.genres import genre_keys, is_telling
    from model.recommender import Recommender

    rec = Recommender.load(data / "models")
    plain = Recommender.load(plain_dir)
    most_rated = rec.title_ids[int(np.argmax(rec.title_counts))]
    variants = {"raters file": (ROOT, data), "no raters file (older model)": (ROOT, older)}
    if args.before is not None:
        variants["before"] = (args.before.resolve(), data)
    first_rows, _ = first_similar_rows(variants, most_rated, f"the most rated title ({most_rated})")
    raters = next((data / "models").glob("raters.*.npy"), None)
    top_rows = top_n_rows(rec, plain, args.calls)

    rng = np.random.default_rng(1)
    rated = [t for t, c in zip(rec.title_ids, rec.title_counts.tolist(), strict=True) if c >= 20]
    newcomer: list[float] = []
    for _ in range(300):
        given = {t: float(rng.integers(1, 6)) for t in rng.choice(rated, 3, replace=False)}
        vector = rec.fold_in(given)
        t = time.perf_counter()
        rec.top_n_for(vector, 10)
        newcomer.append(time.perf_counter() - t)

    cat = Catalog.load(data)
    shares: dict[str, int] = {}
    sim_times: list[float] = []
    for name in WELL_KNOWN:
        ref = cat.resolve_title(name).title
        if ref is None:
            continue
        card = cat.title(ref.id)
        own = {g for g in genre_keys(card.listed_in if card else None) if is_telling(g)}
        t = time.perf_counter()
        rec.similar_explained(ref.id, 5)
        sim_times.append(time.perf_counter() - t)
        got = cat.similar(ref.id, 5)
        shares[ref.title] = sum(
            bool(own & {g for g in genre_keys(getattr(cat.title(x.title.id), "listed_in", None))})
            for x in got
        )
    h = meta.get("hybrid") or {}
    nt = h.get("new_title_rmse") or {}
    best = nt.get(f"alpha {h.get('alpha', 0):g}")
    fallback = nt.get("mean + person bias")
    secs = meta["seconds"]
    total = wall if wall == wall else sum(v for v in secs.values() if isinstance(v, float))
    met_share = all(s >= 3 for s in shares.values())
    rows = [
        Row(f"train with content, {args.size:,} ratings (search {args.budget} s)",
            "≤ 10 min at 11M", f"{total:.0f} s (hybrid {secs.get('hybrid', 0):.0f} s);"
            f" {train_load or 'svd.json seconds (not timed by the bench)'}",
            total <= 600 if args.size >= 11_000_000 else None),
        Row("train peak memory", "< 4 GiB at 11M", f"{meta['peak_rss_mb']:.0f} MiB",
            meta["peak_rss_mb"] < 4096 if args.size >= 11_000_000 else None),
        Row("new-title RMSE (train's choice, held-out titles)", "below mean + person bias",
            f"{best:.4f} vs {fallback:.4f} ({100 * (1 - best / fallback):+.1f}%)"
            if best and fallback else "-", bool(best and fallback and best < fallback)),
        *first_rows,
        Row("raters file: size; its sha256 (what the release check adds to a release's load)",
            "", f"{raters.stat().st_size / 2**20:.0f} MiB; {_sha_ms(raters):.0f} ms"
            if raters else "none"),
        *top_rows,
        Row("newcomer's top_n_for(10), 3 ratings, p50 / p99", "",
            f"{_p(newcomer, 50):.1f} / {_p(newcomer, 99):.1f} ms", None),
        Row("similar_explained(5) p50 / max, well-known titles (after the first)", "",
            f"{_p(sim_times, 50):.1f} / {max(sim_times) * 1000:.0f} ms", None),
        Row("well-known titles: of /similar's first 5, sharing a genre", "≥ 3 for each",
            ", ".join(f"{k} {v}" for k, v in shares.items()), met_share),
    ]  # fmt: skip
    before = (
        f' "before" is the code in {args.before.name} (`--before`: the tree of the commit it names)'
        " serving the same model."
        if args.before is not None
        else ""
    )
    notes = (
        f"Measured {_now()} (training: its row). Real titles"
        f" ({len(rec.title_ids):,} in the model, {h.get('content_titles', 0):,} of"
        f" them nobody rated) with {args.size:,} demo ratings; chosen: {meta['algorithm']}"
        f" {meta['params'].get('n_factors')} factors, ridge strength {h.get('alpha')}, K"
        f" {h.get('shrink')}. The hybrid's training cost is one more fit on at most 1M ratings"
        " (its choice) plus a ridge over the titles, so it does not grow with the ratings beyond"
        " 1M. Fresh processes: each variant loads in a child process of its own, alternating,"
        f' {ROUNDS} rounds; "no raters file" is the same model without raters.<id>.npy (a model'
        f" trained before it: /similar scans for a title's raters).{before} top_n: the variants"
        " alternate call by call (wall = perf_counter, CPU = thread_time of the call); the"
        " content part is left out by copying the artifact without it. The machine's 2 cores"
        " were shared with other work: wall tails are upper bounds (load averages in the rows)."
    )
    spark = [r for r in stored_rows("hybrid") if r.figure.startswith(SPARK)]
    spark_notes = stored_notes("hybrid").partition(SPARK_NOTES)
    write_results("hybrid", rows + spark, notes + "".join(spark_notes[1:]))
    print("\n".join(f"{r.figure}: {r.measured}" for r in rows))


def _sha_ms(path: Path) -> float:
    from domain.releasefiles import sha256_of

    times = []
    for _ in range(3):
        t = time.perf_counter()
        sha256_of(path)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


if __name__ == "__main__":
    main(sys.argv[1:])
