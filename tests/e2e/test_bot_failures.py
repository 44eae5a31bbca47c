"""The real `python -m bot` when Telegram says no: a rejected token or a wrong TELEGRAM_BASE_URL
at start or in the middle of polling, getUpdates failing for a long time, and webhook mode's
secret and listen address. The process runs against the fake Bot API on 127.0.0.1 (same launcher
as tests/e2e/test_bot_process.py); everything it prints is scanned for the token."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from bot.health import check, heartbeat_path
from tests.fakes.botdata import ROOT, data_copy
from tests.fakes.processes import TOKEN, bot_process, say
from tests.fakes.telegram_server import FakeTelegramServer, Fault

pytestmark = pytest.mark.timeout(300)

SECRET_PART = TOKEN.split(":", 1)[1]


def assert_no_token(text: str) -> None:
    assert TOKEN not in text and SECRET_PART not in text, "the token leaked"


async def ended(proc: asyncio.subprocess.Process, timeout: float = 90) -> int:
    """The exit code of `proc`, which is expected to stop by itself."""
    return await asyncio.wait_for(proc.wait(), timeout)


def last_line(text: str) -> str:
    return [line for line in text.splitlines() if line.strip()][-1]


# ----- item 2: a token rejected at start-up -------------------------------------------------
@pytest.mark.parametrize("fault", ["401 token revoked", "404 wrong base url"])
async def test_rejected_at_start_exits_non_zero_and_never_prints_the_token(
    tmp_path: Path, fault: str
) -> None:
    data_dir = data_copy(tmp_path / "data")
    log = tmp_path / "bot.log"
    # 401: the server knows another token (as after /revoke). 404: a path that is no Bot API.
    async with FakeTelegramServer("999:another-token" if "401" in fault else TOKEN) as server:
        base = server.base_url if "401" in fault else f"http://127.0.0.1:{server.port}/nope/bot"
        async with bot_process(server, data_dir, tmp_path, log, TELEGRAM_BASE_URL=base) as proc:
            code = await ended(proc)
    text = log.read_text(errors="replace")
    assert code not in (0, 124), (code, text[-2000:])  # 124: `timeout` had to stop it
    assert_no_token(text)
    line = last_line(text)
    assert "Telegram rejected the bot token" in line, text[-2000:]
    assert "TELEGRAM_BOT_TOKEN" in line and "TELEGRAM_BASE_URL" in line
    # ours is the last word: Python did not print the exception after it
    assert line.startswith("cannot start: ") and "rejected by the server" not in line


# ----- item 1: polling that ends or keeps failing -------------------------------------------
@pytest.mark.parametrize("code", [401, 404])
async def test_get_updates_rejected_mid_run_stops_the_process(tmp_path: Path, code: int) -> None:
    data_dir = data_copy(tmp_path / "data")
    log = tmp_path / "bot.log"
    async with (
        FakeTelegramServer(TOKEN) as server,
        bot_process(server, data_dir, tmp_path, log) as proc,
    ):
        await server.wait_for(lambda: len(server.commands) == 3, timeout=90)
        await say(server, 1, "/help", "en")
        # the token is revoked (401) or the server behind the URL changed (404)
        what = "Unauthorized" if code == 401 else "Not Found"
        server.faults.append(Fault(method="getUpdates", code=code, description=what, times=10**9))
        exit_code = await ended(proc)
    text = log.read_text(errors="replace")
    assert exit_code not in (0, 124), (exit_code, text[-2000:])
    assert_no_token(text)
    line = last_line(text)
    assert "polling stopped" in line and "Telegram rejected the bot token" in line, line
    assert str(code) in line


async def test_check_fails_while_get_updates_keeps_failing(tmp_path: Path) -> None:
    """500s on every getUpdates: the loop is alive (heartbeat fresh) but fetches nothing, so
    `--check` turns unhealthy after HEALTH_MAX_FETCH_AGE; healthy again once they stop."""
    data_dir = data_copy(tmp_path / "data")
    log = tmp_path / "bot.log"
    path = heartbeat_path(data_dir / "state")
    async with FakeTelegramServer(TOKEN) as server:
        env = {"HEALTH_MAX_FETCH_AGE": "10"}
        async with bot_process(server, data_dir, tmp_path, log, **env) as proc:
            await server.wait_for(lambda: len(server.commands) == 3, timeout=90)
            await wait_check(data_dir, healthy=True)
            fault = Fault(method="getUpdates", code=500, times=10**9)
            server.faults.append(fault)
            reason = await wait_check(data_dir, healthy=False)
            assert "getUpdates" in reason and "limit 10 s" in reason, reason
            assert check(path)[1].startswith("unhealthy")
            assert proc.returncode is None  # still running: 500s are retried, not fatal
            fault.times = 0
            await wait_check(data_dir, healthy=True)
            [reply] = await say(server, 2, "/help", "en")
            assert reply.ok
    assert_no_token(log.read_text(errors="replace"))


def run_check(data_dir: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DATA_DIR", "TELEGRAM_BOT_TOKEN")}
    env |= {"DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "bot", "--check"], cwd=data_dir.parent, env=env,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


async def wait_check(data_dir: Path, healthy: bool, timeout: float = 120) -> str:
    """Run `python -m bot --check` until it says `healthy`; returns its line."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        done = await asyncio.to_thread(run_check, data_dir)
        if (done.returncode == 0) == healthy:
            return (done.stdout + done.stderr).strip()
        if loop.time() > deadline:
            raise AssertionError(f"--check never became healthy={healthy}: {done.stderr}")
        await asyncio.sleep(0.5)


# ----- item 3: webhook mode -----------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_webhook_without_a_secret_refuses_to_start(tmp_path: Path) -> None:
    data_dir = data_copy(tmp_path / "data")
    log = tmp_path / "bot.log"
    port = free_port()
    async with FakeTelegramServer(TOKEN) as server:
        env = {"WEBHOOK_URL": "https://bot.example.com/hook", "WEBHOOK_PORT": str(port)}
        async with bot_process(server, data_dir, tmp_path, log, WEBHOOK_SECRET=None, **env) as p:
            code = await ended(p)
        assert server.webhook is None  # nothing registered with Telegram
    text = log.read_text(errors="replace")
    assert code == 2, (code, text[-2000:])
    assert "WEBHOOK_SECRET" in last_line(text)
    assert_no_token(text)


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a socket listening on `port` (from /proc/net/tcp and tcp6)."""
    found = set()
    for name in ("tcp", "tcp6"):
        with open(f"/proc/net/{name}") as f:
            for row in f.read().splitlines()[1:]:
                local, state = row.split()[1], row.split()[3]
                address, hex_port = local.split(":")
                if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                    found.add(address)
    return found


async def test_webhook_rejects_forged_updates_and_listens_on_loopback(tmp_path: Path) -> None:
    data_dir = data_copy(tmp_path / "data")
    log = tmp_path / "bot.log"
    port = free_port()
    secret = "webhook-s3cret_value"
    update = {
        "update_id": 5,
        "message": {
            "message_id": 1, "date": 0, "chat": {"id": 77, "type": "private"},
            "from": {"id": 77, "is_bot": False, "first_name": "Admin", "language_code": "en"},
            "text": "/status",
        },
    }  # fmt: skip
    async with FakeTelegramServer(TOKEN) as server:
        env = {
            "WEBHOOK_URL": "https://bot.example.com/tg/hook",
            "WEBHOOK_PORT": str(port),
            "WEBHOOK_SECRET": secret,
        }
        async with bot_process(server, data_dir, tmp_path, log, **env):
            await server.wait_for(lambda: server.webhook is not None, timeout=90)
            assert server.webhook["secret_token"] == secret
            for _ in range(600):  # setWebhook may come before the server listens
                if listening_addresses(port):
                    break
                await asyncio.sleep(0.1)
            assert listening_addresses(port) == {"0100007F"}  # 127.0.0.1 only
            url = f"http://127.0.0.1:{port}/tg/hook"
            async with aiohttp.ClientSession() as http:
                for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guess"}):
                    async with http.post(url, json=update, headers=headers) as resp:
                        assert resp.status == 403
                headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
                async with http.post(url, json=update, headers=headers) as resp:
                    assert resp.status == 200
            [status] = await server.wait_outgoing(77, 1, timeout=30)
            # the forged updates never reached a handler: this /status is the first update
            assert "Updates: 1 ·" in status.text, status.text
            assert len(server.outgoing(77)) == 1
    assert_no_token(log.read_text(errors="replace"))
    assert secret not in log.read_text(errors="replace")


# ----- item 2: whatever escapes, redacted ---------------------------------------------------
def test_uncaught_exceptions_in_any_thread_are_printed_redacted() -> None:
    code = (
        "import threading\n"
        "from bot.logging_setup import setup_logging\n"
        f"setup_logging('INFO', [{TOKEN!r}])\n"
        "def fail():\n"
        f"    raise ValueError({TOKEN!r})\n"
        "t = threading.Thread(target=fail)\n"
        "t.start(); t.join()\n"
        "import warnings; warnings.warn('url /bot" + TOKEN + "/getMe')\n"
        f"raise RuntimeError('The token `{TOKEN}` was rejected by the server.')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    out = done.stdout + done.stderr
    assert done.returncode == 1
    assert_no_token(out)
    assert out.count("[REDACTED]") >= 3  # the thread's error, the warning, the main error
    assert "uncaught exception in thread" in out and "RuntimeError" in out


async def test_webhook_health_probe_counts_an_empty_queue_as_fetched() -> None:
    """Webhook mode: an idle bot gets no deliveries; Telegram reporting no update waiting keeps
    it healthy, updates waiting (Telegram cannot reach us) do not."""
    from types import SimpleNamespace

    from bot.polling import Feed

    class Bot:
        pending = 0

        async def get_webhook_info(self) -> SimpleNamespace:
            return SimpleNamespace(pending_update_count=self.pending, last_error_message="refused")

    feed, bot = Feed(4, webhook=True), Bot()
    feed.started -= 100
    await feed.probe_webhook(bot)
    assert feed.fetch_age() < 5
    feed.last_fetch = None
    bot.pending = 7
    await feed.probe_webhook(bot)
    assert feed.fetch_age() >= 100
