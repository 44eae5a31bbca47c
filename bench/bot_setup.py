"""The set-up `python -m bench bot` measures with (issue 13): the data, the bot settings, the
rate limiter, the echo bot's handler, the fake Bot API process, the garbage-collector timer, and
the command logic's own cost. Split from bench/bot.py, which runs and reports the load and
re-exports the names bench/replicas.py uses."""

from __future__ import annotations

import gc
import html
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pydantic import SecretStr
from telegram import Update
from telegram.ext import AIORateLimiter, ContextTypes

from bench.fake_api import FakeServerProcess as _FakeApi
from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "100200:BENCH-token"
DEFAULT_GC_THRESHOLDS = gc.get_threshold()  # Python's (700, 10, 10), before any bot sets its own
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


def limiter() -> AIORateLimiter:
    # Production keeps AIORateLimiter's default 30 msg/s overall (Telegram's documented bulk
    # limit); that would make both bots measure 30/s. Here the limiter stays in the path (its
    # cost is measured) with the overall cap lifted.
    return AIORateLimiter(overall_max_rate=0, max_retries=2)


def data_dir_for(given: str | None) -> tuple[Path, Path | None]:
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


class GcTimer:
    """Wall time spent in the garbage collector (gc.callbacks) while in the block, and how
    many of the collections were full ones (generation 2)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.full = 0
        self._started = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        self.seconds += time.perf_counter() - self._started
        self.full += info["generation"] == 2

    def __enter__(self) -> GcTimer:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The minimal bot: say back what was said."""
    message = update.effective_message
    if message is not None and message.text:
        await context.bot.send_message(message.chat_id, html.escape(message.text))


async def echo_lean(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The minimal bot sending the way ours does (bot/delivery.py's send_html: no Message
    parsed from Telegram's answer): how much of our ratio is the leaner send path."""
    from bot.delivery import send_html

    message = update.effective_message
    if message is not None and message.text:
        await send_html(context.bot, message.chat_id, html.escape(message.text))


def settings_for(server: FakeServerProcess | None, data_dir: Path, concurrency: int) -> Settings:
    return Settings(
        _env_file=None,
        telegram_bot_token=SecretStr(TOKEN),
        telegram_base_url=f"{server.url}/bot" if server else None,
        data_dir=data_dir,
        bot_concurrency=concurrency,
        log_level="WARNING",
    )


async def command_cost(data_dir: Path, rounds: int = 60) -> dict[str, float]:
    """Thread-CPU microseconds of `Commands.on_text` per text of the mix, no Telegram at all:
    the part of an update that is ours alone (a different person each round)."""
    from bot.app import build_commands
    from catalog.holder import CatalogHolder
    from chat.replies import Person
    from people import sqlite_store

    settings = settings_for(None, data_dir, 16)
    state = Path(tempfile.mkdtemp(prefix="streamrec-bench-cmd-"))
    store = sqlite_store(state / "ratings.sqlite3")
    commands = build_commands(settings, CatalogHolder(data_dir, blas_threads=1), store)
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
