"""Issue 15 end to end, every part a real process: release 1 from demo CSVs; a `python -m bot`
polling the fake Bot API and a `python -m api`; a person picks Disney+ and watches a Hulu title;
new CSVs move that title to Disney+ and take a fifth of Netflix away; `refresh run` -> both
processes serve the new release without a restart, the person gets exactly one alert and /new
lists the title; `refresh rollback` -> both serve release 1 again and nothing is sent again."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from tests.fakes.harness import button_data
from tests.fakes.processes import ADMIN, TOKEN, bot_process, press, say
from tests.fakes.telegram_server import Call, FakeTelegramServer
from tests.refresh_helpers import (
    ROOT,
    drop_ratings_of,
    env,
    first_title,
    free_port,
    keep_share,
    make_inbox,
    move_title,
    refresh,
    state,
)

pytestmark = pytest.mark.timeout(600)

PERSON = 501
POLL = "1"  # ALERTS_POLL_SECONDS: queue and send checks every second
# Generous: a refresh on a busy 2-core machine, then a 2 s pointer check and a reload.
WAIT = 180.0


@contextlib.asynccontextmanager
async def api_process(data: Path, log: Path) -> AsyncIterator[str]:
    """`python -m api` on a free loopback port; yields its base URL once /health answers."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    extra = {"DATA_DIR": str(data), "API_HOST": "127.0.0.1", "API_PORT": str(port)}
    with log.open("ab") as sink:
        proc = await asyncio.create_subprocess_exec(
            "timeout", "600", sys.executable, "-m", "api",
            cwd=ROOT, env=env(**extra, LOG_LEVEL="INFO"), stdout=sink, stderr=sink,
        )  # fmt: skip
    try:
        await until(lambda: health(url), "the API to answer /health", 120)
        yield url
    finally:
        if proc.returncode is None:
            proc.terminate()  # `timeout` forwards it to the API
            try:
                await asyncio.wait_for(proc.wait(), 30)
            except TimeoutError:
                proc.kill()
                await proc.wait()


def health(url: str) -> dict | None:
    try:
        return httpx.get(f"{url}/health", timeout=5).json()
    except httpx.TransportError:
        return None


def api_release(url: str) -> str | None:
    body = health(url) or {}
    return (body.get("release") or {}).get("version")


async def until(check: Callable[[], object], what: str, timeout: float = WAIT) -> object:
    """Poll `check` (run in a thread: it may block) until truthy; the event loop keeps serving
    the fake Bot API meanwhile."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        value = await asyncio.to_thread(check)
        if value:
            return value
        await asyncio.sleep(0.3)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def alerts(server: FakeTelegramServer) -> list[Call]:
    return [c for c in server.outgoing(PERSON) if c.method == "sendMessage" and "🔔" in c.text]


def queued_lines(log: Path, version: str) -> int:
    """How many times the bot's alert service queued `version` (one log line each)."""
    return log.read_text(errors="replace").count(f"release {version}: ")


async def run_refresh(data: Path, *args: str) -> str:
    done = await asyncio.to_thread(refresh, data, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    current = state(data)[0]
    assert current is not None
    return current


async def test_refresh_serves_both_processes_alerts_once_and_rolls_back(tmp_path: Path) -> None:
    data = tmp_path / "data"
    inbox = make_inbox(data / "inbox")
    first = await run_refresh(data, "run")
    hulu_id, title, year = first_title(inbox, "hulu")
    bot_log, api_log = tmp_path / "bot.log", tmp_path / "api.log"
    bot_env = {"ALERTS_POLL_SECONDS": POLL, "ALERTS_SEND": "true", "DATABASE_URL": None}

    async with (
        FakeTelegramServer(TOKEN) as server,
        bot_process(server, data, tmp_path, bot_log, **bot_env),
        api_process(data, api_log) as url,
    ):
        await server.wait_for(lambda: len(server.commands) == 3, timeout=120)
        assert api_release(url) == first
        [status] = await say(server, ADMIN, "/status", "en")
        assert first in status.text
        # the bot queued release 1 (nobody watches anything yet): nothing to send
        await until(lambda: queued_lines(bot_log, first) == 1, "release 1 queued")

        # the person: Disney+ only, and a title that is on Hulu only
        [menu] = await say(server, PERSON, "/myplatforms", "en")
        assert "You haven't said which platforms" in menu.text
        [mine] = await press(server, PERSON, menu.message_id, button_data(menu, "Disney"), "en")
        assert "Your platforms: Disney+" in mine.text
        [added] = await say(server, PERSON, f"/watch {title}", "en")
        if "Which one?" in added.text:  # a near namesake: pick the Hulu title by its id
            [row] = [r for r in added.params["reply_markup"]["inline_keyboard"]
                     if r[0]["callback_data"].endswith(f"|{hulu_id}")]  # fmt: skip
            [added] = await press(server, PERSON, added.message_id, row[0]["callback_data"], "en")
        assert "Added to your watchlist" in added.text and title in added.text
        [listed] = await say(server, PERSON, "/watchlist", "en")
        assert title in listed.text

        # release 2: the title leaves Hulu for Disney+, Netflix keeps 80 % (the gate allows 30 %)
        old_id, new_id = move_title(inbox, "hulu", "disney")
        assert old_id == hulu_id
        netflix = inbox / "titles" / "netflix_titles.csv"
        drop_ratings_of(inbox, keep_share(netflix, 0.8))
        second = await run_refresh(data, "run")
        assert second != first

        # the alert comes with no message from anyone: the bot followed the pointer by itself
        await until(lambda: alerts(server), "the watchlist alert")
        await until(lambda: api_release(url) == second, "the API to serve release 2")
        [status] = await say(server, ADMIN, "/status", "en")
        assert second in status.text
        [alert] = alerts(server)
        assert "On your watchlist, now on Disney+" in alert.text
        assert title in alert.text and year in alert.text
        assert queued_lines(bot_log, second) == 1
        assert "1 alerts for 1 people, 1 newly queued" in bot_log.read_text(errors="replace")
        await asyncio.sleep(3 * float(POLL))  # a few more queue and send rounds
        assert len(alerts(server)) == 1

        [new] = await say(server, PERSON, "/new", "en")
        assert f"New in release {second}" in new.text and title in new.text
        assert "Disney+" in new.text and "Netflix" not in new.text
        assert new_id in str(new.params["reply_markup"])  # its card: the Disney+ id
        # /nuevo, the Spanish name, answers the same list in Spanish
        [nuevo] = await say(server, PERSON, "/nuevo", "es")
        assert second in nuevo.text and title in nuevo.text

        # rollback: both processes serve release 1 again, and nothing is sent again
        await run_refresh(data, "rollback", first)
        assert state(data)[0] == first
        await until(lambda: api_release(url) == first, "the API to follow the rollback")
        await until(lambda: queued_lines(bot_log, first) == 2, "the bot to follow the rollback")
        [status] = await say(server, ADMIN, "/status", "en")
        assert first in status.text and second not in status.text
        await asyncio.sleep(3 * float(POLL))
        assert len(alerts(server)) == 1
        [new] = await say(server, PERSON, "/new", "en")
        # release 1 was the first: nothing arrived in it
        assert f"Nothing new on your platforms in release {first}" in new.text
