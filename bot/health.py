"""Health for Docker's HEALTHCHECK: the running bot writes a heartbeat file, `--check` reads it.

The bot rewrites `<DATA_DIR>/state/heartbeat` every HEARTBEAT_INTERVAL seconds from a task on
its event loop (so a blocked or dead loop stops it), after processed updates and after each
successful getUpdates (at most once a second). The file says when updates were last fetched
(polling: the last successful getUpdates; webhook: the last delivery, or Telegram reporting
nothing waiting) and the bound the bot was started with (HEALTH_MAX_FETCH_AGE, default 60 s).
`python -m bot --check` exits 0 when the file is younger than MAX_AGE *and* the last fetch is
within that bound, else 1 with a one-line reason. A live loop that fetches nothing (getUpdates
failing with 5xx, a wedged connection, Telegram unable to reach the webhook) is unhealthy. It
loads no catalogue, so it is cheap enough for every 30 s.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL = 30.0  # seconds between beats of the loop task
MAX_AGE = 120.0  # --check: older than this (four missed beats) is unhealthy
UPDATE_BEAT_INTERVAL = 1.0  # beats after updates and fetches, at most this often
FETCH_MAX_AGE = 60.0  # --check: no fetch for longer is unhealthy (HEALTH_MAX_FETCH_AGE)


def heartbeat_path(state_dir: Path) -> Path:
    return Path(state_dir) / "heartbeat"


class Heartbeat:
    """Writes the heartbeat file; never raises (a full disk must not stop the bot)."""

    def __init__(
        self,
        path: Path,
        min_interval: float = UPDATE_BEAT_INTERVAL,
        feed: Any = None,
        fetch_max_age: float = FETCH_MAX_AGE,
    ) -> None:
        self.path = Path(path)
        self.min_interval = min_interval
        # a bot.polling.Feed: its fetch time goes into the file
        self.feed = feed
        self.fetch_max_age = fetch_max_age
        # webhook mode: asks Telegram whether updates wait (an idle bot gets no deliveries)
        self.probe: Callable[[], Awaitable[None]] | None = None
        self._last = float("-inf")
        self._failed = False
        self._task: asyncio.Task[None] | None = None

    def beat(self, force: bool = False) -> None:
        """Rewrite the file (atomically: write aside, then rename) unless one was just written."""
        now = time.monotonic()
        if not force and now - self._last < self.min_interval:
            return
        self._last = now
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            state: dict[str, Any] = {"beat": round(time.time(), 1), "pid": os.getpid()}
            if self.feed is not None:
                state["mode"] = "webhook" if self.feed.webhook else "polling"
                state["fetched"] = round(self.feed.last_fetch or self.feed.started, 1)
                state["fetch_max_age"] = self.fetch_max_age
            tmp.write_text(json.dumps(state) + "\n", encoding="ascii")
            os.replace(tmp, self.path)
        except OSError as e:
            if not self._failed:  # once, not every 30 s
                log.warning("cannot write the heartbeat %s: %s", self.path, e)
            self._failed = True
        else:
            self._failed = False

    async def run(self, interval: float = HEARTBEAT_INTERVAL) -> None:
        """Beat every `interval` seconds until cancelled."""
        while True:
            if self.probe is not None:
                with contextlib.suppress(Exception):  # logged by the probe; never stop beating
                    await self.probe()
            self.beat(force=True)
            await asyncio.sleep(interval)

    def start(self, interval: float = HEARTBEAT_INTERVAL) -> None:
        """Start the beating task on the running loop (idempotent)."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(
                self.run(interval), name="heartbeat"
            )

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


def check(path: Path, max_age: float = MAX_AGE, now: float | None = None) -> tuple[bool, str]:
    """(healthy, one-line reason) from the heartbeat file: its modification time (the loop is
    alive) and the last fetch it records (updates are arriving)."""
    try:
        written = Path(path).stat().st_mtime
        text = Path(path).read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        return False, f"unhealthy: no heartbeat at {path} (is the bot running?)"
    except OSError as e:
        return False, f"unhealthy: cannot read the heartbeat {path}: {e}"
    now = time.time() if now is None else now
    age = now - written
    if age > max_age:
        return False, f"unhealthy: last heartbeat {age:.0f} s ago (limit {max_age:.0f} s)"
    try:
        state = json.loads(text)
    except ValueError:
        state = {}  # an older bot's "<time> pid <pid>" line: the heartbeat alone decides
    fetched = state.get("fetched") if isinstance(state, dict) else None
    if fetched is None:
        return True, f"ok: last heartbeat {max(age, 0):.0f} s ago"
    limit = float(state.get("fetch_max_age") or FETCH_MAX_AGE)
    what = "getUpdates" if state.get("mode") != "webhook" else "webhook delivery"
    fetch_age = max(now - float(fetched), 0)
    if fetch_age > limit:
        return False, (
            f"unhealthy: no successful {what} for {fetch_age:.0f} s (limit {limit:.0f} s); "
            f"the event loop is alive (heartbeat {max(age, 0):.0f} s ago)"
        )
    return True, (f"ok: last heartbeat {max(age, 0):.0f} s ago, last {what} {fetch_age:.0f} s ago")
