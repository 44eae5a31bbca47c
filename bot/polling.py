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
  the process would stay up, polling nothing. `FeedBot.get_updates` sees that error first and
  calls `on_fatal` with one line saying why; `python -m bot` exits non-zero.
- Backstop for any other end of the loop: `Feed.watch` (started in post_init) notices when the
  Updater runs but getUpdates has not been called for longer than PTB's loop ever pauses
  between calls (no pause after a success, at most 30 s after an error, what Telegram asks
  after a RetryAfter) plus `stall_after` seconds, and reports it the same way. It relies only
  on our own getUpdates: PTB exposes neither its polling task nor a hook for that task's end.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import time
import warnings
from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

from telegram.error import InvalidToken, RetryAfter, TelegramError, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ContextTypes,
    ExtBot,
    JobQueue,
    SimpleUpdateProcessor,
)

log = logging.getLogger(__name__)

# The longest pause PTB's polling loop makes between getUpdates calls after an error (its
# back-off grows 1.5 times per error up to 30 s; after a success or a timeout it calls again at
# once), and our margin on top of it before a loop that stopped calling counts as dead.
PTB_MAX_BACKOFF = 30.0
STALL_AFTER = 60.0


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

    def __init__(self, bound: int, webhook: bool = False, stall_after: float = STALL_AFTER) -> None:
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
        # whether the Updater is meant to be running (set by build_application): a loop that
        # stops calling getUpdates while it is, ended on its own
        self.updater_running: Callable[[], bool] = lambda: False
        self.stall_after = stall_after
        self.calling = 0  # polling getUpdates calls on (waiting for room included)
        self.idle_since: float | None = None  # monotonic end of the last one
        self.pause = 0.0  # how long PTB's loop may wait after it before calling again
        self.max_backoff = PTB_MAX_BACKOFF
        self._room = asyncio.Event()

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

    def call_started(self) -> None:
        self.calling += 1

    def call_ended(self, error: BaseException | None = None) -> None:
        """A polling getUpdates returned (or raised `error`): PTB's loop calls again after
        `pause` seconds (its network_retry_loop: at once after a success or a timeout, what
        Telegram asks after a RetryAfter, a back-off of at most 30 s after other errors)."""
        self.calling = max(0, self.calling - 1)
        self.idle_since = time.monotonic()
        if error is None or isinstance(error, TimedOut):
            self.pause = 0.0
        elif isinstance(error, RetryAfter):
            self.pause = _seconds(error) + 0.5
        else:
            self.pause = self.max_backoff

    def overdue(self, now: float | None = None) -> float:
        """Seconds past the latest moment a live polling loop calls getUpdates again (0 while a
        call is on, before the first one, or in time)."""
        if self.calling or self.idle_since is None:
            return 0.0
        now = time.monotonic() if now is None else now
        return max(0.0, now - self.idle_since - self.pause)

    def check_polling(self, now: float | None = None) -> None:
        """Report a polling loop that stopped calling getUpdates while the Updater runs."""
        if self.webhook or self.failure is not None or not self.updater_running():
            return
        now = time.monotonic() if now is None else now
        if self.idle_since is not None and self.overdue(now) > self.stall_after:
            quiet = now - self.idle_since
            self.fail(f"the polling loop stopped calling getUpdates ({quiet:.0f} s without one)")

    async def watch(self, interval: float | None = None) -> None:
        """`check_polling` every `interval` seconds (a tenth of `stall_after` by default) until
        cancelled or a failure is reported."""
        every = interval if interval is not None else max(0.05, self.stall_after / 10)
        while self.failure is None:
            await asyncio.sleep(every)
            self.check_polling()

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


class FeedBot(ExtBot[int]):
    """An ExtBot whose getUpdates goes through a `Feed` (bounded prefetch, fetch time). Its rate
    limiter is an AIORateLimiter, whose per-call argument is an int (max_retries)."""

    def __init__(self, *args: Any, feed: Feed, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # PTB freezes a Bot's public attributes after __init__ and leaves those named with an
        # underscore settable for subclasses (TelegramObject.__setattr__): ours is `_feed`.
        self._feed = feed

    @property
    def feed(self) -> Feed:
        return self._feed

    async def get_updates(
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: Any = None,
        allowed_updates: Any = None,
        **kwargs: Any,
    ) -> Any:
        # The polling loop long-polls (timeout > 0); its last call at shutdown only confirms
        # (timeout 0) and whatever it returns is dropped, so it neither waits nor counts.
        if not timeout:
            return await super().get_updates(
                offset=offset, limit=limit, timeout=timeout, allowed_updates=allowed_updates,
                **kwargs,
            )  # fmt: skip
        feed = self._feed
        feed.call_started()
        error: BaseException | None = None
        try:
            free = await feed.room()
            updates = await super().get_updates(
                offset=offset, limit=min(limit or 100, free), timeout=timeout,
                allowed_updates=allowed_updates, **kwargs,
            )  # fmt: skip
        except InvalidToken as e:
            # PTB's loop would end here for good and its task would re-raise this when the
            # Updater stops, skipping the Application's own shutdown. Report it, then wait to
            # be cancelled by the stop that `on_fatal` starts.
            error = e
            feed.fail(rejected(e))
            await asyncio.Event().wait()
            raise
        except BaseException as e:
            error = e
            raise
        finally:
            feed.call_ended(error)
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


def _seconds(error: RetryAfter) -> float:
    """RetryAfter's delay in seconds. PTB 22 gives an int with a deprecation warning unless
    PTB_TIMEDELTA is set, a timedelta then; either does here, and the warning is not ours."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, datetime.timedelta) else float(value)


# The Application bot/app.py builds, and its builder: a FeedBot with PTB's default context, data
# and job-queue types (what ApplicationBuilder infers; dict[Any, Any] is PTB's own default for the
# data).
BotApplication: TypeAlias = Application[
    FeedBot,
    ContextTypes.DEFAULT_TYPE,
    dict[Any, Any],
    dict[Any, Any],
    dict[Any, Any],
    JobQueue[ContextTypes.DEFAULT_TYPE],
]
BotApplicationBuilder: TypeAlias = ApplicationBuilder[
    FeedBot,
    ContextTypes.DEFAULT_TYPE,
    dict[Any, Any],
    dict[Any, Any],
    dict[Any, Any],
    JobQueue[ContextTypes.DEFAULT_TYPE],
]
