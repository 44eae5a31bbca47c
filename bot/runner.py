"""Running the built Application: long polling by default, a webhook server when WEBHOOK_URL
is set (refused without WEBHOOK_SECRET), and one line saying why it stopped by itself."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import Update
from telegram.error import InvalidToken
from telegram.ext import Application

from .polling import Feed, rejected
from .settings import Settings

log = logging.getLogger(__name__)

# Long polling holds one connection for `timeout` seconds; give it its own small pool so it
# never takes a slot that replies need.
POLL_TIMEOUT = 10

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]


def stop_when_running(application: Application) -> None:
    """Stop run_polling/run_webhook from inside the loop (stop_running does nothing until the
    Application runs, and the polling loop can die while it is still starting)."""

    async def stop() -> None:
        while not application.running:
            await asyncio.sleep(0.1)
        application.stop_running()

    # kept in bot_data so the task is not garbage-collected before it runs
    application.bot_data["stopping"] = asyncio.get_running_loop().create_task(stop())


class ConfigError(ValueError):
    """A setting that makes the bot refuse to start (one line for the operator)."""


def webhook_options(settings: Settings, listen: str | None = None) -> dict[str, Any]:
    """Arguments for run_webhook / updater.start_webhook (shared with the tests). Refuses
    (ConfigError) without WEBHOOK_SECRET: without it anyone who finds the URL can post updates
    as any user, admins included."""
    from urllib.parse import urlparse

    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    if not secret:
        raise ConfigError(
            "WEBHOOK_URL is set but WEBHOOK_SECRET is empty: refusing to accept unauthenticated "
            "updates. Set WEBHOOK_SECRET to a random string, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
        )
    return {
        "listen": listen or settings.webhook_listen,
        "port": settings.webhook_port,
        # The path comes from WEBHOOK_URL, never from the token (it would reach access logs).
        "url_path": urlparse(settings.webhook_url or "").path.lstrip("/"),
        "webhook_url": settings.webhook_url,
        # Telegram sends it back in X-Telegram-Bot-Api-Secret-Token; PTB rejects other requests.
        "secret_token": secret,
        "allowed_updates": ALLOWED_UPDATES,
    }


def poll_timeout(settings: Settings) -> int:
    """The long-poll timeout: 10 s, or a third of HEALTH_MAX_FETCH_AGE when that is smaller,
    so an idle but healthy bot fetches well within the health bound."""
    return max(1, min(POLL_TIMEOUT, int(settings.health_max_fetch_age / 3)))


def run(application: Application, settings: Settings) -> str | None:
    """Polling by default; a webhook server when WEBHOOK_URL is set. Returns None after a
    normal stop (SIGTERM/SIGINT), or one line saying why it stopped by itself (the token was
    rejected at start or while polling, or the polling loop ended)."""
    feed: Feed = application.bot_data["feed"]
    try:
        if settings.webhook_url:
            application.run_webhook(**webhook_options(settings))
        else:
            application.run_polling(allowed_updates=ALLOWED_UPDATES, timeout=poll_timeout(settings))
    except InvalidToken as e:  # getMe at start-up (PTB's message carries the token: dropped)
        if feed.failure is None:
            return f"cannot start: {rejected(e)}"
    except Exception:
        # a polling task that died re-raises its error when the Updater stops: already said
        if feed.failure is None:
            raise
        log.debug("the polling loop's error, raised again at stop", exc_info=True)
    return f"polling stopped: {feed.failure}" if feed.failure else None
