"""Running the built Application: long polling by default, a webhook server when WEBHOOK_URL
is set (refused without WEBHOOK_SECRET), and one line saying why it stopped by itself. Before
either, `wait_for_bot_api` waits for the Bot API to answer at all (a network that is not up
yet, a self-hosted server still starting), with backoff, for BOT_START_RETRY_SECONDS."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from telegram import Bot, Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.request import HTTPXRequest

from .polling import BotApplication, Feed, rejected
from .settings import Settings

log = logging.getLogger(__name__)

# Long polling holds one connection for `timeout` seconds; give it its own small pool so it
# never takes a slot that replies need.
POLL_TIMEOUT = 10

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]


def stop_when_running(application: BotApplication) -> None:
    """Stop run_polling/run_webhook from inside the loop (stop_running does nothing until the
    Application runs, and the polling loop can die while it is still starting)."""

    async def stop() -> None:
        while not application.running:
            await asyncio.sleep(0.1)
        application.stop_running()

    # kept in bot_data so the task is not garbage-collected before it runs
    application.bot_data["stopping"] = asyncio.get_running_loop().create_task(stop())


# Exit code of `python -m bot` when the Bot API could not be reached at start (sysexits.h's
# EX_UNAVAILABLE): a supervisor's restart is the right answer, and it is told apart from a
# rejected token (3) or bad settings (2).
EXIT_UNREACHABLE = 69
TELEGRAM_BOT_API = "https://api.telegram.org/bot"


def base_urls(base_url: str) -> tuple[str, str]:
    """TELEGRAM_BASE_URL (".../bot") -> (base_url, base_file_url) as PTB wants them."""
    base = base_url.rstrip("/")
    if not base.endswith("/bot"):
        base += "/bot"
    return base, base[: -len("/bot")] + "/file/bot"


def wait_for_bot_api(settings: Settings, sleep: Callable[[float], None] = time.sleep) -> str | None:
    """getMe until the Bot API answers, at 1, 2, 4 ... up to 30 s apart, for at most
    BOT_START_RETRY_SECONDS; None once it answered (a rejected token counts: run() then says
    so), else the one line to stop with. Each failed try is one warning, never a traceback.

    A probe Bot of its own, in its own event loop, closed after: the Application's bot and
    connection pools are made in run_polling's loop and must not be touched before it."""
    base = base_urls(settings.telegram_base_url)[0] if settings.telegram_base_url else None
    where = base or TELEGRAM_BOT_API
    budget = settings.bot_start_retry_seconds
    started = time.monotonic()
    delay, tries = 1.0, 0
    while True:
        tries += 1
        error = asyncio.run(_probe(settings.token or "", base))
        if error is None:
            if tries > 1:
                log.info("the Bot API at %s answers (try %d)", where, tries)
            return None
        waited = time.monotonic() - started
        if waited + delay > budget:
            return (
                f"cannot start: the Bot API at {where} could not be reached for {waited:.0f} s "
                f"({tries} tries; last: {error}); check the network, or TELEGRAM_BASE_URL "
                f"(BOT_START_RETRY_SECONDS={budget:g})"
            )
        log.warning(
            "the Bot API at %s is not reachable (%s); try %d, next in %.0f s (gives up after "
            "%g s)", where, error, tries, delay, budget,
        )  # fmt: skip
        sleep(delay)
        delay = min(delay * 2, 30.0)


async def _probe(token: str, base_url: str | None) -> str | None:
    """None when getMe got any answer from a Bot API, else why not (one line)."""
    request = HTTPXRequest(connect_timeout=5.0, read_timeout=10.0)
    bot = Bot(token, base_url=base_url or TELEGRAM_BOT_API, request=request)
    try:
        await bot.get_me()
    except InvalidToken:
        return None  # reachable: run() reports the rejected token
    except NetworkError as e:  # refused, DNS, timed out, a proxy's 5xx
        return " ".join(str(e).split()) or type(e).__name__
    except TelegramError:
        return None  # an answer, even an error one: the API is there
    finally:
        await request.shutdown()
    return None


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


def run(application: BotApplication, settings: Settings) -> str | None:
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
