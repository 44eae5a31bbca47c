"""The composition root: one `build_application` for `python -m bot` and for the tests.

The pieces live beside it: bot/handlers.py (the PTB callbacks, thin adapters over `Commands`),
bot/delivery.py (sending a `Reply`: splitting, editing in place) and bot/runner.py (polling or
webhook). Their public names are importable from here too, as before the split.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

from telegram import BotCommand, BotCommandScopeDefault
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    BaseRateLimiter,
    CallbackQueryHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from chat.commands import Commands
from chat.operations import Reloader
from chat.registry import REGISTRY
from chat.stats import Stats
from people import PeopleStore

from .delivery import answer_query, deliver, markup, quiet_plain_sends
from .handlers import Handlers, addressed_to_us, person_of
from .health import HEARTBEAT_INTERVAL, Heartbeat, heartbeat_path
from .inline import answer_inline
from .polling import BotApplication, BotApplicationBuilder, Feed, FeedBot, FeedProcessor
from .runner import (
    ALLOWED_UPDATES,
    POLL_TIMEOUT,
    ConfigError,
    base_urls,
    poll_timeout,
    run,
    stop_when_running,
    webhook_options,
)
from .settings import Settings
from .transport import JsonRequest

if TYPE_CHECKING:
    from catalog.core import Catalog
    from catalog.holder import CatalogHolder

__all__ = [
    "ALLOWED_UPDATES",
    "POLL_TIMEOUT",
    "ConfigError",
    "Handlers",
    "addressed_to_us",
    "answer_query",
    "base_urls",
    "build_application",
    "build_commands",
    "configured_builder",
    "deliver",
    "markup",
    "person_of",
    "poll_timeout",
    "run",
    "set_commands",
    "webhook_options",
]


async def set_commands(application: BotApplication) -> None:
    """Register the command menus: Spanish as the default, and per language."""
    bot = application.bot
    for lang, code in (("es", None), ("es", "es"), ("en", "en")):
        commands = [BotCommand(name, desc) for name, desc in REGISTRY.menu(lang)]
        await bot.set_my_commands(commands, scope=BotCommandScopeDefault(), language_code=code)


def build_commands(
    settings: Settings,
    holder: CatalogHolder,
    store: PeopleStore | None = None,
    build: Callable[[], Catalog] | None = None,
) -> Commands:
    """The command logic, shared by the Telegram application and the console chat.

    `build` replaces the catalogue load of /reload (tests); None is the holder's own reload,
    which reads the release `<data_dir>/releases/current` points at, else data_dir itself
    (catalog/holder.py). A loader of `settings.data_dir` here would miss the releases."""
    if store is None:
        from people import store_from_settings

        store = store_from_settings(settings)  # DATABASE_URL: SQLite file or PostgreSQL
    return Commands(holder, store, Stats(), Reloader(holder, build))


def configured_builder(
    settings: Settings, rate_limiter: BaseRateLimiter[int] | None = None, feed: Feed | None = None
) -> BotApplicationBuilder:
    """The ApplicationBuilder with every transport choice of ours (also used by the benchmark's
    echo bot, so both run on exactly the same stack). The bot is a FeedBot and the update
    processor a FeedProcessor over one `feed` (bounded prefetch; bot/polling.py)."""
    if not settings.token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    concurrency = settings.bot_concurrency
    if feed is None:
        feed = Feed(settings.prefetch_window, webhook=bool(settings.webhook_url))
    quiet_plain_sends()  # replies go through do_api_request on purpose (bot/delivery.py)
    # The pool is sized with the concurrency bound (PTB's own advice; docs/bot.md has numbers).
    # JSON bodies (bot/transport.py): cheaper to encode than PTB's form bodies
    request = JsonRequest(
        connection_pool_size=concurrency + 4,
        pool_timeout=10.0,
        read_timeout=15.0,
        write_timeout=15.0,
        connect_timeout=10.0,
    )
    poll_request = JsonRequest(
        connection_pool_size=1, read_timeout=POLL_TIMEOUT + 10.0, connect_timeout=10.0
    )
    urls: dict[str, str] = {}
    if settings.telegram_base_url:
        urls["base_url"], urls["base_file_url"] = base_urls(settings.telegram_base_url)
    bot = FeedBot(
        settings.token,
        request=request,
        get_updates_request=poll_request,
        # RetryAfter is retried (twice) after the delay Telegram asks for.
        rate_limiter=rate_limiter or AIORateLimiter(max_retries=2),
        defaults=Defaults(parse_mode=ParseMode.HTML),
        feed=feed,
        **urls,
    )
    return Application.builder().bot(bot).concurrent_updates(FeedProcessor(concurrency, feed))


def build_application(
    settings: Settings,
    holder: CatalogHolder,
    store: PeopleStore | None = None,
    commands: Commands | None = None,
    rate_limiter: BaseRateLimiter[int] | None = None,
) -> BotApplication:
    """The whole Telegram bot over one catalogue holder; call `run_polling` or `run_webhook`."""
    commands = commands or build_commands(settings, holder, store)
    feed = Feed(settings.prefetch_window, webhook=bool(settings.webhook_url))
    max_age = settings.health_max_fetch_age
    heartbeat = Heartbeat(heartbeat_path(settings.state_dir), feed=feed, fetch_max_age=max_age)
    feed.on_fetch = heartbeat.beat  # throttled to once a second
    watching: list[asyncio.Task[None]] = []  # the Feed's watch over the polling loop, while it runs

    async def post_init(app: BotApplication) -> None:
        await set_commands(app)
        if feed.webhook:
            heartbeat.probe = lambda: feed.probe_webhook(app.bot)
        else:
            watching.append(asyncio.create_task(feed.watch(), name="streamrec:feed-watch"))
        # beats every 30 s (less with a small HEALTH_MAX_FETCH_AGE) while the loop runs
        heartbeat.start(min(HEARTBEAT_INTERVAL, max_age / 3))

    async def post_stop(app: BotApplication) -> None:
        for task in watching:
            task.cancel()
        await asyncio.gather(*watching, return_exceptions=True)
        watching.clear()
        await heartbeat.stop()

    builder = configured_builder(settings, rate_limiter, feed)
    application = builder.post_init(post_init).post_stop(post_stop).build()
    feed.updater_running = lambda: application.updater is not None and application.updater.running
    feed.on_fatal = lambda reason: stop_when_running(application)
    handlers = Handlers(commands, settings, heartbeat)
    application.bot_data["commands"] = commands
    application.bot_data["heartbeat"] = heartbeat
    application.bot_data["feed"] = feed
    application.add_handler(MessageHandler(filters.TEXT, handlers.text))
    application.add_handler(CallbackQueryHandler(handlers.button))
    application.add_handler(InlineQueryHandler(answer_inline))
    application.add_error_handler(handlers.error)
    return application
