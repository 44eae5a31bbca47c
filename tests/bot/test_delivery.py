"""bot/delivery.py sends our replies without PTB's TelegramObjects, and bot/transport.py as JSON
bodies: what goes to Telegram must be exactly what PTB's own objects and encoding send."""

from __future__ import annotations

import json

from telegram import ForceReply

from bot.delivery import markup_data, reply_markup
from chat.limits import PLACEHOLDER_MAX, clip
from chat.replies import Button, Reply


def _ptb(reply: Reply) -> dict | None:
    markup = reply_markup(reply)
    return None if markup is None else markup.to_dict()


def test_inline_keyboard_json_equals_ptbs_own() -> None:
    keyboard = [
        [
            Button("1. Año «Ñ» & <b>", "v1|cd|ns1"),
            Button("▶ Netflix", "", url="https://x.test/?q=a b"),
        ],
        [Button("«", "v1|sp|t|0"), Button("2/3", "v1|noop"), Button("»", "v1|sp|t|2")],
    ]
    reply = Reply("text", keyboard)
    sent = markup_data(reply)
    assert sent == _ptb(reply)
    assert json.loads(json.dumps(sent)) == sent  # plain JSON data, no TelegramObjects


def test_question_is_a_selective_forced_reply_like_ptbs() -> None:
    reply = Reply("Which title?", ask="a title, e.g. " + "x" * 80)
    sent = markup_data(reply)
    hint = clip(reply.ask, PLACEHOLDER_MAX)
    assert sent == ForceReply(selective=True, input_field_placeholder=hint).to_dict()
    assert sent is not None and len(sent["input_field_placeholder"]) == 64
    # a question with buttons shows the buttons (the ForceReply would replace them)
    with_buttons = Reply("Which?", [[Button("A", "v1|x")]], ask="hint")
    assert markup_data(with_buttons) == _ptb(with_buttons)


def test_no_buttons_no_markup() -> None:
    assert markup_data(Reply("plain")) is None
    assert markup_data(Reply("plain", [])) is None
