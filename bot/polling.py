"""Getting updates, watched: bounded prefetch, the time of the last fetch, a loop that ended.

python-telegram-bot's Updater long-polls getUpdates with no `limit` (Telegram's default: 100),
queues what it gets and confirms it with its next call, long before the Application has
processed it. With 600 presses waiting, all were fetched and confirmed in a second, so a
kill -9 lost every one not yet processed (Telegram does not send confirmed updates again).

- `Feed` counts updates fetched but not yet processed (`FeedProcessor`, the Application's
  update processor, marks each one done) and never lets more than the window W
  (BOT_PREFETCH, default four times BOT_CONCURRENCY) be pending: getUpdates asks for no more than
  the free places (`limit`). So at most W updates are ever confirmed to Telegram and
  unfinished: the most a kill -9 can lose, and all that SIGTERM has to finish (the rest stays
  at Telegram for the next start). The next getUpdates starts once at most W - W/2 are
  pending, so it fetches a batch while the processor still has a queue: refilling place by
  place cost one Bot API round trip per update (docs/bot.md has the measurements).
- `FeedBot` (an ExtBot) routes getUpdates through the Feed and records the time of the last
  successful one; the heartbeat file carries it to `python -m bot --check` (docs/deploy.md).
- PTB's polling loop gives up for good on 401/404 (InvalidToken: "Aborting retry loop") and
  the process would stay up, polling nothing. The Feed watches that loop's task: when it ends
  on its own, `on_fatal` is called with one line saying why, and `python -m bot` exits non-zero.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from telegram.error import InvalidToken, TelegramError
from telegram.ext import ExtBot, SimpleUpdateProcessor

log = logging.getLogger(__name__)

# The task PTB's Updater.start_polling runs getUpdates in (its name is set by PTB 22).
POLLING_TASK = "Updater:start_polling:polling_task"


def rejected(exc: BaseException) -> str:
    """One line for a 401/404 from the Bot API (never the token: the caller redacts anyway)."""
    # getMe wraps the server's answer in a message of its own (naming the token): look inside
    text = f"{exc} {exc.__cause__ or ''}".lower()
    if "not found" in text or "404" in text:
        status = "404 Not Found"
    elif "unauthorized" in text or "401" in text:
        status = "401 Unauthorized"
    else:
        status = "401/404"
    return (
        f"Telegram rejected the bot token ({status}): revoked or mistyped "
        "TELEGRAM_BOT_TOKEN (ask @BotFather), or TELEGRAM_BASE_URL is not a Bot API server"
    )


class Feed:
    """Pending updates, the last successful fetch, and what to do when polling dies."""

    def __init__(self, bound: int, webhook: bool = False) -> None:
        self.bound = max(1, bound)
        # refill when this many or fewer are pending (half the window, 0 for a window of 1)
        self.refill_at = self.bound - max(1, self.bound // 2)
        self.webhook = webhook
        self.pending = 0  # fetched (or delivered) and not yet processed
        self.started = time.time()
        self.last_fetch: float | None = None  # wall clock of the last successful getUpdates
        self.failure: str | None = None  # why polling ended on its own, once it has
        self.on_fetch: Callable[[], None] | None = None
        self.on_fatal: Callable[[str], None] | None = None
        # whether the Updater is meant to be running (set by build_application): a polling
        # task that returns while it is, ended on its own
        self.updater_running: Callable[[], bool] = lambda: False
        self._room = asyncio.Event()
        self._watched = False

    # ----- bookkeeping ------------------------------------------------------------------
    def fetched(self, count: int) -> None:
        self.pending += count
        self.last_fetch = time.time()
        if self.on_fetch is not None:
            self.on_fetch()

    def delivered(self) -> None:
        """A webhook delivery: for the health check it counts as a successful fetch."""
        self.fetched(1)

    def done(self) -> None:
        self.pending = max(0, self.pending - 1)
        if self.pending <= self.refill_at:
            self._room.set()

    def fetch_age(self, now: float | None = None) -> float:
        """Seconds since the last successful fetch (since start-up before the first)."""
        return (time.time() if now is None else now) - (self.last_fetch or self.started)

    async def room(self) -> int:
        """Wait until at most `refill_at` updates are pending; how many may be fetched now."""
        while self.pending > self.refill_at:
            self._room.clear()
            await self._room.wait()
        return self.bound - self.pending

    # ----- a polling loop that ended ------------------------------------------------------
    def fail(self, reason: str) -> None:
        if self.failure is not None:
            return
        self.failure = reason
        log.critical("polling stopped: %s", reason)
        if self.on_fatal is not None:
            self.on_fatal(reason)

    def watch_polling(self) -> None:
        """Find PTB's polling task (we are called from inside it) and learn when it ends."""
        if self._watched:
            return
        for task in asyncio.all_tasks():
            if task.get_name() == POLLING_TASK:
                self._watched = True
                task.add_done_callback(self._polling_ended)
                return

    def _polling_ended(self, task: asyncio.Task) -> None:
        if task.cancelled():
            return
        exc = task.exception()
        if isinstance(exc, InvalidToken):
            self.fail(rejected(exc))
        elif exc is not None:
            self.fail(f"the polling loop failed: {type(exc).__name__}: {exc}")
        elif self.updater_running():  # it returned although nobody stopped the updater
            self.fail("the polling loop ended on its own")

    async def probe_webhook(self, bot: Any) -> None:
        """Webhook mode, every heartbeat: an idle bot gets no deliveries, so ask Telegram. No
        update waiting for us counts as fetched; updates waiting (Telegram cannot reach us)
        leave the age growing until deliveries resume."""
        try:
            info = await bot.get_webhook_info()
        except TelegramError as e:
            log.warning("getWebhookInfo failed: %s", e)
            return
        if info.pending_update_count == 0:
            self.fetched(0)
        elif info.last_error_message:
            log.warning(
                "Telegram has %d updates waiting; last delivery error: %s",
                info.pending_update_count,
                info.last_error_message,
            )


class FeedBot(ExtBot):
    """An ExtBot whose getUpdates goes through a `Feed` (bounded prefetch, fetch time)."""

    def __init__(self, *args: Any, feed: Feed, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._unfreeze()  # PTB freezes its objects after __init__
        self.feed = feed
        self._freeze()

    async def get_updates(
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: Any = None,
        allowed_updates: Any = None,
        **kwargs: Any,
    ) -> Any:
        feed = self.feed
        # The polling loop long-polls (timeout > 0); its last call at shutdown only confirms
        # (timeout 0) and whatever it returns is dropped, so it neither waits nor counts.
        polling = bool(timeout)
        if polling:
            feed.watch_polling()
            free = await feed.room()
            limit = min(limit or 100, free)
        try:
            updates = await super().get_updates(
                offset=offset, limit=limit, timeout=timeout, allowed_updates=allowed_updates,
                **kwargs,
            )  # fmt: skip
        except InvalidToken as e:
            if not polling:
                raise
            # PTB's loop would end here for good and its task would re-raise this when the
            # Updater stops, skipping the Application's own shutdown. Report it, then wait to
            # be cancelled by the stop that `on_fatal` starts.
            feed.fail(rejected(e))
            await asyncio.Event().wait()
            raise
        if polling:
            feed.fetched(len(updates))
        return updates


class FeedProcessor(SimpleUpdateProcessor):
    """PTB's concurrent processing (at most N at once) that tells the Feed when each is done."""

    def __init__(self, max_concurrent_updates: int, feed: Feed) -> None:
        super().__init__(max_concurrent_updates)
        self.feed = feed

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if self.feed.webhook:
            self.feed.delivered()
        try:
            await coroutine
        finally:
            self.feed.done()
