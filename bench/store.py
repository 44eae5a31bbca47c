"""`python -m bench store`: the people's-state stores, SQLite file and loopback PostgreSQL.

- Rating commit latency (p50/p99 of `add_async`, which returns once the rating is committed):
  one call at a time (what one press waits) and 16 at once (BOT_CONCURRENCY), for both stores.
- A PostgreSQL restart under 20 people rating without pause (`pg_ctl restart -m immediate`:
  killed without a checkpoint, as in a crash): ratings acknowledged, how many are missing
  afterwards (target 0), calls that gave up, the longest wait a person saw.

The PostgreSQL server is a throwaway cluster from Debian's package (tests/pg_cluster.py, `make
postgres`), stock settings (fsync and synchronous_commit on), on 127.0.0.1 over TCP.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from bench.report import Row, write_results
from people import PeopleStore, StoreFailure, open_store
from tests.pg_cluster import PgCluster, why_unavailable

TARGET_P99_MS = 5.0


def fdatasync_ms(folder: Path, bin_dir: Path) -> float | None:
    """One 8 kB write + fdatasync on this disk (pg_test_fsync): the floor of a durable commit."""
    out = subprocess.run(
        [str(bin_dir / "pg_test_fsync"), "-s", "2", "-f", str(folder / "fsync.test")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    ).stdout
    match = re.search(r"^\s+fdatasync\s+[\d.]+ ops/sec\s+(\d+) usecs/op", out, re.M)
    return int(match[1]) / 1000 if match else None


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


async def commit_latencies(store: PeopleStore, calls: int, concurrency: int) -> list[float]:
    """Milliseconds per add_async, `concurrency` people rating at once, `calls` in all."""
    out: list[float] = []
    per_worker = calls // concurrency

    async def worker(w: int) -> None:
        for i in range(per_worker):
            person = 10_000 + w * 1_000 + i // 10  # 10 ratings per person
            t0 = time.perf_counter()
            await store.add_async(person, f"t{i % 10}", 1 + i % 5)
            out.append((time.perf_counter() - t0) * 1000)

    for w in range(concurrency):  # warm-up: connections, prepared statements
        await store.add_async(w, "warm", 3)
    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    return out


async def measure_latency(
    url: str, calls: int, concurrency: int, flush: bool = True
) -> tuple[list[float], float]:
    options: dict[str, object] = {"pool_max": max(concurrency, 4)}
    if not flush:  # informative only: what a commit costs without waiting for the disk
        options["synchronous_commit"] = False
    store = open_store(url, "unused", **options)
    try:
        t0 = time.perf_counter()
        lat = await commit_latencies(store, calls, concurrency)
        return lat, len(lat) / (time.perf_counter() - t0)
    finally:
        await store.aclose()


async def restart_under_load(pg: PgCluster, seconds_after: float) -> dict[str, float]:
    url = pg.create_database()
    store = open_store(url, "unused", pool_max=8, pool_timeout=5.0)
    acked: dict[tuple[int, str], float] = {}
    failures = 0
    longest = 0.0
    stop = asyncio.Event()

    async def person(p: int) -> None:
        nonlocal failures, longest
        i = 0
        while not stop.is_set():
            title, stars = f"t{i}", 1 + (i * 7 + p) % 5
            t0 = time.perf_counter()
            try:
                await store.add_async(p, title, stars)
                acked[(p, title)] = stars
            except StoreFailure:
                failures += 1
            longest = max(longest, time.perf_counter() - t0)
            i += 1

    people = [asyncio.create_task(person(p)) for p in range(1, 21)]
    await asyncio.sleep(2.0)
    before = len(acked)
    t0 = time.perf_counter()
    await asyncio.to_thread(pg.restart, "immediate")
    restart_s = time.perf_counter() - t0
    await asyncio.sleep(seconds_after)
    stop.set()
    await asyncio.gather(*people)
    await store.aclose()
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT telegram_id, title_id, rating FROM ratings").fetchall()
    stored = {(p, t): r for p, t, r in rows}
    missing = sum(1 for k, v in acked.items() if stored.get(k) != v)
    return {
        "acked": len(acked),
        "acked_before": before,
        "missing": missing,
        "failures": failures,
        "longest_s": longest,
        "restart_s": restart_s,
    }


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench store")
    parser.add_argument("--calls", type=int, default=3000)
    args = parser.parse_args(argv)
    reason = why_unavailable()
    if reason:
        print(f"bench store: skipped, {reason}")
        return
    pg = PgCluster().start()
    rows: list[Row] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            sync_ms = fdatasync_ms(Path(tmp), pg.bin)
            if sync_ms is not None:
                rows.append(
                    Row("disk: one 8 kB write + fdatasync (pg_test_fsync)", "", f"{sync_ms:.2f} ms")
                )
                print(rows[-1])
            for kind in ("postgresql", "sqlite"):
                for conc in (1, 16):
                    if kind == "postgresql":
                        url = pg.create_database()
                    else:
                        url = f"sqlite:///{Path(tmp) / f'r{conc}.sqlite3'}"
                    lat, rate = asyncio.run(measure_latency(url, args.calls, conc))
                    p50, p99 = pct(lat, 0.5), pct(lat, 0.99)
                    target = f"p99 < {TARGET_P99_MS:g} ms" if kind == "postgresql" else ""
                    rows.append(
                        Row(
                            f"rating commit, {kind}, {conc} at once ({len(lat)} ratings)",
                            target,
                            f"p50 {p50:.2f} ms, p99 {p99:.2f} ms, mean "
                            f"{statistics.fmean(lat):.2f} ms, {rate:,.0f} commits/s",
                            p99 < TARGET_P99_MS if kind == "postgresql" else None,
                        )
                    )
                    print(rows[-1])
        lat, rate = asyncio.run(measure_latency(pg.create_database(), args.calls, 1, False))
        rows.append(
            Row(
                "rating commit, postgresql, 1 at once, synchronous_commit=off (informative: "
                "the path without the disk flush; the store never runs so)",
                "",
                f"p50 {pct(lat, 0.5):.2f} ms, p99 {pct(lat, 0.99):.2f} ms, {rate:,.0f} commits/s",
            )
        )
        print(rows[-1])
        r = asyncio.run(restart_under_load(pg, seconds_after=3.0))
        rows.append(
            Row(
                "PostgreSQL restart (immediate) under 20 people rating",
                "0 acknowledged ratings lost",
                f"{r['missing']:.0f} of {r['acked']:.0f} acknowledged missing "
                f"({r['acked_before']:.0f} before the restart), {r['failures']:.0f} calls gave "
                f"up; restart {r['restart_s']:.1f} s, longest wait for one rating "
                f"{r['longest_s']:.1f} s",
                r["missing"] == 0 and r["failures"] == 0,
            )
        )
        print(rows[-1])
    finally:
        pg.destroy()
    load = os.getloadavg()[0]
    write_results(
        "store",
        rows,
        notes=(
            f"Load average (1 min) at the end: {load:.1f} on {os.cpu_count()} cores. "
            "`bench/store.py`: `add_async` from one asyncio process, each call committed before "
            "it returns (PostgreSQL: one statement, synchronous_commit=on; SQLite: WAL, "
            "synchronous=FULL). The PostgreSQL server is a throwaway cluster of Debian's "
            "postgresql 15, stock settings, on 127.0.0.1 over TCP; both on the same disk. "
            "The restart row: the server killed without a checkpoint and started again while 20 "
            "people rated without pause; calls waiting through it are retried "
            "(bot/store/postgres.py) and no acknowledged rating is missing afterwards."
        ),
    )


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
