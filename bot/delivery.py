"""Sending a `Reply` to Telegram: inline keyboards, long text split at line boundaries, the
pressed message edited in place ("message is not modified" is success; a message too old or gone
gets a new one), and button presses answered without ever failing the work behind them.

Text goes out through `send_html`/`edit_html`, not PTB's `send_message`/`edit_message_text`:
those build the keyboard as TelegramObjects, serialise them, and parse Telegram's answer into a
`Message` we never read (together 150-250 µs of the bot's CPU per keyboarded reply on the bench
machine, a tenth of what a whole update costs; docs/benchmarks.md). They go through
`Bot.do_api_request` (public since PTB 20.8), which takes the same path below the method (rate
limiter, request class, error mapping) and returns Telegram's answer as plain data, so errors,
retries and limits are the same. Two differences, both harmless here: PTB's `Defaults` are not
applied (the parse mode is given), and a 401/404 comes as EndPointNotFound, not InvalidToken.

`do_api_request` is meant for methods PTB lacks, so for sendMessage/editMessageText it warns
"Please use 'Bot.send_message'" (a PTBUserWarning) at every call. `quiet_plain_sends` silences
exactly that warning for exactly these two methods; the bot's builder calls it.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import replace
from typing import Any

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.warnings import PTBUserWarning

from chat.limits import CAPTION_MAX, PLACEHOLDER_MAX, TOAST_MAX, clip, utf16_len
from chat.replies import Keyboard, Reply, split_html

log = logging.getLogger(__name__)

# The Bot API methods sent as plain data (send_html, edit_html)
PLAIN_METHODS = ("sendMessage", "editMessageText")


def quiet_plain_sends() -> None:
    """Silence PTB's advice to use send_message/edit_message_text instead of do_api_request for
    the two methods we send as plain data on purpose (a measured choice, see the docstring);
    every other PTB warning stays. Idempotent: `warnings` keeps one copy of a filter."""
    methods = "|".join(PLAIN_METHODS)
    warnings.filterwarnings(
        "ignore", message=rf"Please use 'Bot\.({methods})'", category=PTBUserWarning
    )


def markup(keyboard: Keyboard | None) -> InlineKeyboardMarkup | None:
    if not keyboard:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b.text, url=b.url)
                if b.url
                else InlineKeyboardButton(b.text, callback_data=b.data)
                for b in row
            ]
            for row in keyboard
        ]
    )


def _forces_reply(reply: Reply) -> bool:
    """A question without buttons: Telegram opens a reply to it (ForceReply)."""
    return reply.ask is not None and not reply.keyboard


def markup_data(reply: Reply) -> dict[str, Any] | None:
    """The reply's markup as Telegram reads it, built straight from our buttons (no
    TelegramObjects): the inline keyboard, or for a question a forced reply (selective, as
    `reply_markup`). The request layer encodes it with the rest of the body."""
    if reply.ask is not None and _forces_reply(reply):
        hint = clip(reply.ask, PLACEHOLDER_MAX)
        return {"force_reply": True, "selective": True, "input_field_placeholder": hint}
    if not reply.keyboard:
        return None
    rows = [
        [{"text": b.text, "url": b.url} if b.url else {"text": b.text, "callback_data": b.data}
         for b in row]
        for row in reply.keyboard
    ]  # fmt: skip
    return {"inline_keyboard": rows}


async def send_html(
    bot: Any, chat_id: int, text: str, markup: dict[str, Any] | None = None
) -> None:
    """sendMessage with HTML text and a serialised markup; Telegram's answer is not parsed."""
    data = {"chat_id": chat_id, "text": text, "parse_mode": ParseMode.HTML, "reply_markup": markup}
    await bot.do_api_request("sendMessage", data)


async def edit_html(
    bot: Any, message: Any, text: str, markup: dict[str, Any] | None = None
) -> None:
    """editMessageText of one of our messages, like send_html."""
    data = {
        "chat_id": message.chat.id,
        "message_id": message.message_id,
        "text": text,
        "parse_mode": ParseMode.HTML,
        "reply_markup": markup,
    }
    await bot.do_api_request("editMessageText", data)


def reply_markup(reply: Reply) -> InlineKeyboardMarkup | ForceReply | None:
    """The buttons, or for a question a forced reply (selective: in a group only the person
    asked gets the reply field)."""
    if reply.ask is not None and _forces_reply(reply):
        return ForceReply(selective=True, input_field_placeholder=clip(reply.ask, PLACEHOLDER_MAX))
    return markup(reply.keyboard)


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
        await query.answer(clip(text, TOAST_MAX) if text else text)
    except TelegramError as e:
        log.info("could not answer callback query %s: %s", getattr(query, "id", "?"), e)


async def deliver(bot: Any, chat_id: int, reply: Reply, query: Any = None) -> None:
    """Send one Reply: edit the pressed message when asked (and it fits), else send; split
    anything over Telegram's 4,096 characters at line boundaries."""
    if reply.photo is not None:
        # A caption holds 1,024 UTF-16 units; longer text follows as messages of its own.
        caption = reply.text if utf16_len(reply.text) <= CAPTION_MAX else None
        keyboard = reply_markup(reply)
        await bot.send_photo(chat_id, reply.photo, caption=caption, reply_markup=keyboard)
        if caption is not None or not reply.text:
            return
        reply = replace(reply, keyboard=None)  # the buttons went with the photo
    if not reply.text:
        return
    chunks = split_html(reply.text)
    buttons = markup_data(reply)
    # a question (ForceReply) cannot replace a message: it goes as a new one
    editable = not _forces_reply(reply) and len(chunks) == 1
    if reply.edit and query is not None and query.message is not None and editable:
        try:
            await edit_html(bot, query.message, chunks[0], buttons)
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
        await send_html(bot, chat_id, chunk, buttons if last else None)
