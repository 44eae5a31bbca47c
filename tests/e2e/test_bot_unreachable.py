"""The real `python -m bot` when the Bot API cannot be reached at start (issue 23 item 8): it
tries again with backoff for BOT_START_RETRY_SECONDS, then stops with one line and exit code
69; a Bot API that comes up within that time is simply used. (Today: a 232-line traceback.)"""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest

from bot.runner import EXIT_UNREACHABLE
from tests.fakes.botdata import data_copy
from tests.fakes.processes import TOKEN, bot_process, say
from tests.fakes.telegram_server import FakeTelegramServer

pytestmark = pytest.mark.timeout(300)


def _closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_an_unreachable_bot_api_stops_with_one_line_and_exit_69(tmp_path: Path) -> None:
    data_dir = data_copy(tmp_path / "data")
    log = tmp_path / "bot.log"
    port = _closed_port()
    server = FakeTelegramServer(TOKEN)  # never started: only its launcher settings are used
    async with bot_process(
        server, data_dir, tmp_path, log,
        TELEGRAM_BASE_URL=f"http://127.0.0.1:{port}/bot", BOT_START_RETRY_SECONDS="4",
        LOG_LEVEL="INFO",
    ) as proc:  # fmt: skip
        code = await asyncio.wait_for(proc.wait(), 120)
    text = log.read_text(errors="replace")
    assert code == EXIT_UNREACHABLE, (code, text[-3000:])
    assert "Traceback" not in text, text[-3000:]
    lines = [ln for ln in text.splitlines() if ln.strip()]
    last = lines[-1]
    assert last.startswith("cannot start: the Bot API at http://127.0.0.1:") and str(port) in last
    assert "BOT_START_RETRY_SECONDS=4" in last and "tries" in last
    retries = [ln for ln in lines if "is not reachable" in ln]
    assert retries and f"({len(retries) + 1} tries;" in last, text[-3000:]  # it tried again
    assert TOKEN.split(":", 1)[1] not in text


async def test_a_bot_api_that_comes_up_while_it_waits_is_used(tmp_path: Path) -> None:
    data_dir = data_copy(tmp_path / "data")
    log = tmp_path / "bot.log"
    port = _closed_port()
    server = FakeTelegramServer(TOKEN, port=port)
    async with bot_process(
        server, data_dir, tmp_path, log, BOT_START_RETRY_SECONDS="120", LOG_LEVEL="INFO"
    ) as proc:
        # up only once the bot has failed to reach it at least once
        for _ in range(600):
            if "is not reachable" in log.read_text(errors="replace"):
                break
            assert proc.returncode is None, log.read_text(errors="replace")[-3000:]
            await asyncio.sleep(0.1)
        async with server:
            await server.wait_for(lambda: len(server.commands) == 3, timeout=120)
            replies = await say(server, 1, "/help", "en")
            assert replies and proc.returncode is None
    text = log.read_text(errors="replace")
    assert "the Bot API at" in text and "answers (try" in text
