"""`python -m bot --check` (Docker HEALTHCHECK) and the heartbeat the running bot writes."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import os
import re
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

from bot.health import MAX_AGE, Heartbeat, check, heartbeat_path
from tests.fakes.botdata import data_copy
from tests.fakes.harness import running_bot

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(120)


def run_check(data_dir: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DATA_DIR", "TELEGRAM_BOT_TOKEN")}
    env |= {"DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "bot", "--check"],
        cwd=data_dir.parent,  # no .env of the repository
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_without_a_heartbeat_is_unhealthy(tmp_path: Path) -> None:
    ok, reason = check(tmp_path / "state" / "heartbeat")
    assert not ok and reason.startswith("unhealthy: no heartbeat")


def test_check_fresh_and_stale(tmp_path: Path) -> None:
    path = heartbeat_path(tmp_path / "state")
    Heartbeat(path).beat()
    written = path.stat().st_mtime
    assert check(path, now=written) == (True, "ok: last heartbeat 0 s ago")
    old = time.time() - 300
    os.utime(path, (old, old))
    ok, reason = check(path, now=old + 300)
    assert not ok and reason == f"unhealthy: last heartbeat 300 s ago (limit {MAX_AGE:.0f} s)"
    assert check(path, now=old + MAX_AGE - 1)[0]


def test_beats_after_updates_are_throttled_and_never_raise(tmp_path: Path) -> None:
    path = heartbeat_path(tmp_path / "state")
    beat = Heartbeat(path, min_interval=60)
    beat.beat()
    old = time.time() - 100
    os.utime(path, (old, old))
    beat.beat()  # within a minute of the last one: not rewritten
    assert not check(path, max_age=50)[0]
    beat.beat(force=True)
    assert check(path, max_age=50)[0]
    blocked = tmp_path / "file"
    blocked.write_text("x")
    Heartbeat(blocked / "state" / "heartbeat").beat()  # a file where a folder should be: logged


async def test_the_loop_task_beats_until_stopped(tmp_path: Path) -> None:
    path = heartbeat_path(tmp_path / "state")
    beat = Heartbeat(path)
    beat.start(interval=0.05)
    await asyncio.sleep(0.2)
    assert check(path)[0]
    await beat.stop()
    first = path.stat().st_mtime_ns
    await asyncio.sleep(0.1)
    assert path.stat().st_mtime_ns == first  # stopped: no more beats


def test_python_m_bot_check_exit_codes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    missing = run_check(data)
    assert missing.returncode == 1
    assert missing.stderr.count("\n") == 1 and "no heartbeat" in missing.stderr
    Heartbeat(heartbeat_path(data / "state")).beat()
    fresh = run_check(data)
    assert fresh.returncode == 0, fresh.stderr
    assert fresh.stdout.startswith("ok: last heartbeat")
    old = time.time() - 600
    os.utime(heartbeat_path(data / "state"), (old, old))
    stale = run_check(data)
    # 600 s, or a few more when the machine is busy and the check starts slowly
    assert stale.returncode == 1 and re.search(r"last heartbeat 6\d\d s ago", stale.stderr)


async def test_a_running_bot_keeps_its_heartbeat_fresh(tmp_path: Path) -> None:
    data = data_copy(tmp_path / "data")
    path = heartbeat_path(data / "state")
    async with running_bot(data) as bot:
        # post_init (what run_polling calls) starts the 30-second beat
        await bot.app.post_init(bot.app)
        await bot.server.wait_for(lambda: check(path)[0], timeout=60)
        old = time.time() - 600
        os.utime(path, (old, old))
        bot.app.bot_data["heartbeat"]._last = float("-inf")  # as if the last beat was long ago
        [reply] = await bot.say(900, "/help")
        assert reply.ok
        # the processed update beats again (just after its reply went out)
        await bot.server.wait_for(lambda: check(path)[0], timeout=60)
        assert run_check(data).returncode == 0
        await bot.app.post_stop(bot.app)


def test_check_fails_when_fetching_stalls_although_the_loop_beats(tmp_path: Path) -> None:
    """The heartbeat proves the event loop runs; the recorded fetch time proves updates
    arrive. A loop beating over a dead getUpdates (401 loop ended, 5xx, wedged) is unhealthy."""
    from bot.polling import Feed

    path = heartbeat_path(tmp_path / "state")
    feed = Feed(4)
    beat = Heartbeat(path, feed=feed, fetch_max_age=60)
    feed.fetched(0)
    beat.beat(force=True)
    now = feed.last_fetch
    ok, reason = check(path, now=now)
    assert ok and "last getUpdates 0 s ago" in reason
    feed.last_fetch = now - 61  # the loop still beats, nothing fetched for 61 s
    beat.beat(force=True)
    ok, reason = check(path, now=now)
    assert not ok and reason.startswith("unhealthy: no successful getUpdates for 61 s (limit 60 s)")
    # before the first fetch the age counts from start-up
    fresh = Feed(4)
    fresh.started = now - 10
    Heartbeat(path, feed=fresh, fetch_max_age=5).beat(force=True)
    ok, reason = check(path, now=now)
    assert not ok and "for 10 s (limit 5 s)" in reason
    # webhook mode says so
    hook = Feed(4, webhook=True)
    hook.delivered()
    Heartbeat(path, feed=hook).beat(force=True)
    ok, reason = check(path, now=hook.last_fetch)
    assert ok and reason.endswith("last webhook delivery 0 s ago")


async def test_bounded_prefetch_waits_for_room() -> None:
    """getUpdates asks for at most the free places and waits while BOT_CONCURRENCY are pending."""
    from bot.polling import Feed

    feed = Feed(3)
    assert await feed.room() == 3
    feed.fetched(3)
    waiter = asyncio.create_task(feed.room())
    await asyncio.sleep(0)
    assert not waiter.done()  # 3 pending: no fetch
    feed.done()
    assert await asyncio.wait_for(waiter, 5) == 1


async def test_prefetch_refills_in_batches_not_place_by_place() -> None:
    """A window of 32 is refilled once half of it is answered, with one getUpdates for 16: one
    Bot API round trip per freed place made the echo bot 3x slower at +20 ms per call."""
    from bot.polling import Feed

    feed = Feed(32)
    assert await feed.room() == 32
    feed.fetched(32)
    waiter = asyncio.create_task(feed.room())
    for _ in range(15):
        feed.done()
    await asyncio.sleep(0)
    assert not waiter.done()  # 17 pending: the processor (16 at once) still has a queue
    feed.done()
    assert await asyncio.wait_for(waiter, 5) == 16


def test_prefetch_window_defaults_to_four_times_the_concurrency() -> None:
    from bot.settings import Settings

    assert Settings(bot_concurrency=8).prefetch_window == 32
    assert Settings(bot_concurrency=8, bot_prefetch=12).prefetch_window == 12
    assert Settings(bot_concurrency=8, bot_prefetch=2).prefetch_window == 8  # never below


def test_a_polling_loop_that_stops_calling_get_updates_is_reported_once() -> None:
    """Backstop for endings other than a rejected token: the Feed knows when PTB's loop is due
    to call getUpdates again (at once after a success, at most 30 s after an error, what
    Telegram asked after a RetryAfter) and reports a loop `stall_after` seconds late."""
    from telegram.error import NetworkError, RetryAfter

    from bot.polling import PTB_MAX_BACKOFF, Feed

    reasons: list[str] = []
    feed = Feed(2, stall_after=5)
    feed.on_fatal = reasons.append
    feed.updater_running = lambda: True
    feed.check_polling(now=10**6)  # never called yet: nothing to judge
    feed.call_started()
    feed.check_polling(now=10**6)  # a call in progress (a long poll) is alive
    feed.call_ended(None)
    t = feed.idle_since
    assert t is not None and feed.pause == 0
    feed.check_polling(now=t + 5)  # 5 s late: within the margin
    assert reasons == []
    with warnings.catch_warnings():  # PTB 22's own deprecation notice about int seconds
        warnings.simplefilter("ignore")
        flood = RetryAfter(datetime.timedelta(seconds=40))
    for error, pause in ((NetworkError("x"), PTB_MAX_BACKOFF), (flood, 40.5)):
        feed.call_started()
        feed.call_ended(error)
        t = feed.idle_since
        assert t is not None and feed.pause == pause
        feed.check_polling(now=t + pause + 4.9)  # PTB's back-off, then a late call: fine
        assert reasons == []
    feed.check_polling(now=t + 40.5 + 6)
    assert (
        reasons == ["the polling loop stopped calling getUpdates (46 s without one)"]
        and feed.failure == reasons[0]
    )
    feed.check_polling(now=t + 1000)
    assert len(reasons) == 1  # once


def test_a_stopped_updater_or_a_webhook_is_never_a_dead_loop() -> None:
    from bot.polling import Feed

    for webhook, running in ((False, False), (True, True)):
        feed = Feed(2, webhook=webhook, stall_after=1)
        feed.on_fatal = lambda reason: pytest.fail(reason)
        feed.updater_running = lambda running=running: running
        feed.call_started()
        feed.call_ended(None)
        assert feed.idle_since is not None
        feed.check_polling(now=feed.idle_since + 1000)
        assert feed.failure is None


async def test_ptb_polling_loop_that_dies_is_reported(tmp_path: Path) -> None:
    """The real Updater over HTTP: its loop aborts when its error callback raises (here on a
    500 from getUpdates). No task name, no PTB internals: the Feed sees getUpdates stop."""
    from telegram.error import NetworkError

    from bot.app import configured_builder
    from bot.polling import Feed
    from tests.fakes.harness import TOKEN, settings_for
    from tests.fakes.telegram_server import FakeTelegramServer, Fault

    def error_callback(error: Exception) -> None:
        raise RuntimeError(f"the loop's error callback gave up on {error}")

    async with FakeTelegramServer(TOKEN) as server:
        settings = settings_for(server, tmp_path)
        feed = Feed(4, stall_after=0.5)
        reasons: list[str] = []
        feed.on_fatal = reasons.append
        app = configured_builder(settings, feed=feed).build()
        feed.updater_running = lambda: app.updater.running
        async with app:
            await app.start()
            await app.updater.start_polling(
                timeout=1, poll_interval=0.0, error_callback=error_callback
            )
            watch = asyncio.create_task(feed.watch(0.05))
            try:
                await server.wait_for(lambda: feed.last_fetch is not None)
                assert reasons == [] and feed.calling == 1  # alive: long-polling
                feed.max_backoff = 0.5  # PTB's back-off bound (30 s) shrunk for the test
                server.faults.append(Fault(method="getUpdates", code=500, times=10**9))
                await asyncio.wait_for(watch, timeout=30)
            finally:
                watch.cancel()
                with contextlib.suppress(RuntimeError, NetworkError):
                    await app.updater.stop()  # the dead task's error is raised again here
                await app.stop()
        assert len(reasons) == 1, reasons
        assert reasons[0].startswith("the polling loop stopped calling getUpdates"), reasons
