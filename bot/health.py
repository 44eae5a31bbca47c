"""Liveness for Docker's HEALTHCHECK: the running bot touches a heartbeat file, `--check` reads it.

The bot rewrites `<DATA_DIR>/state/heartbeat` every HEARTBEAT_INTERVAL seconds from a task on
its event loop (so a blocked or dead loop stops it) and after processed updates (at most once
every few seconds). `python -m bot --check` exits 0 when the file is younger than MAX_AGE,
else 1 with a one-line reason; it loads no catalogue, so it is cheap enough for every 30 s.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from pathlib import Path

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL = 30.0  # seconds between beats of the loop task
MAX_AGE = 120.0  # --check: older than this (four missed beats) is unhealthy
UPDATE_BEAT_INTERVAL = 5.0  # beats after updates, at most this often


def heartbeat_path(state_dir: Path) -> Path:
    return Path(state_dir) / "heartbeat"


class Heartbeat:
    """Writes the heartbeat file; never raises (a full disk must not stop the bot)."""

    def __init__(self, path: Path, min_interval: float = UPDATE_BEAT_INTERVAL) -> None:
        self.path = Path(path)
        self.min_interval = min_interval
        self._last = float("-inf")
        self._failed = False
        self._task: asyncio.Task | None = None

    def beat(self, force: bool = False) -> None:
        """Rewrite the file (atomically: write aside, then rename) unless one was just written."""
        now = time.monotonic()
        if not force and now - self._last < self.min_interval:
            return
        self._last = now
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(f"{time.time():.0f} pid {os.getpid()}\n", encoding="ascii")
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
    """(healthy, one-line reason) from the heartbeat file's modification time."""
    try:
        written = Path(path).stat().st_mtime
    except FileNotFoundError:
        return False, f"unhealthy: no heartbeat at {path} (is the bot running?)"
    except OSError as e:
        return False, f"unhealthy: cannot read the heartbeat {path}: {e}"
    age = (time.time() if now is None else now) - written
    if age > max_age:
        return False, f"unhealthy: last heartbeat {age:.0f} s ago (limit {max_age:.0f} s)"
    return True, f"ok: last heartbeat {max(age, 0):.0f} s ago"
