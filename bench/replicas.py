"""`python -m bench replicas`: two webhook replicas against one, sharing a PostgreSQL store.

Each replica is a real bot process (`python -m bench.replicas --replica ...`: the Application
`python -m bot` builds, run_webhook, the store DATABASE_URL names and bot/replication.py's
wiring), with AIORateLimiter's 30 msg/s overall cap lifted as in `bench bot`. In front of them a
round-robin TCP proxy (bench/rrproxy.py, standing in for the compose profile's nginx, which is
not installed here) in its own process. This process plays Telegram: the fake Bot API
(tests/fakes/telegram_server.py) answers the replicas' calls, and a webhook sender POSTs each
person's update to the proxy with the secret header over `--connections` kept-alive connections
(Telegram's max_connections), closed loop: each person waits for the reply before the next.
One replica and two alternate `--repeats` times; the two-replica runs use the same proxy with
both backends. Every chat's messages are counted against a calibration (each text once), so an
update answered twice or never shows. Target (issue 16): two >= 1.6 x one.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import psutil
from pydantic import SecretStr

from bench.bot_setup import TEXTS as BOT_TEXTS
from bench.bot_setup import TOKEN, data_dir_for, limiter
from bench.report import Row, write_results
from bench.webhook_load import (
    PATH,
    SECRET,
    Sender,
    ceiling,
    cpu_seconds,
    fmt,
    free_port,
    median_of,
    postgres_processes,
    wait_ready,
)

ROOT = Path(__file__).resolve().parent.parent
# the bot benchmark's mix, plus two commands that read people's state from the store
TEXTS = [*BOT_TEXTS, "/rate", "/foryou"]


def _replica(argv: list[str]) -> None:
    """Child: one webhook replica. Args: port data_dir fake_base_url database_url concurrency."""
    port, data_dir, fake, url, concurrency = argv
    from bot.app import build_application
    from bot.runner import webhook_options
    from bot.settings import Settings
    from catalog.holder import CatalogHolder
    from chat.operations import ReplicaStats
    from people import store_from_settings
    from people.replication import wire

    settings = Settings(
        _env_file=None,
        telegram_bot_token=SecretStr(TOKEN),
        telegram_base_url=fake,
        data_dir=Path(data_dir),
        webhook_url=f"http://127.0.0.1:{port}/{PATH}",  # only registered with the fake
        webhook_port=int(port),
        webhook_secret=SecretStr(SECRET),
        database_url=SecretStr(url),
        bot_concurrency=int(concurrency),
        log_level="ERROR",  # a denied /top or a shared heartbeat file: noise here
    )
    logging.basicConfig(level=logging.ERROR)  # a denied /top (admin only) is not news here
    holder = CatalogHolder(data_dir, settings.recommend_threshold, blas_threads=1)
    store = store_from_settings(settings)
    app = build_application(settings, holder, store, rate_limiter=limiter())
    commands = app.bot_data["commands"]
    sync = wire(app, holder, store, commands.reloader)
    if sync is not None:  # as `python -m bot` does
        commands.stats = ReplicaStats(sync=sync)
    app.run_webhook(**webhook_options(settings))


def _replica_dir(data_dir: Path, i: int) -> Path:
    """The shared catalogue files (as one volume would give them) with a state/ of its own,
    so each replica's heartbeat file is its own."""
    folder = Path(tempfile.mkdtemp(prefix=f"streamrec-replica{i}-"))
    for name in ("processed", "models", "releases"):
        if (data_dir / name).exists():
            (folder / name).symlink_to((data_dir / name).resolve())
    return folder


def _proxy(backends: list[int]) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.rrproxy", "0", *map(str, backends)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    return proc, int(json.loads(proc.stdout.readline())["port"])


def _stop(proc: subprocess.Popen[Any], close_stdin: bool = False) -> None:
    if close_stdin and proc.stdin:
        proc.stdin.close()
    else:
        proc.terminate()  # SIGTERM: run_webhook stops, the store and the sync close
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


async def _bench(args: argparse.Namespace, data_dir: Path, url: str, pg: Any) -> dict[str, Any]:
    from tests.fakes.telegram_server import FakeTelegramServer

    server = FakeTelegramServer(TOKEN)
    await server.start()
    ports = [free_port(), free_port()]
    dirs = [_replica_dir(data_dir, i) for i in range(len(ports))]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
    argv = [server.base_url, url, str(args.concurrency)]
    replicas = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.replicas", "--replica", str(port), str(folder), *argv],
            cwd=ROOT,
            env=env,
        )
        for port, folder in zip(ports, dirs, strict=True)
    ]
    sender = Sender(server, args.connections)
    chat = itertools.count(100_000)
    out: dict[str, Any] = {"runs": {1: [], 2: []}, "wrong": {1: 0, 2: 0}}
    try:
        for port, proc in zip(ports, replicas, strict=True):
            await wait_ready(port, proc)
        me = psutil.Process()
        groups = {
            "replicas": [psutil.Process(p.pid) for p in replicas],
            "telegram": [me],
            "postgres": postgres_processes(pg),
        }
        # calibration: how many messages each text brings (one chat each, one replica)
        proxy, proxy_port = _proxy(ports[:1])
        calib_chats = {next(chat): [text] for text in TEXTS}
        await sender.run(proxy_port, calib_chats)
        per_text = {t[0]: sender.counts[c] for c, t in calib_chats.items()}
        _stop(proxy, close_stdin=True)
        out["per_text"] = per_text
        for rep in range(args.repeats):
            for n in (1, 2):
                proxy, proxy_port = _proxy(ports[:n])
                groups["proxy"] = [psutil.Process(proxy.pid)]
                warm = {next(chat): TEXTS[:3] for _ in range(10)}
                await sender.run(proxy_port, warm)
                chats = {
                    next(chat): [TEXTS[(k + i) % len(TEXTS)] for i in range(args.per_user)]
                    for k in range(args.users)
                }
                groups["postgres"] = postgres_processes(pg)  # with the backends the warm-up opened
                before = {g: cpu_seconds(ps) for g, ps in groups.items()}
                stats = await sender.run(proxy_port, chats)
                stats["cpu_s"] = {g: cpu_seconds(ps) - before[g] for g, ps in groups.items()}
                _stop(proxy, close_stdin=True)
                wrong = sum(
                    sender.counts[c] != sum(per_text[t] for t in texts)
                    for c, texts in chats.items()
                )
                out["wrong"][n] += wrong
                out["runs"][n].append(stats)
                print(f"bench replicas: {n} replica(s) #{rep + 1}: {fmt(stats)}, "
                      f"{wrong} chats answered wrong", flush=True)  # fmt: skip
    finally:
        for proc in replicas:
            _stop(proc)
        await server.stop()
        for folder in dirs:
            shutil.rmtree(folder, ignore_errors=True)
    return out


def main(argv: list[str]) -> int:
    if argv[:1] == ["--replica"]:
        _replica(argv[1:])
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench replicas", description=__doc__)
    parser.add_argument("--users", type=int, default=80)
    parser.add_argument("--per-user", type=int, default=40)
    parser.add_argument("--connections", type=int, default=40, help="webhook connections")
    parser.add_argument("--repeats", type=int, default=3, help="alternating runs per setup")
    parser.add_argument("--concurrency", type=int, default=16, help="BOT_CONCURRENCY")
    parser.add_argument("--data-dir")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    from tests.pg_cluster import PgCluster, why_unavailable

    reason = why_unavailable()
    if reason:
        print(f"bench replicas: skipped, {reason}")
        return 0
    data_dir, cleanup = data_dir_for(args.data_dir)
    load_before = os.getloadavg()[0]
    pg = PgCluster().start()
    try:
        out = asyncio.run(_bench(args, data_dir, pg.create_database(), pg))
    finally:
        pg.destroy()
        if cleanup is not None:
            shutil.rmtree(cleanup, ignore_errors=True)
    load_after = os.getloadavg()[0]
    one, two = median_of(out["runs"][1]), median_of(out["runs"][2])
    # each two-replica run against the one-replica run just before it: other work on the
    # machine drifts over minutes, a pair sees nearly the same
    pairs = sorted(
        t["updates_per_s"] / o["updates_per_s"]
        for o, t in zip(out["runs"][1], out["runs"][2], strict=True)
    )
    ratio = statistics.median(pairs)
    n = args.users * args.per_user

    def cpu(s: dict[str, Any]) -> str:
        # CPU milliseconds per update, each group of processes (the medians of the runs)
        return ", ".join(f"{g} {v * 1000 / n:.2f}" for g, v in s["cpu_s"].items())

    rows = [
        Row("one webhook replica, API instant", "", fmt(one)),
        Row("two webhook replicas, API instant", "", fmt(two)),
        Row(
            "two / one replicas, updates/s (median of the alternating pairs' ratios)",
            ">= 1.6x",
            f"{ratio:.2f}x (pairs {', '.join(f'{r:.2f}' for r in pairs)})",
            ratio >= 1.6,
        ),
        Row(
            "updates answered exactly once (every chat's messages = its calibration)",
            "all",
            f"one: {one['updates'] - out['wrong'][1] * args.per_user} of {one['updates']}, "
            f"two: {two['updates'] - out['wrong'][2] * args.per_user} of {two['updates']}",
            out["wrong"][1] == 0 and out["wrong"][2] == 0,
        ),
        Row("CPU ms per update, one replica", "", cpu(one)),
        Row("CPU ms per update, two replicas", "", cpu(two)),
        Row("two / one ceiling on 2 idle cores, from the CPU per update", "", ceiling(one, two, n)),
    ]
    notes = (
        f"{args.users} people, {args.per_user} messages each ({n} updates per run), closed loop, "
        f"over {args.connections} kept-alive webhook connections; one and two replicas "
        f"alternate {args.repeats} times, medians shown. Each replica is a bot process "
        "(webhook, BOT_CONCURRENCY "
        f"{args.concurrency}, the PostgreSQL store and the replica wiring `python -m bot` uses; "
        "AIORateLimiter's 30 msg/s cap lifted as in `bench bot`). The proxy is bench/rrproxy.py, "
        "a round-robin TCP proxy in its own process standing in for the compose profile's nginx "
        "(which the project does not install); it balances connections, where "
        "deploy/nginx.conf balances requests, and the sender's connections are spread evenly "
        "over it. The fake Bot API and the "
        "webhook sender (Telegram's side) share one process; PostgreSQL is a throwaway local "
        f"cluster. Texts: the bot benchmark's {len(BOT_TEXTS)} plus /rate and /foryou (store "
        "reads). All of it runs on the same 2 cores, so the second replica competes with "
        "Telegram's side, the proxy and PostgreSQL: the CPU rows show where the time goes. "
        f"Load average (1 min) {load_before:.1f} before the runs, {load_after:.1f} after: other "
        "work shared the cores."
    )
    print("\n".join(f"{r.figure}: {r.measured}" for r in rows))
    if not args.no_write:
        write_results("replicas", rows, notes)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
