"""`python -m bench hybrid [--size 1000000]`: the hybrid recommender's costs and its /similar
target, on the real titles (../shared/data/raw/titles) with demo ratings.

Training with content (svd.json's seconds and peak memory; the hybrid's share), model load and
top-10 latency with the content part against the same artifact without it (alternating, one
run), a newcomer's top-10 (fold-in + content lift), /similar's latency and, for well-known
titles, how many of its first 5 share a genre with the title asked about (target: >= 3).
Demo data lives under data/bench/hybrid/<size>/.
"""

from __future__ import annotations

import argparse
import json
import pickle
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from bench.report import ROOT, Row, write_results

REAL_TITLES = ROOT.parent / "shared" / "data" / "raw" / "titles"
WELL_KNOWN = (
    "stranger things", "the irishman", "frozen", "toy story", "breaking bad", "narcos",
    "the simpsons", "jaws", "the mandalorian", "black panther", "parks and recreation",
    "the crown", "the office", "moana", "ozark", "the godfather",
)  # fmt: skip


def _prepare(base: Path, size: int, budget: int) -> Path:
    data = base / "data"
    py = sys.executable
    if not (data / "processed" / "content.npz").is_file():
        demo = [py, "-m", "etl.demo", "--out", str(base / "raw"), "--titles-from",
                str(REAL_TITLES), "--ratings", str(size), "--seed", "42"]  # fmt: skip
        etl = [py, "-m", "etl", "--titles", str(REAL_TITLES), "--ratings",
               str(base / "raw" / "ratings"), "--out", str(data / "processed"), "-q"]  # fmt: skip
        subprocess.run(demo, check=True)
        subprocess.run(etl, check=True)
    started = time.perf_counter()
    subprocess.run([py, "-m", "model", "train", "--data-dir", str(data), "--budget", str(budget),
                    "--quiet"], check=True)  # fmt: skip
    print(f"train: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return data


def _without_content(models: Path, out: Path) -> Path:
    """The same artifact without its content part: what a model from before issue 21 is."""
    out.mkdir(parents=True, exist_ok=True)
    body = pickle.loads((models / "svd.pkl").read_bytes())
    body.pop("content", None)
    (out / "svd.pkl").write_bytes(pickle.dumps(body, protocol=5))
    (out / "svd.json").write_text((models / "svd.json").read_text())
    return out


def _p(values: list[float], q: float) -> float:
    return float(np.percentile(values, q) * 1000)


def main(argv: list[str]) -> None:
    from catalog import Catalog
    from domain.genres import genre_keys, is_telling
    from model.recommender import Recommender

    ap = argparse.ArgumentParser(prog="python -m bench hybrid")
    ap.add_argument("--size", type=int, default=1_000_000)
    ap.add_argument("--budget", type=int, default=120, help="train's search budget, seconds")
    ap.add_argument("--calls", type=int, default=2000)
    args = ap.parse_args(argv)
    if not REAL_TITLES.is_dir():
        print(f"bench hybrid: the real titles are not at {REAL_TITLES}; skipped")
        return
    base = ROOT / "data" / "bench" / "hybrid" / str(args.size)
    data = _prepare(base, args.size, args.budget)
    meta = json.loads((data / "models" / "svd.json").read_text())
    plain_dir = _without_content(data / "models", base / "models_plain")

    loads: dict[str, list[float]] = {"with": [], "without": []}
    for _ in range(5):
        for name, folder in (("with", data / "models"), ("without", plain_dir)):
            t = time.perf_counter()
            Recommender.load(folder)
            loads[name].append(time.perf_counter() - t)
    rec = Recommender.load(data / "models")
    plain = Recommender.load(plain_dir)
    users = rec.user_ids[np.random.default_rng(0).integers(0, len(rec.user_ids), args.calls)]
    top: dict[str, list[float]] = {"with": [], "without": []}
    for u in users.tolist():
        for name, model in (("with", rec), ("without", plain)):
            t = time.perf_counter()
            model.top_n(u, 10)
            top[name].append(time.perf_counter() - t)
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
        items = rec.similar_explained(ref.id, 5)
        sim_times.append(time.perf_counter() - t)
        got = cat.similar(ref.id, 5)
        shares[ref.title] = sum(
            bool(own & {g for g in genre_keys(getattr(cat.title(x.title.id), "listed_in", None))})
            for x in got
        )
        del items
    h = meta.get("hybrid") or {}
    nt = h.get("new_title_rmse") or {}
    best = nt.get(f"alpha {h.get('alpha', 0):g}")
    fallback = nt.get("mean + person bias")
    secs = meta["seconds"]
    total = sum(v for v in secs.values() if isinstance(v, int | float))
    met_share = all(s >= 3 for s in shares.values())
    rows = [
        Row(f"train with content, {args.size:,} ratings (search {args.budget} s)",
            "≤ 10 min at 11M", f"{total:.0f} s (hybrid {secs.get('hybrid', 0):.0f} s)", None),
        Row("train peak memory", "< 4 GiB at 11M", f"{meta['peak_rss_mb']:.0f} MiB", None),
        Row("new-title RMSE (train's choice, held-out titles)", "below mean + person bias",
            f"{best:.4f} vs {fallback:.4f} ({100 * (1 - best / fallback):+.1f}%)"
            if best and fallback else "-", bool(best and fallback and best < fallback)),
        Row("model load, with / without content part (median of 5)", "not slower than before",
            f"{statistics.median(loads['with']) * 1000:.0f} / "
            f"{statistics.median(loads['without']) * 1000:.0f} ms", None),
        Row("top_n(10) p50 / p99, known person", "p99 ≤ 1 ms",
            f"{_p(top['with'], 50):.2f} / {_p(top['with'], 99):.2f} ms (without content"
            f" {_p(top['without'], 50):.2f} / {_p(top['without'], 99):.2f})",
            _p(top["with"], 99) <= 1.0),
        Row("newcomer's top_n_for(10), 3 ratings, p50 / p99", "",
            f"{_p(newcomer, 50):.1f} / {_p(newcomer, 99):.1f} ms", None),
        Row("similar_explained(5) p50 / max (first call builds the raters index)", "",
            f"{_p(sim_times, 50):.1f} / {max(sim_times) * 1000:.0f} ms", None),
        Row("well-known titles: of /similar's first 5, sharing a genre", "≥ 3 for each",
            ", ".join(f"{k} {v}" for k, v in shares.items()), met_share),
    ]  # fmt: skip
    notes = (
        f"Real titles ({len(rec.title_ids):,} in the model, {h.get('content_titles', 0):,} of"
        f" them nobody rated) with {args.size:,} demo ratings; chosen: {meta['algorithm']},"
        f" ridge strength {h.get('alpha')}, K {h.get('shrink')}. The hybrid's training cost is"
        " one more fit on at most 1M ratings (its choice) plus a ridge over the titles, so it"
        " does not grow with the ratings beyond 1M. Load and top_n were measured alternately"
        " with the same artifact without its content part (what a model from before looks like)."
    )
    write_results("hybrid", rows, notes)
    print("\n".join(f"{r.figure}: {r.measured}" for r in rows))


if __name__ == "__main__":
    main(sys.argv[1:])
