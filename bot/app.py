"""The composition root: one `build_application` for `python -m bot` and for the tests.

PTB handlers here are thin adapters: turn an Update into a `Person` and words (or callback
data), ask `Commands`, and deliver the `Reply` objects — splitting long text, editing the
pressed message in place, and treating "message is not modified" as success.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from telegram import (
    BotCommand,
    BotCommandScopeDefault,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    BaseRateLimiter,
    CallbackQueryHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from .admin import Reloader
from .commands import Commands
from .health import HEARTBEAT_INTERVAL, Heartbeat, heartbeat_path
from .i18n import lang_of, t
from .polling import Feed, FeedBot, FeedProcessor, rejected
from .registry import REGISTRY
from .replies import Keyboard, Person, Reply, split_html
from .settings import Settings
from .stats import Stats
from .store import PeopleStore

if TYPE_CHECKING:
    from catalog.core import Catalog
    from catalog.holder import CatalogHolder

log = logging.getLogger(__name__)

# Long polling holds one connection for `timeout` seconds; give it its own small pool so it
# never takes a slot that replies need.
POLL_TIMEOUT = 10


def markup(keyboard: Keyboard | None) -> InlineKeyboardMarkup | None:
    if not keyboard:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.text, callback_data=b.data) for b in row] for row in keyboard]
    )


def person_of(update: Update, settings: Settings) -> Person:
    user = update.effective_user
    chat = update.effective_chat
    user_id = user.id if user else (chat.id if chat else 0)
    return Person(
        user_id=user_id,
        chat_id=chat.id if chat else user_id,
        lang=lang_of(user.language_code if user else None),
        is_admin=user_id in settings.admin_ids,
        first_name=(user.first_name or "") if user else "",
    )


def _not_modified(e: BadRequest) -> bool:
    return "not modified" in str(e).lower()


# Telegram's answers when the pressed message cannot be edited any more: deleted, too old, not a
# text message (a photo), or never ours. The reply then goes as a new message.
_GONE = (
    "message to edit not found",
    "message can't be edited",
    "there is no text in the message to edit",
    "message_id_invalid",
)


def _message_gone(e: BadRequest) -> bool:
    text = str(e).lower()
    return any(g in text for g in _GONE)


async def answer_query(query: Any, text: str | None = None) -> None:
    """Answer a button press, never failing: the answer only stops the client's spinner.

    "Query is too old" (every press made while the bot was down), a wrong id or a network error
    must not stop the work or the reply -- the person would see an apology for a press whose
    rating was saved."""
    try:
        await query.answer(text)
    except TelegramError as e:
        log.info("could not answer callback query %s: %s", getattr(query, "id", "?"), e)


def addressed_to_us(message: Any, bot_id: int | None, username: str | None) -> bool:
    """Whether a text message is for this bot. Commands must name no other bot (/help@other is
    someone else's); in groups free text counts only as a reply to one of our messages (with
    privacy mode off the bot sees every message there, which must not all become searches)."""
    text = (message.text or "").lstrip()
    if text.startswith("/"):
        _, at, target = text.split(maxsplit=1)[0].partition("@")
        return not at or (username is not None and target.lower() == username.lower())
    if message.chat is None or message.chat.type == "private":
        return True
    replied = message.reply_to_message
    return bool(
        replied is not None and replied.from_user is not None and replied.from_user.id == bot_id
    )


async def deliver(bot: Any, chat_id: int, reply: Reply, query: Any = None) -> None:
    """Send one Reply: edit the pressed message when asked (and it fits), else send; split
    anything over Telegram's 4,096 characters at line boundaries."""
    keyboard = markup(reply.keyboard)
    if reply.photo is not None:
        # A caption holds 1,024 characters; longer text follows as messages of its own.
        caption = reply.text if len(reply.text) <= 1024 else None
        await bot.send_photo(chat_id, reply.photo, caption=caption, reply_markup=keyboard)
        if caption is not None or not reply.text:
            return
        keyboard = None
    if not reply.text:
        return
    chunks = split_html(reply.text)
    if reply.edit and query is not None and query.message is not None and len(chunks) == 1:
        try:
            await query.edit_message_text(chunks[0], reply_markup=keyboard)
            return
        except BadRequest as e:
            if _not_modified(e):  # pressing the same button twice is not an error
                return
            if not _message_gone(e):
                raise
            # deleted or too old to edit: the answer goes as a new message below
            log.info("pressed message gone (%s); sending the reply as a new message", e)
        except NetworkError as e:
            # The work is done (a rating is saved): a new message rather than an apology
            # saying it failed. The edit may have landed too; a duplicate beats a false alarm.
            log.info("edit failed (%s); sending the reply as a new message", e)
    for i, chunk in enumerate(chunks):
        last = i == len(chunks) - 1
        await bot.send_message(chat_id, chunk, reply_markup=keyboard if last else None)


class Handlers:
    """The PTB callbacks, bound to one Commands and Settings."""

    def __init__(
        self, commands: Commands, settings: Settings, heartbeat: Heartbeat | None = None
    ) -> None:
        self.commands = commands
        self.settings = settings
        self.heartbeat = heartbeat

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A typed message or /command."""
        self.commands.stats.updates += 1  # counted here, not in an extra handler group: cheaper
        message = update.effective_message
        if message is None or message.text is None:
            return
        # get_me ran at initialize, so the bot's id and username are known here
        if not addressed_to_us(message, context.bot.id, context.bot.username):
            return  # another bot's command, or group chatter
        person = person_of(update, self.settings)
        async for reply in self.commands.on_text(person, message.text):
            await deliver(context.bot, person.chat_id, reply)
        if self.heartbeat is not None:
            self.heartbeat.beat()  # at most every few seconds

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A press on one of our inline buttons."""
        self.commands.stats.updates += 1
        query = update.callback_query
        if query is None:
            return
        person = person_of(update, self.settings)
        answered = False
        async for reply in self.commands.on_button(person, query.data):
            if not answered:
                # Always answer the query (clients show a spinner until we do); a failed
                # answer is logged and the reply still goes.
                await answer_query(query, reply.toast or None)
                answered = True
            await deliver(context.bot, person.chat_id, reply, query)
        if not answered:
            await answer_query(query)
        if self.heartbeat is not None:
            self.heartbeat.beat()

    async def error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the cause with the update id and apologise to the person; never re-raise."""
        self.commands.stats.errors += 1
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("update %s failed: %s", update_id, context.error, exc_info=context.error)
        if not isinstance(update, Update) or update.effective_chat is None:
            return
        lang = lang_of(update.effective_user.language_code if update.effective_user else None)
        if update.callback_query is not None:
            # it may have been answered before the failure; a second answer is refused
            with contextlib.suppress(TelegramError):
                await update.callback_query.answer(t(lang, "error")[:200])
        try:
            await context.bot.send_message(update.effective_chat.id, t(lang, "error"))
        except TelegramError as e:  # the apology itself failed: log, do not loop
            log.warning("could not apologise for update %s: %s", update_id, e)


async def set_commands(application: Application) -> None:
    """Register the command menus: Spanish as the default, and per language."""
    bot = application.bot
    for lang, code in (("es", None), ("es", "es"), ("en", "en")):
        commands = [BotCommand(name, desc) for name, desc in REGISTRY.menu(lang)]
        await bot.set_my_commands(commands, scope=BotCommandScopeDefault(), language_code=code)


def base_urls(base_url: str) -> tuple[str, str]:
    """TELEGRAM_BASE_URL (".../bot") -> (base_url, base_file_url) as PTB wants them."""
    base = base_url.rstrip("/")
    if not base.endswith("/bot"):
        base += "/bot"
    return base, base[: -len("/bot")] + "/file/bot"


def build_commands(
    settings: Settings,
    holder: CatalogHolder,
    store: PeopleStore | None = None,
    build: Callable[[], Catalog] | None = None,
) -> Commands:
    """The command logic, shared by the Telegram application and the console chat."""
    if store is None:
        from .store import store_from_settings

        store = store_from_settings(settings)  # DATABASE_URL: SQLite file or PostgreSQL
    if build is None:

        def build() -> Catalog:
            from catalog.core import Catalog

            return Catalog.load(settings.data_dir, settings.recommend_threshold)

    return Commands(holder, store, Stats(), Reloader(holder, build))


def configured_builder(
    settings: Settings, rate_limiter: BaseRateLimiter | None = None, feed: Feed | None = None
) -> Any:
    """The ApplicationBuilder with every transport choice of ours (also used by the benchmark's
    echo bot, so both run on exactly the same stack). The bot is a FeedBot and the update
    processor a FeedProcessor over one `feed` (bounded prefetch; bot/polling.py)."""
    if not settings.token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    concurrency = settings.bot_concurrency
    if feed is None:
        feed = Feed(settings.prefetch_window, webhook=bool(settings.webhook_url))
    # The pool is sized with the concurrency bound (PTB's own advice; docs/bot.md has numbers).
    request = HTTPXRequest(
        connection_pool_size=concurrency + 4,
        pool_timeout=10.0,
        read_timeout=15.0,
        write_timeout=15.0,
        connect_timeout=10.0,
    )
    poll_request = HTTPXRequest(
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
    rate_limiter: BaseRateLimiter | None = None,
) -> Application:
    """The whole Telegram bot over one catalogue holder; call `run_polling` or `run_webhook`."""
    commands = commands or build_commands(settings, holder, store)
    feed = Feed(settings.prefetch_window, webhook=bool(settings.webhook_url))
    max_age = settings.health_max_fetch_age
    heartbeat = Heartbeat(heartbeat_path(settings.state_dir), feed=feed, fetch_max_age=max_age)
    feed.on_fetch = heartbeat.beat  # throttled to once a second

    async def post_init(app: Application) -> None:
        await set_commands(app)
        if feed.webhook:
            heartbeat.probe = lambda: feed.probe_webhook(app.bot)
        # beats every 30 s (less with a small HEALTH_MAX_FETCH_AGE) while the loop runs
        heartbeat.start(min(HEARTBEAT_INTERVAL, max_age / 3))

    async def post_stop(app: Application) -> None:
        await heartbeat.stop()

    builder = configured_builder(settings, rate_limiter, feed)
    application = builder.post_init(post_init).post_stop(post_stop).build()
    feed.updater_running = lambda: application.updater is not None and application.updater.running
    feed.on_fatal = lambda reason: _stop_when_running(application)
    handlers = Handlers(commands, settings, heartbeat)
    application.bot_data["commands"] = commands
    application.bot_data["heartbeat"] = heartbeat
    application.bot_data["feed"] = feed
    application.add_handler(MessageHandler(filters.TEXT, handlers.text))
    application.add_handler(CallbackQueryHandler(handlers.button))
    application.add_error_handler(handlers.error)
    return application


ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]


def _stop_when_running(application: Application) -> None:
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
