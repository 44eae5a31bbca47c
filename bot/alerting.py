"""Telegram's side of the watchlist alerts: the `send` the alert service is given (the alert in
the person's words, chat/alert_message.py, delivered as a title card by bot/delivery.py), with
Telegram's refusals translated into the sender's own (alerts/sender.py), and the wiring into
the Application's start and stop."""

from __future__ import annotations

import warnings
from datetime import timedelta
from typing import Any

from telegram.error import BadRequest, Forbidden, RetryAfter

from alerts.sender import Blocked, Refused, RetryLater, Send
from alerts.service import AlertService
from chat.alert_message import alert_reply
from chat.commands import Commands
from people import Alert

from .delivery import deliver
from .settings import Settings


def _retry_after(error: RetryAfter) -> float:
    """Seconds Telegram asked to wait. PTB 22 warns that the attribute becomes a timedelta; we
    take either."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value: float | timedelta = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def telegram_send(send: Send) -> Send:
    """`send`, with Telegram's 403, 429 and 400 raised as the sender's Blocked, RetryLater and
    Refused (anything else passes through: the sender retries it with backoff)."""

    async def sending(chat_id: int, payload: Any) -> Any:
        try:
            return await send(chat_id, payload)
        except Forbidden as e:
            raise Blocked(str(e)) from e
        except RetryAfter as e:
            raise RetryLater(str(e), _retry_after(e)) from e
        except BadRequest as e:
            raise Refused(f"BadRequest: {e}") from e

    return sending


def alert_service(
    commands: Commands, bot: Any, send: bool = True, poll_s: float = 5.0
) -> AlertService:
    """The service for this bot: alerts rendered for their person, sent by `bot`."""

    async def deliver_alert(chat_id: int, alert: Alert) -> None:
        try:
            await deliver(bot, chat_id, await alert_reply(commands, alert))
        except Forbidden:
            commands.unreachable(alert.telegram_id)  # their next message unblocks them
            raise

    return AlertService(
        commands.store, commands.holder, telegram_send(deliver_alert) if send else None, poll_s
    )


def wire_alerts(application: Any, settings: Settings) -> AlertService:
    """`python -m bot`'s wiring: the service starts after the Application's post_init and
    stops before its post_shutdown (the store is still open then)."""
    commands = application.bot_data["commands"]
    service = alert_service(
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
