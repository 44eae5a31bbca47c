"""The bot process's side of the watchlist alerts (docs/alerts.md): when it serves a release it
has not queued yet, queue that release's alerts (idempotent, so every replica may do it), and
send the outbox through Telegram as title cards, within Telegram's limits (bot/alerts_sender.py).

Words: the alert is written in the language the person chose (/language), else the one their
Telegram app reported in their last message to this process, else Spanish (the default)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from people import Alert

from . import cards
from .alerts import alerts_for_release
from .alerts_sender import AlertSender
from .delivery import deliver
from .i18n import platform_name, t
from .replies import Html, Reply
from .sender_lease import SenderLease

if TYPE_CHECKING:
    from .commands import Commands

log = logging.getLogger(__name__)
DEFAULT_LANG = "es"


class AlertService:
    """Queues each newly served release's alerts and sends the outbox, until stopped."""

    def __init__(self, commands: Commands, bot: Any, send: bool = True, poll_s: float = 5.0):
        self.commands = commands
        self.bot = bot
        self.poll_s = poll_s
        self.queued: str | None = None  # the release whose alerts this process queued
        self.sender = AlertSender(commands.store, self.send, lambda alert: alert) if send else None
        self.lease = SenderLease(getattr(commands.store, "url", None))
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[Any]] = []

    async def queue_served_release(self) -> int:
        """Queue the alerts of the release being served, once per release; returns how many
        were new in the outbox (0 when already queued, here or by another replica)."""
        holder = self.commands.holder
        # Taking `current` is what checks the releases pointer (the holder follows it only
        # then, in the background): without it a bot nobody writes to never saw a new release.
        getattr(holder, "current", None)
        release = getattr(holder, "release", None)
        if release is None or release.version == self.queued:
            return 0
        result = await alerts_for_release(release.path, self.commands.store)
        self.queued = release.version
        log.info(
            "release %s: %d arrivals, %d alerts for %d people, %d newly queued",
            result.release, result.arrivals, result.alerts, result.watchers, result.queued,
        )  # fmt: skip
        return result.queued

    async def lang_of(self, telegram_id: int) -> str:
        chosen = await self.commands.store.language_async(telegram_id)
        return chosen or self.commands.seen_langs.get(telegram_id) or DEFAULT_LANG

    def render(self, lang: str, alert: Alert) -> Reply:
        """The alert: which of the person's platforms has it now, then the title card."""
        catalog = self.commands.catalog
        info = catalog.title(alert.title_id)
        names = ", ".join(platform_name(p, lang) for p in sorted(alert.platforms))
        head = t(lang, "alert", platforms=names)
        if info is None:  # gone again since the release was queued: say it plainly
            return Reply(Html(f"{head}\n{alert.title_id}"))
        carried = cards.offers(catalog, info)
        text = Html(f"{head}\n\n{cards.card_text(lang, info, carried)}")
        return Reply(text, cards.card_keyboard(lang, info, carried))

    async def send(self, chat_id: int, alert: Alert) -> None:
        """One alert to Telegram; Telegram's errors go back to the sender (403: blocked)."""
        reply = self.render(await self.lang_of(alert.telegram_id), alert)
        await deliver(self.bot, chat_id, reply)

    async def _queue_loop(self) -> None:
        while not self._stop.is_set():
            try:
                await self.queue_served_release()
            except Exception:  # the store or the release's files: try again next time
                log.exception("queueing the served release's alerts failed; retrying later")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.poll_s)

    async def _send_loop(self) -> None:
        """Drain the outbox while this process holds the sender lease (bot/sender_lease.py)."""
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


def wire_alerts(application: Any, settings: Any) -> AlertService:
    """`python -m bot`'s wiring: the service starts after the Application's post_init and
    stops before its post_shutdown (the store is still open then)."""
    commands = application.bot_data["commands"]
    service = AlertService(
        commands, application.bot, settings.alerts_send, settings.alerts_poll_seconds
    )
    post_init, post_shutdown = application.post_init, application.post_shutdown

    async def init(app: Any) -> None:
        if post_init is not None:
            await post_init(app)
        service.start()

    async def shutdown(app: Any) -> None:
        await service.stop()
        if post_shutdown is not None:
            await post_shutdown(app)

    application.post_init, application.post_shutdown = init, shutdown
    return service
