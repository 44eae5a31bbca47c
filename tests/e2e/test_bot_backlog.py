"""A backlog of queued updates and a stop: the real `python -m bot` against the fake Bot API.

The bot fetches at most BOT_PREFETCH updates ahead of processing (bot/polling.py), so
- kill -9 in the middle of a backlog loses at most that many: an update is lost when Telegram
  was told it was received (the bot sent a higher getUpdates offset) but it was never answered;
  everything else is delivered again after the restart and answered then;
- SIGTERM finishes what was fetched and exits, well inside docker-compose.yml's
  `stop_grace_period`, leaving the rest of the backlog at Telegram for the next start.
Replies are slowed down (0.2 s per sendMessage) so the backlog lasts long enough to be cut.
"""

from __future__ import annotations

import os
import re
import signal
import time
from pathlib import Path

import pytest

from tests.fakes.botdata import ROOT, data_copy
from tests.fakes.processes import TOKEN, bot_process, python_child
from tests.fakes.telegram_server import FakeTelegramServer

pytestmark = pytest.mark.timeout(400)

BACKLOG = 150
CONCURRENCY = 8
WINDOW = 12  # BOT_PREFETCH: fetched and not yet answered, at most
ENV = {"BOT_CONCURRENCY": str(CONCURRENCY), "BOT_PREFETCH": str(WINDOW)}
FIRST_CHAT = 30_000
REPLY_DELAY = 0.2


def queue_backlog(server: FakeTelegramServer) -> dict[int, int]:
    """BACKLOG people each send /start before the bot runs: update_id -> chat."""
    return {
        server.send_text(FIRST_CHAT + k, "/start", "en"): FIRST_CHAT + k for k in range(BACKLOG)
    }


def answered(server: FakeTelegramServer) -> set[int]:
    return {c.params["chat_id"] for c in server.calls if c.ok and c.method == "sendMessage"}


def grace_period() -> float:
    """The bot service's stop_grace_period in docker-compose.yml, in seconds."""
    compose = (ROOT / "docker-compose.yml").read_text()
    bot = compose.split("\n  bot:", 1)[1].split("\n  api:", 1)[0]
    match = re.search(r"stop_grace_period:\s*(\d+)s", bot)
    assert match, "docker-compose.yml sets no stop_grace_period for the bot"
    return float(match.group(1))


async def test_kill_9_with_a_backlog_loses_at_most_the_prefetch_window(tmp_path: Path) -> None:
    data_dir = data_copy(tmp_path / "data")
    log = tmp_path / "bot.log"
    env = ENV
    async with FakeTelegramServer(TOKEN) as server:
        server.method_delay["sendMessage"] = REPLY_DELAY
        chats = queue_backlog(server)
        async with bot_process(server, data_dir, tmp_path, log, **env) as proc:
            await server.wait_for(lambda: len(answered(server)) >= 20, timeout=120)
            os.kill(python_child(proc.pid), signal.SIGKILL)
            await proc.wait()
        done_before = answered(server)
        confirmed = {u for u in chats if u < server.confirmed_offset}
        lost = {u for u in confirmed if chats[u] not in done_before}
        limits = [x for x in server.poll_limits if x is not None]
        print(
            f"kill -9: {len(done_before)} answered, {len(confirmed)} confirmed, "
            f"{len(lost)} lost (bound {WINDOW}); getUpdates limits {sorted(set(limits))}"
        )
        assert len(done_before) < BACKLOG, "the backlog was gone before the kill"
        assert len(lost) <= WINDOW, sorted(lost)
        assert limits and max(limits) <= WINDOW
        # the restarted bot gets every unconfirmed update again and answers it
        async with bot_process(server, data_dir, tmp_path, log, **env):
            missing = {chats[u] for u in chats if u not in lost}
            await server.wait_for(lambda: missing <= answered(server), timeout=180)
    assert TOKEN not in log.read_text(errors="replace")


async def test_sigterm_with_a_backlog_stops_inside_the_grace_period(tmp_path: Path) -> None:
    data_dir = data_copy(tmp_path / "data")
    log = tmp_path / "bot.log"
    env = ENV
    async with FakeTelegramServer(TOKEN) as server:
        server.method_delay["sendMessage"] = REPLY_DELAY
        chats = queue_backlog(server)
        async with bot_process(server, data_dir, tmp_path, log, **env) as proc:
            await server.wait_for(lambda: len(answered(server)) >= 20, timeout=120)
            at_signal = len(answered(server))
            t0 = time.monotonic()
            proc.send_signal(signal.SIGTERM)  # `timeout` passes it on, as `docker stop` does
            code = await proc.wait()
            drain = time.monotonic() - t0
        done = answered(server)
        confirmed = {u for u in chats if u < server.confirmed_offset}
        print(
            f"SIGTERM: exit {code} after {drain:.2f} s; {len(done) - at_signal} answered after "
            f"the signal, {BACKLOG - len(done)} left at Telegram; grace {grace_period():.0f} s"
        )
        assert code == 0, log.read_text(errors="replace")[-2000:]
        assert drain < grace_period()
        # a graceful stop loses nothing: every update confirmed to Telegram was answered ...
        assert all(chats[u] in done for u in confirmed)
        # ... and it did not wait for the whole backlog
        assert len(done) < BACKLOG
    assert TOKEN not in log.read_text(errors="replace")
