"""Real `python -m bot` processes against the fake Bot API, for the tests that start them: the
token they use, the process itself, and the talk helpers that wait for its replies."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from tests.fakes.botdata import ROOT
from tests.fakes.telegram_server import FakeTelegramServer

TOKEN = "424242:RECOGNISABLE-SECRET-TOKEN-xyzzy"
ADMIN = 77


@contextlib.asynccontextmanager
async def bot_process(
    server: FakeTelegramServer, data_dir: Path, workdir: Path, log: Path, **extra_env: str | None
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`python -m bot` polling `server`; `extra_env` overrides (a value None unsets)."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": server.base_url,
        "DATA_DIR": str(data_dir),
        "ADMIN_IDS": f"{ADMIN}, 78",
        "LOG_LEVEL": "DEBUG",
        "BOT_CONCURRENCY": "8",
    }
    env.pop("WEBHOOK_URL", None)
    for key, value in extra_env.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    with log.open("ab") as sink:
        # `timeout` guarantees the process ends even if a test forgets to stop it.
        proc = await asyncio.create_subprocess_exec(
            "timeout", "300", sys.executable, "-m", "bot",
            cwd=workdir, env=env, stdin=asyncio.subprocess.DEVNULL, stdout=sink, stderr=sink,
        )  # fmt: skip
    try:
        yield proc
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)  # `timeout` forwards it to the bot
            try:
                await asyncio.wait_for(proc.wait(), 20)
            except TimeoutError:
                proc.kill()
                await proc.wait()


async def say(server: FakeTelegramServer, chat: int, text: str, lang: str = "es", count: int = 1):
    before = len(server.outgoing(chat))
    server.send_text(chat, text, lang)
    return (await server.wait_outgoing(chat, before + count, timeout=30))[before:]


async def press(server: FakeTelegramServer, chat: int, mid: int, data: str, lang: str = "es"):
    before = len(server.outgoing(chat))
    server.press(chat, mid, data, lang)
    return (await server.wait_outgoing(chat, before + 1, timeout=30))[before:]


def python_child(pid: int) -> int:
    """The bot's own process: `bot_process` runs it under `timeout`, which forwards signals
    but must not be what we kill (killing `timeout` would orphan the bot, not crash it)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # pid (comm) state ppid ...; comm may hold spaces, so split after the last ')'
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                return int(entry.name)
    raise AssertionError(f"no child of {pid}")
