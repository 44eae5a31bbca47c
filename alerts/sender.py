"""Delivering the alert outbox (issue 15): claim due alerts, send each through the `send`
callable given (anything awaiting (chat_id, payload); the bot gives Telegram's, wrapped by
bot/alerting.py), mark it. No Telegram here: `send` reports the platform's refusals as the
exceptions below, so this package never imports the adapter that uses it.

- **At least once.** An alert is marked sent only after `send` returned; a sender killed in
  between leaves it leased, and it is sent again when the lease expires (bot/store/people.py,
  docs/alerts.md). Never lost; a duplicate only for the alerts in flight at a crash.
- **Telegram's limits**: at most `overall` (30) sends in any `window` (1 s) and one per chat per
  `chat_interval` (1 s), by `RateLimiter`. Not a token bucket: a bucket of 30 refilled at 30/s
  lets up to 59 through in the second after an idle spell, a sliding window never more than 30.
  Several replicas each run a sender: the limit is per sender, so for one bot token run the
  sender on one replica (or divide `overall` among them).
- **Errors** (`send` raises): `Blocked` (Telegram's 403, the person blocked the bot) ->
  mark_blocked, their other alerts skipped; `RetryLater` (429) -> every send pauses for the time
  Telegram asks and the alert is due again then; `Refused` (400: a chat that does not exist, a
  payload Telegram refuses) -> given up, a retry would fail the same; anything else -> retried
  with exponential backoff, given up after `max_attempts` claims.
- The words are not here: `render(alert) -> payload` is given by the bot side.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import math
import os
import socket
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from people.base import PeopleStore
from people.records import Alert

log = logging.getLogger(__name__)

Send = Callable[[int, Any], Awaitable[Any]]
Render = Callable[[Alert], Any]  # the payload, or an awaitable of it


class Blocked(Exception):
    """The person blocked the bot: none of their alerts can be delivered."""


class RetryLater(Exception):
    """The platform asked every send to wait `seconds`."""

    def __init__(self, message: str, seconds: float) -> None:
        super().__init__(message)
        self.seconds = seconds


class Refused(Exception):
    """The platform refused this alert for good (no such chat, a payload it rejects)."""


class RateLimiter:
    """At most `overall` sends in any `window` seconds, and one per chat per `chat_interval`,
    as Telegram receives them. A send holds its place from `start` until `finish` (when the
    answer came), and the window is counted from that answer: the 31st send starts only a
    second after the 1st was answered, so however the network delays or reorders requests,
    no second at Telegram's end holds more than `overall` (the benchmark measured 36-38 in a
    second when counting from the starts). `clock` is injectable (tests drive a simulated one).
    """

    def __init__(
        self,
        overall: int = 30,
        window: float = 1.0,
        chat_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.overall, self.window, self.chat_interval = overall, window, chat_interval
        self.clock = clock
        # the last `overall` sends, oldest first: [answered at], inf while in flight
        self._recent: deque[list[float]] = deque(maxlen=overall)
        self._last: dict[int, list[float]] = {}  # chat -> its last send
        self._paused_until = 0.0

    def delay(self, chat_id: int) -> float:
        """Seconds until a send to chat_id is allowed (0: now; inf: wait for an answer)."""
        now = self.clock()
        wait = self._paused_until - now
        if len(self._recent) == self.overall:
            wait = max(wait, self._recent[0][0] + self.window - now)
        last = self._last.get(chat_id)
        if last is not None:
            wait = max(wait, last[0] + self.chat_interval - now)
        return max(wait, 0.0)

    def start(self, chat_id: int) -> list[float]:
        """A send to chat_id begins; pass what this returns to `finish` when it is answered."""
        entry = [math.inf]
        self._recent.append(entry)
        self._last[chat_id] = entry
        if len(self._last) > 10_000:  # forget chats whose interval has long passed
            now = self.clock()
            self._last = {c: e for c, e in self._last.items() if now - e[0] < self.chat_interval}
        return entry

    def finish(self, entry: list[float]) -> None:
        entry[0] = self.clock()

    def pause(self, seconds: float) -> None:
        """Telegram said "retry after": no send at all until then."""
        self._paused_until = max(self._paused_until, self.clock() + seconds)


@dataclass
class SendStats:
    claimed: int = 0
    sent: int = 0
    blocked: int = 0  # people newly found to have blocked the bot
    retried: int = 0  # failed, due again later
    gave_up: int = 0


def default_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class AlertSender:
    """Drains the store's outbox through `send`, within the limits (see the module)."""

    def __init__(
        self,
        store: PeopleStore,
        send: Send,
        render: Render,
        *,
        owner: str | None = None,
        limiter: RateLimiter | None = None,
        batch: int = 30,
        lease_s: float = 120.0,
        max_in_flight: int = 8,
        max_attempts: int = 8,
        backoff_s: float = 30.0,
        backoff_max_s: float = 3600.0,
        wall: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.store, self.send, self.render = store, send, render
        self.owner = owner or default_owner()
        self.limiter = limiter or RateLimiter()
        # A batch must be sent well within its lease, or another sender takes it over: the
        # slowest batch is one chat's alerts only, one per chat_interval.
        if lease_s < 2 * batch * self.limiter.chat_interval:
            raise ValueError(f"lease_s {lease_s} too short for batches of {batch}")
        self.batch, self.lease_s = batch, lease_s
        self.max_attempts, self.backoff_s, self.backoff_max_s = (
            max_attempts,
            backoff_s,
            backoff_max_s,
        )
        self.wall, self.sleep = wall, sleep
        self._slots = asyncio.Semaphore(max_in_flight)
        self._answered = asyncio.Event()  # a send was answered: a slot may have freed
        self._blocked: set[int] = set()  # found blocked in this drain: their claimed alerts skip
        self.stats = SendStats()

    async def drain(self) -> SendStats:
        """Send every alert due now; returns the totals so far."""
        # Who was found blocked is the store's to say from here on: someone who wrote to the
        # bot since is unblocked there (issue 23.7), and a sender living as long as the bot
        # must not keep skipping them.
        self._blocked.clear()
        while batch := await self.store.claim_alerts_async(
            self.batch, self.owner, self.lease_s, now=self.wall()
        ):
            self.stats.claimed += len(batch)
            await self._send_batch(batch)
        return self.stats

    async def run(self, stop: asyncio.Event, idle_s: float = 5.0) -> SendStats:
        """Drain, then look again every `idle_s`, until `stop` is set. A store failure is
        logged and retried at the next look (the outbox keeps every alert meanwhile)."""
        while not stop.is_set():
            try:
                await self.drain()
            except Exception:
                log.exception("alert sender: draining the outbox failed; retrying later")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), idle_s)
        return self.stats

    async def _send_batch(self, batch: list[Alert]) -> None:
        pending, tasks = list(batch), []
        while pending:
            # mark_blocked already skipped the alerts of people found blocked in this run
            pending = [a for a in pending if a.telegram_id not in self._blocked]
            if not pending:
                break
            # the alert whose chat may be sent to soonest, oldest first among equals
            alert = min(pending, key=lambda a: self.limiter.delay(a.chat_id))
            while (wait := self.limiter.delay(alert.chat_id)) > 0:
                if math.isinf(wait):  # its slot waits for an answer still in flight
                    self._answered.clear()
                    await self._answered.wait()
                else:
                    await self.sleep(max(wait, 1e-6))
            await self._slots.acquire()
            if self.limiter.delay(alert.chat_id) > 0:  # a RetryLater came while we waited
                self._slots.release()
                continue
            pending.remove(alert)
            if alert.telegram_id in self._blocked:  # found blocked while we waited
                self._slots.release()
                continue
            entry = self.limiter.start(alert.chat_id)
            tasks.append(asyncio.create_task(self._deliver(alert, entry)))
        await asyncio.gather(*tasks)

    async def _deliver(self, alert: Alert, entry: list[float]) -> None:
        try:
            try:
                try:
                    payload = self.render(alert)
                    if inspect.isawaitable(payload):
                        payload = await payload
                    await self.send(alert.chat_id, payload)
                finally:
                    self.limiter.finish(entry)
                    self._answered.set()
            except Blocked:
                if alert.telegram_id not in self._blocked:
                    self._blocked.add(alert.telegram_id)
                    self.stats.blocked += 1
                await self.store.mark_blocked_async(alert.telegram_id)
            except RetryLater as e:
                wait = e.seconds
                self.limiter.pause(wait)
                await self.store.mark_failed_async(alert.key, str(e), self.wall() + wait)
                self.stats.retried += 1
            except Refused as e:
                log.warning("alert %s refused by the platform, given up: %s", alert.key, e)
                await self.store.mark_failed_async(alert.key, str(e), None)
                self.stats.gave_up += 1
            except Exception as e:
                await self._failed(alert, e)
            else:
                await self.store.mark_sent_async(alert.key)
                self.stats.sent += 1
        except Exception:
            # The mark itself failed (store away): the lease expires and the alert is sent
            # again -- at least once.
            log.exception("alert %s: recording the outcome failed", alert.key)
        finally:
            self._slots.release()

    async def _failed(self, alert: Alert, error: Exception) -> None:
        text = f"{type(error).__name__}: {error}"
        if alert.attempts >= self.max_attempts:
            log.warning("alert %s given up after %d attempts: %s", alert.key, alert.attempts, text)
            await self.store.mark_failed_async(alert.key, text, None)
            self.stats.gave_up += 1
            return
        delay = min(self.backoff_max_s, self.backoff_s * 2 ** (alert.attempts - 1))
        log.info("alert %s failed (%s), retry in %.0f s", alert.key, text, delay)
        await self.store.mark_failed_async(alert.key, text, self.wall() + delay)
        self.stats.retried += 1
