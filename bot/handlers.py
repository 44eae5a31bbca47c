"""The PTB callbacks: turn an Update into a `Person` and words (or callback data), ask
`Commands`, and deliver its replies (bot/delivery.py); errors are logged and apologised for."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from telegram import Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from chat.commands import Commands
from chat.i18n import lang_of, t
from chat.registry import REGISTRY
from chat.replies import Person

from .delivery import answer_query, deliver
from .health import Heartbeat
from .settings import Settings

log = logging.getLogger(__name__)


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


CHART_PRESS = "v1|ch|"  # a chart button: drawing it may take a second


def draws_a_chart(text: str) -> bool:
    """/chart <name> (in any of its names): a photo is on its way."""
    head, _, rest = text.strip().partition(" ")
    if not head.startswith("/") or not rest.strip():
        return False
    command = REGISTRY.lookup(head[1:].split("@", 1)[0].lower())
    return command is not None and command.name == "chart"


async def _chat_action(bot: Any, chat_id: int, action: str) -> None:
    """ "sending a photo…" in the chat while it is drawn; a failure only loses the hint."""
    try:
        await bot.send_chat_action(chat_id, action)
    except TelegramError as e:
        log.info("chat action %s not shown: %s", action, e)


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
        if draws_a_chart(message.text):
            await _chat_action(context.bot, person.chat_id, ChatAction.UPLOAD_PHOTO)
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
        if (query.data or "").startswith(CHART_PRESS):
            await _chat_action(context.bot, person.chat_id, ChatAction.UPLOAD_PHOTO)
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
