"""Issue 23.2: Telegram's limits, owned by chat/limits.py, hold for whatever the data holds: the
numbers agree with python-telegram-bot's constants, a title card with every field huge is one
message (and an alert with it too), its links are short, and a caption is measured as Telegram
measures it (UTF-16 units), through the real PTB Bot and the fake Bot API."""

from __future__ import annotations

import datetime as dt

from telegram import Bot
from telegram import constants as tg

from bot.app import base_urls
from bot.delivery import deliver, quiet_plain_sends
from catalog.results import Offer, TitleInfo
from chat import cards, limits
from chat.replies import Reply, split_html
from tests.fakes.telegram_server import FakeTelegramServer, parse_html, utf16_len

HUGE = "Ñ & <🎬> " * 4000  # 32,000 characters: entities, escapes and astral characters


def test_limits_are_telegrams_as_ptb_knows_them() -> None:
    assert limits.MESSAGE_MAX == tg.MessageLimit.MAX_TEXT_LENGTH
    assert limits.CAPTION_MAX == tg.MessageLimit.CAPTION_LENGTH
    assert limits.CALLBACK_DATA_MAX == tg.InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
    assert limits.TOAST_MAX == tg.CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH
    assert limits.PLACEHOLDER_MAX == tg.ReplyLimit.MAX_INPUT_FIELD_PLACEHOLDER
    assert limits.INLINE_RESULTS_MAX == tg.InlineQueryLimit.RESULTS
    assert limits.INLINE_ID_MAX == tg.InlineQueryResultLimit.MAX_ID_LENGTH


def test_clip_counts_utf16_units() -> None:
    assert limits.clip("abc", 3) == "abc"
    clipped = limits.clip("🎬" * 10, 7)
    assert utf16_len(clipped) <= 7 and clipped.endswith("…")


def huge_title() -> TitleInfo:
    return TitleInfo(
        id="n" + "9" * 41,
        title=HUGE,
        platform="netflix",
        type="movie",
        release_year=2020,
        director=HUGE,
        cast=tuple(HUGE.split(" ")[:5000]),
        country=HUGE,
        date_added=dt.date(2021, 1, 1),
        rating=HUGE,
        duration_int=100,
        duration_type="min",
        listed_in=HUGE,
        description=HUGE,
        score=4.2,
        votes=12,
    )


def test_a_card_with_every_field_huge_is_one_message_with_short_links() -> None:
    info = huge_title()
    carried = (Offer("netflix", info.id), Offer("hulu", "hx"), Offer("amazon", "ax"))
    for lang in ("en", "es"):
        text = cards.card_text(lang, info, carried)
        visible = parse_html(text)  # well-formed HTML, as Telegram parses it
        assert utf16_len(visible) <= limits.CARD_MAX
        assert len(split_html(text)) == 1  # one message, not eleven
        keyboard = cards.card_keyboard(lang, info, carried, owner=5)
        for button in (b for row in keyboard for b in row):
            assert len(button.url or "") <= limits.URL_MAX
            assert len(button.data.encode()) <= limits.CALLBACK_DATA_MAX


async def test_a_caption_is_measured_in_utf16_units() -> None:
    """1,000 emoji are 1,000 characters but 2,000 UTF-16 units: not a caption (Telegram would
    refuse it); the photo goes alone and the text follows as a message."""
    text = "🎬" * 1000
    quiet_plain_sends()
    async with FakeTelegramServer("5:T") as server:
        base, files = base_urls(server.base_url)
        async with Bot("5:T", base_url=base, base_file_url=files) as bot:
            await deliver(bot, 77, Reply(text, photo=b"\x89PNG fake"))
        photo = server.calls_of("sendPhoto", 77)
        assert [c.ok for c in photo] == [True], [c.error for c in photo]
        [message] = server.calls_of("sendMessage", 77)
        assert message.ok and message.text == text
