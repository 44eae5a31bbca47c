"""The bot process's side of the watchlist alerts (docs/alerts.md): when it serves a release it
has not queued yet, queue that release's alerts (idempotent, so every replica may do it), and
send the outbox through Telegram as title cards, within Telegram's limits (alerts/sender.py).

What an alert says and how it reaches the person are given: `send(chat_id, alert)` comes from
the adapter (bot/alerting.py: the words from chat/alert_message.py, delivered by Telegram), so
this package imports neither the conversation nor Telegram."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from people import PeopleStore

from .lease import SenderLease
from .queue import alerts_for_release
from .sender import AlertSender, Send

log = logging.getLogger(__name__)


class AlertService:
    """Queues each newly served release's alerts and sends the outbox, until stopped."""

    def __init__(self, store: PeopleStore, holder: Any, send: Send | None, poll_s: float = 5.0):
        """`holder`: the catalogue holder (its `current` and, following a releases pointer,
        its `release`); `send` None: this process only queues (ALERTS_SEND=false)."""
        self.store, self.holder = store, holder
        self.poll_s = poll_s
        self.queued: str | None = None  # the release whose alerts this process queued
        self.sender = AlertSender(store, send, lambda alert: alert) if send is not None else None
        self.lease = SenderLease(getattr(store, "url", None))
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[Any]] = []

    async def queue_served_release(self) -> int:
        """Queue the alerts of the release being served, once per release; returns how many
        were new in the outbox (0 when already queued, here or by another replica)."""
        holder = self.holder
        # Taking `current` is what checks the releases pointer (the holder follows it only
        # then, in the background): without it a bot nobody writes to never saw a new release.
        getattr(holder, "current", None)
        release = getattr(holder, "release", None)
        if release is None or release.version == self.queued:
            return 0
        result = await alerts_for_release(release.path, self.store)
        self.queued = release.version
        log.info(
            "release %s: %d arrivals, %d alerts for %d people, %d newly queued",
            result.release, result.arrivals, result.alerts, result.watchers, result.queued,
        )  # fmt: skip
        return result.queued

    async def _queue_loop(self) -> None:
        while not self._stop.is_set():
            try:
                await self.queue_served_release()
            except Exception:  # the store or the release's files: try again next time
                log.exception("queueing the served release's alerts failed; retrying later")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.poll_s)

    async def _send_loop(self) -> None:
        """Drain the outbox while this process holds the sender lease (alerts/lease.py)."""
        assert self.sender is not None
        while not self._stop.is_set():
            try:
                if await self.lease.lead():
                    await self.sender.drain()
            except Exception:  # the outbox keeps every alert; look again later
                log.exception("alert sender: draining the outbox failed; retrying later")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.poll_s)

    def start(self) -> None:
        self._tasks.append(asyncio.create_task(self._queue_loop(), name="alerts-queue"))
        if self.sender is not None:
            self._tasks.append(asyncio.create_task(self._send_loop(), name="alerts-send"))

    async def stop(self) -> None:
        self._stop.set()
        for task in self._tasks:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, 10)
        await self.lease.close()
