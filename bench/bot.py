"""`python -m bench bot`: the bot's throughput and reply latency through the whole stack.

The fake Bot API server runs in its own process (`python -m tests.fakes.telegram_server`) and
plays 50 people, each sending a message and waiting for the reply before the next (a closed
loop), and measures from the moment the update is queued to the moment the reply arrives. The
bot under test runs in this process with the real python-telegram-bot stack over HTTP: our bot
(real catalogue and model) and, in the same run, a minimal echo bot built with the very same
builder (pool, concurrency bound, rate limiter, defaults). Target (issue 13): ours >= 90% of the
echo's updates/s with the API instant. The bot's process CPU per update is measured for both
(the figure the ratio follows when the bot's core is the bottleneck), and the command logic
alone (`Commands.on_text`, no Telegram) over the same mix. A concurrency sweep of our bot backs
the BOT_CONCURRENCY default.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import AIORateLimiter, ContextTypes, MessageHandler, filters

from bench.fake_api import FakeServerProcess as _FakeApi
from bench.report import Row, write_results

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "100200:BENCH-token"
TEXTS = [
    "/start",
    "/help",
    "/maxduration 2020 netflix",
    "/scorecount netflix 3.5 2019",
    "/platformcount netflix",
    "/actor netflix 2019",
    "/foryou",
    "/search the lost",
    "/similar ns1",
    "/recommend 1 ns1",
]


def _limiter() -> AIORateLimiter:
    # Production keeps AIORateLimiter's default 30 msg/s overall (Telegram's documented bulk
    # limit); that would make both bots measure 30/s. Here the limiter stays in the path (its
    # cost is measured) with the overall cap lifted.
    return AIORateLimiter(overall_max_rate=0, max_retries=2)


def _data_dir(given: str | None) -> tuple[Path, Path | None]:
    """The data to serve: the given dir, ./data when built, else small demo data in a temp dir."""
    if given:
        return Path(given), None
    default = ROOT / "data"
    if (default / "processed" / "titles.parquet").exists() and (default / "models").exists():
        return default, None
    tmp = Path(tempfile.mkdtemp(prefix="streamrec-bench-bot-"))
    py = sys.executable
    steps = [
        [py, "-m", "etl.demo", "--out", str(tmp / "raw"), "--titles", "3000",
         "--ratings", "100000", "--seed", "3"],
        [py, "-m", "etl", "--raw", str(tmp / "raw"), "--out", str(tmp / "processed"), "-q"],
        [py, "-m", "model", "train", "--data-dir", str(tmp), "--quiet"],
    ]  # fmt: skip
    for step in steps:
        subprocess.run(step, cwd=ROOT, check=True, capture_output=True, timeout=600)
    return tmp, tmp


class FakeServerProcess(_FakeApi):
    """The fake Bot API child process (bench/fake_api.py) with this benchmark's token."""

    def __init__(self, lifetime: float = 900) -> None:
        super().__init__(TOKEN, lifetime)


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The minimal bot: say back what was said."""
    message = update.effective_message
    if message is not None and message.text:
        await context.bot.send_message(message.chat_id, html.escape(message.text))


def _settings(server: FakeServerProcess | None, data_dir: Path, concurrency: int) -> Any:
    from bot.settings import Settings

    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        telegram_bot_token=TOKEN,
        telegram_base_url=f"{server.url}/bot" if server else None,
        data_dir=data_dir,
        bot_concurrency=concurrency,
        log_level="WARNING",
    )


async def _measure(
    server: FakeServerProcess,
    kind: str,
    data_dir: Path,
    concurrency: int,
    users: int,
    per_user: int,
    delay: float,
) -> dict[str, Any]:
    """Start one bot, warm it up, run the load, stop it."""
    from bot.app import build_application, configured_builder
    from catalog.holder import CatalogHolder

    settings = _settings(server, data_dir, concurrency)
    if kind == "echo":
        app = configured_builder(settings, _limiter()).build()
        app.add_handler(MessageHandler(filters.TEXT, _echo))
        texts = ["hello there", "/start"]
    else:
        holder = CatalogHolder(data_dir, settings.recommend_threshold)
        state = Path(tempfile.mkdtemp(prefix="streamrec-bench-state-"))
        from bot.ratings_store import RatingsStore

        store = RatingsStore(state / "ratings.sqlite3")
        app = build_application(settings, holder, store=store, rate_limiter=_limiter())
        texts = TEXTS
    await server.apost("/_test/fault", {"delay_all": delay})
    async with app:
        await app.start()
        await app.updater.start_polling(timeout=5, poll_interval=0.0)
        try:
            await server.apost("/_test/load", {"users": 10, "per_user": 3, "texts": texts})
            cpu = time.process_time()  # this process: the bot (the fake API is a child)
            stats = await server.apost(
                "/_test/load", {"users": users, "per_user": per_user, "texts": texts}
            )
            stats["cpu_us"] = (time.process_time() - cpu) / (users * per_user) * 1e6
        finally:
            await app.updater.stop()
            await app.stop()
    if kind != "echo":
        store.close()
        shutil.rmtree(state, ignore_errors=True)
    return stats


async def _command_cost(data_dir: Path, rounds: int = 60) -> dict[str, float]:
    """Thread-CPU microseconds of `Commands.on_text` per text of the mix, no Telegram at all:
    the part of an update that is ours alone (a different person each round)."""
    from bot.app import build_commands
    from bot.ratings_store import RatingsStore
    from bot.replies import Person
    from catalog.holder import CatalogHolder

    settings = _settings(None, data_dir, 16)
    state = Path(tempfile.mkdtemp(prefix="streamrec-bench-cmd-"))
    store = RatingsStore(state / "ratings.sqlite3")
    commands = build_commands(settings, CatalogHolder(data_dir), store)
    cost: dict[str, float] = {}
    try:
        for text in TEXTS:
            times = []
            for i in range(rounds):
                person = Person(user_id=7000 + i, chat_id=7000 + i, lang="en", is_admin=False)
                t0 = time.thread_time()
                async for _ in commands.on_text(person, text):
                    pass
                times.append(time.thread_time() - t0)
            cost[text] = statistics.mean(times[rounds // 6 :]) * 1e6  # warm-up rounds dropped
    finally:
        store.close()
        shutil.rmtree(state, ignore_errors=True)
    return cost


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median of each figure over repeated runs."""
    out = dict(runs[0])
    for key in ("updates_per_s", "p50_ms", "p99_ms", "timeouts", "cpu_us"):
        out[key] = statistics.median(r[key] for r in runs)
    return out


def _fmt(stats: dict[str, Any]) -> str:
    return (
        f"{stats['updates_per_s']:.0f} upd/s, p50 {stats['p50_ms']:.1f} ms, "
        f"p99 {stats['p99_ms']:.1f} ms"
        + (f", {stats['timeouts']} timeouts" if stats["timeouts"] else "")
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench bot", description=__doc__)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--per-user", type=int, default=10, help="messages per simulated user")
    parser.add_argument("--repeats", type=int, default=3, help="alternating runs per bot")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--sweep", default="1,16,64,256", help="concurrency values to compare")
    parser.add_argument("--data-dir")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--note", default="", help="a paragraph appended to the notes")
    args = parser.parse_args(argv)

    os.environ.setdefault("PYTHONPATH", str(ROOT))
    data_dir, cleanup = _data_dir(args.data_dir)
    server = FakeServerProcess()
    runs: dict[str, list[dict[str, Any]]] = {}
    try:

        async def run_all() -> None:
            # Echo and ours alternate, several times: the machine is shared, so a slow patch
            # hits both, and the median of each is compared.
            for delay in (0.0, 0.02):
                for rep in range(args.repeats):
                    for kind in ("echo", "ours"):
                        stats = await _measure(
                            server, kind, data_dir, args.concurrency, args.users,
                            args.per_user, delay,
                        )  # fmt: skip
                        runs.setdefault(f"{kind}@{delay}", []).append(stats)
                        print(f"bench bot: {kind}@{delay} #{rep + 1}: {_fmt(stats)}", flush=True)
            for c in [int(x) for x in args.sweep.split(",") if x]:
                if c == args.concurrency:
                    continue
                key = f"ours@0.02/c{c}"
                stats = await _measure(server, "ours", data_dir, c, args.users, args.per_user, 0.02)
                runs[key] = [stats]
                print(f"bench bot: {key}: {_fmt(stats)}", flush=True)

        asyncio.run(run_all())
        command_cost = asyncio.run(_command_cost(data_dir))
    finally:
        server.close()
        if cleanup is not None:
            shutil.rmtree(cleanup, ignore_errors=True)

    results = {key: _median(values) for key, values in runs.items()}
    rows: list[Row] = []
    n = args.users * args.per_user
    for delay, label, goal in ((0.0, "API instant", 0.90), (0.02, "API +20 ms per call", 0.70)):
        echo, ours = results[f"echo@{delay}"], results[f"ours@{delay}"]
        ratio = ours["updates_per_s"] / echo["updates_per_s"] if echo["updates_per_s"] else 0
        rows += [
            Row(f"echo bot, {label}", "", _fmt(echo)),
            Row(f"our bot, {label}", "", _fmt(ours)),
            Row(f"our/echo throughput, {label}", f">= {goal:.0%}", f"{ratio:.0%}", ratio >= goal),
            Row(
                f"bot process CPU per update, {label}", "",
                f"echo {echo['cpu_us']:.0f} µs, ours {ours['cpu_us']:.0f} µs "
                f"(+{ours['cpu_us'] - echo['cpu_us']:.0f} µs; echo/ours "
                f"{echo['cpu_us'] / ours['cpu_us']:.0%})",
            ),
        ]  # fmt: skip
    mean = statistics.mean(command_cost.values())
    each = ", ".join(f"{t.split()[0]} {c:.0f}" for t, c in command_cost.items())
    rows.append(
        Row(
            "command logic alone (Commands.on_text), µs per update", "", f"mean {mean:.0f} ({each})"
        )
    )
    sweep = {args.concurrency: results["ours@0.02"]}
    sweep.update(
        {int(k.split("/c")[1]): v for k, v in results.items() if k.startswith("ours@0.02/c")}
    )
    for c in sorted(sweep):
        rows.append(Row(f"our bot, API +20 ms, concurrent_updates={c}", "", _fmt(sweep[c])))
    notes = (
        f"{args.users} simulated people, {args.per_user} messages each ({n} updates per run); "
        f"echo and ours alternate {args.repeats} times per API latency and medians are shown "
        "(the 2 cores are shared with other work, run-to-run noise is large); "
        "closed loop: each waits for the reply before sending the next. The fake Bot API runs in "
        "its own process on 127.0.0.1 and measures from update queued to reply received, so "
        "latency includes long polling. Both bots use the same builder (HTTPX pool = "
        "concurrency + 4, AIORateLimiter with the overall cap lifted, HTML defaults); our bot "
        f"answers a mix of {len(TEXTS)} commands against the real catalogue and model. "
        "Production keeps the limiter's 30 msg/s overall cap (Telegram's documented limit). "
        "CPU per update: this process's CPU time (the bot; the fake API is a child process) "
        "over the measured load, divided by its updates; the command logic row is thread CPU "
        "of Commands.on_text alone, mean per text after warm-up."
    ) + (f"\n\n{args.note}" if args.note else "")
    print("\n".join(f"{r.figure}: {r.measured}" for r in rows))
    if not args.no_write:
        write_results("bot", rows, notes)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
