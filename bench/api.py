"""`python -m bench api`: requests/s and latency p50/p99 per endpoint of the HTTP API.

The server is a real `python -m api` (uvicorn, one worker) on 127.0.0.1 in its own process;
the load comes from this process: a small asyncio HTTP/1.1 client with keep-alive connections
(raw sockets, so the client costs little CPU next to the server on a 2-core machine). Each
endpoint is measured at 1 connection (latency) and at `--connections` (throughput), each for at
most `--requests` requests or `--seconds`, after a warm-up. Arguments vary per request (years,
platforms, users, titles drawn with a fixed seed from the catalogue).

Data: demo titles at full scale (23,000) and 1,000,000 ratings by default, built once under
data/bench/api/; what the API does per request depends on the number of titles (and users), not
on the number of ratings, which only the training sees.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from bench.report import ROOT, Row, write_results

T = TypeVar("T")  # what pick() draws in workloads()

TARGET_P99_MS = 50.0  # at --connections concurrent connections
SERVER_MAX_SECONDS = 1800  # `timeout` stops the server even if this process dies


@dataclass
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    statuses: Counter[int]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


# ---------------------------------------------------------------- data and server


def build_data(work: Path, titles: int, ratings: int) -> Path:
    data = work / f"data-{titles}-{ratings}"
    done = data / ".built"
    if done.exists():
        return data

    def run(*args: str) -> None:
        subprocess.run([sys.executable, "-m", *args], check=True, cwd=ROOT)

    run("etl.demo", "--out", str(data / "raw"), "--titles", str(titles),
        "--ratings", str(ratings), "--seed", "1")  # fmt: skip
    run("etl", "--raw", str(data / "raw"), "--out", str(data / "processed"), "-q")
    run("model", "train", "--data-dir", str(data), "--quiet")
    done.touch()
    return data


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:
    # Linux: the server gets SIGTERM when this process exits, however it exits.
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def start_server(data: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "API_HOST": "127.0.0.1", "API_PORT": str(port),
           "DATA_DIR": str(data), "LOG_LEVEL": "WARNING", "API_ADMIN_TOKEN": ""}  # fmt: skip
    with log.open("wb") as err:
        proc = subprocess.Popen(
            ["timeout", str(SERVER_MAX_SECONDS), sys.executable, "-m", "api"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
            preexec_fn=_die_with_parent,
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the API server exited: {log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("the API server did not listen within 120 s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# ---------------------------------------------------------------- the client


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> int:
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.lower() == "content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


async def _load(
    port: int, paths: Callable[[], str], connections: int, requests: int, seconds: float
) -> Result:
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    left = requests
    stop_at = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal left
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while left > 0 and time.perf_counter() < stop_at:
                left -= 1
                path = paths()
                t = time.perf_counter()
                status = await _get(reader, writer, path)
                latencies.append(time.perf_counter() - t)
                statuses[status] += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    wall = time.perf_counter() - started
    latencies.sort()

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000

    return Result(len(latencies), wall, pct(0.50), pct(0.99), statuses)


def measure(
    port: int, paths: Callable[[], str], connections: int, requests: int, seconds: float
) -> Result:
    warm = min(100, requests)
    asyncio.run(_load(port, paths, connections, warm, seconds))
    return asyncio.run(_load(port, paths, connections, requests, seconds))


# ---------------------------------------------------------------- the workload


def workloads(data: Path, seed: int) -> dict[str, Callable[[], str]]:
    """Per endpoint, a function giving the next request path (arguments vary)."""
    from catalog import Catalog

    cat = Catalog.load(data)
    rng = random.Random(seed)
    platforms = ["netflix", "amazon", "disney", "hulu", "prime", "Netflix", "disney+"]
    years = {p: cat.years(p) for p in ("netflix", "amazon", "disney", "hulu")}
    canon = {"prime": "amazon", "Netflix": "netflix", "disney+": "disney"}
    ids = [r.id for r in cat.index.rows.refs]  # bench only: a uniform sample of title ids
    rec = cat.recommender
    users = [u for u in range(1, 200_000) if rec.knows_user(u)][:5000] if rec else [1]
    names = [t.title for i in rng.sample(ids, 500) if (t := cat.title(i)) is not None]

    def q(path: str, **params: object) -> str:
        return f"{path}?{urllib.parse.urlencode(params)}" if params else path

    def pick(items: Sequence[T]) -> T:
        return items[rng.randrange(len(items))]

    def platform_year() -> tuple[str, int]:
        p = pick(platforms)
        return p, pick(years[canon.get(p, p)])

    def typo(name: str) -> str:
        i = rng.randrange(len(name))
        return name[:i] + name[i + 1 :] if len(name) > 3 else name

    def max_duration() -> str:
        p, y = platform_year()
        return q("/max_duration", platform=p, year=y, duration_type=pick(["min", "season"]))

    def score_count() -> str:
        p, y = platform_year()
        return q("/score_count", platform=p, year=y, scored=round(rng.uniform(0, 5), 1))

    def actor() -> str:
        p, y = platform_year()
        return q("/actor", platform=p, year=y)

    return {
        "/health": lambda: "/health",
        "/max_duration": max_duration,
        "/score_count": score_count,
        "/count_platform": lambda: q("/count_platform", platform=pick(platforms)),
        "/actor": actor,
        "/search": lambda: q("/search", q=typo(pick(names)), limit=10),
        "/where_to_watch": lambda: q("/where_to_watch", title=pick(names)),
        "/title/{id}": lambda: f"/title/{pick(ids)}",
        "/recommend": lambda: q("/recommend", user_id=pick(users), title=pick(ids)),
        "/top": lambda: q("/top", user_id=pick(users), n=10),
        "/similar": lambda: q("/similar", title=pick(ids), n=10),
        "/score_count (422: bad year)": lambda: q(
            "/score_count", platform="netflix", scored=3, year=f"y{rng.randrange(100)}"
        ),
    }


# ---------------------------------------------------------------- main


def main(argv: list[str]) -> None:
    p = argparse.ArgumentParser(prog="python -m bench api")
    p.add_argument("--titles", type=int, default=23_000)
    p.add_argument("--ratings", type=int, default=1_000_000)
    p.add_argument("--work", type=Path, default=ROOT / "data" / "bench" / "api")
    p.add_argument("--connections", type=int, default=8, help="concurrent keep-alive connections")
    p.add_argument("--requests", type=int, default=2000, help="per endpoint and concurrency")
    p.add_argument("--seconds", type=float, default=8.0, help="cap per endpoint and concurrency")
    p.add_argument("--only", nargs="*", help="endpoints to measure (default: all)")
    p.add_argument("--no-write", action="store_true", help="print only, leave docs/ alone")
    args = p.parse_args(argv)

    args.work.mkdir(parents=True, exist_ok=True)
    data = build_data(args.work, args.titles, args.ratings)
    loads = workloads(data, seed=1)
    if args.only:
        loads = {k: v for k, v in loads.items() if k in args.only}
    port = free_port()
    load_before = os.getloadavg()[0]
    proc = start_server(data, port, args.work / "server.log")
    rows: list[Row] = []
    try:
        for name, fn in loads.items():
            one = measure(port, fn, 1, args.requests, args.seconds)
            many = measure(port, fn, args.connections, args.requests, args.seconds)
            codes = ", ".join(f"{k}×{v}" for k, v in sorted((one.statuses + many.statuses).items()))
            measured = (
                f"{many.rps:,.0f} req/s, p50 {many.p50_ms:.1f} / p99 {many.p99_ms:.1f} ms "
                f"({args.connections} conns); 1 conn: {one.rps:,.0f} req/s, "
                f"p50 {one.p50_ms:.1f} / p99 {one.p99_ms:.1f} ms [{codes}]"
            )
            rows.append(
                Row(f"GET {name}", f"p99 < {TARGET_P99_MS:.0f} ms", measured,
                    many.p99_ms < TARGET_P99_MS)
            )  # fmt: skip
            print(f"{name:32} {measured}", flush=True)
    finally:
        stop_server(proc)
    notes = (
        f"`python -m api` (uvicorn, one worker, sync endpoints in its threadpool) on 127.0.0.1 "
        f"serving demo data of {args.titles:,} titles and a model trained on {args.ratings:,} "
        f"ratings; load from a separate process (asyncio, raw HTTP/1.1 keep-alive), at most "
        f"{args.requests:,} requests or {args.seconds:g} s per endpoint and concurrency after a "
        "warm-up, arguments varying per request. Client and server share the same 2 cores, so "
        "req/s is a floor for the server alone. Status codes counted in brackets. Load "
        f"average (1 min) of the machine: {load_before:.1f} before, {os.getloadavg()[0]:.1f} "
        f"after, on {os.cpu_count()} cores: other work running at the same time shows up here."
    )
    if not args.no_write:
        write_results("api", rows, notes)
