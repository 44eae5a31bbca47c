"""Telegram's limits, and ours beneath them: the one place that says how long anything we send
may be. Telegram-free on purpose (chat/ never imports PTB); tests/bot/test_limits.py checks the
platform's numbers against python-telegram-bot's `telegram.constants`, so a change there fails
a test here instead of a send in production.

Telegram counts text in UTF-16 code units (an emoji outside the BMP is 2) after entity parsing
(tags do not count, `&amp;` is one); counting the HTML we send in UTF-16 units is therefore
never less than what Telegram counts, so a bound on it is a safe bound.
"""

from __future__ import annotations

# ----- Telegram's own (telegram.constants in PTB) -----------------------------------------
MESSAGE_MAX = 4096  # MessageLimit.MAX_TEXT_LENGTH: one message's text
CAPTION_MAX = 1024  # MessageLimit.CAPTION_LENGTH: a photo's caption
CALLBACK_DATA_MAX = 64  # InlineKeyboardButtonLimit.MAX_CALLBACK_DATA: bytes, at least 1
TOAST_MAX = 200  # CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH: a press's answer
PLACEHOLDER_MAX = 64  # ReplyLimit.MAX_INPUT_FIELD_PLACEHOLDER: ForceReply's hint
INLINE_RESULTS_MAX = 50  # InlineQueryLimit.RESULTS: results per inline answer
INLINE_ID_MAX = 64  # InlineQueryResultLimit.MAX_ID_LENGTH: bytes of a result id

# ----- ours -------------------------------------------------------------------------------
# Telegram documents no limit for a button's URL; browsers and servers commonly refuse URLs
# past 2-8 KB, and a 36,046-character one was seen (issue 23). Ours: 2,048 characters.
URL_MAX = 2048
# What of a title goes into a platform's search link: enough to find it, never a whole essay.
URL_QUERY_MAX = 200
LIST_TITLE_MAX = 150  # a title named in a list or a sentence: ten of them fit one message
BUTTON_TEXT_MAX = 64  # a button label (Telegram shows about 30 characters of it anyway)
# A title card must fit one message even with an alert's header above it (chat/cards.py):
# every free-text field is clipped to its share, counted in UTF-16 units.
CARD_TITLE_MAX = 300
CARD_FIELD_MAX = 400  # genres, director, cast, country: each
CARD_DESCRIPTION_MAX = 700
CARD_MAX = 3600  # the whole card; an alert's one-line header and the rest stay under MESSAGE_MAX


def utf16_len(text: str) -> int:
    """Telegram counts a message's length in UTF-16 code units: an emoji is 2, not 1."""
    return len(text.encode("utf-16-le")) // 2


def prefix_within(text: str, limit: int) -> int:
    """Length (in characters) of the longest prefix of `text` within `limit` UTF-16 units."""
    units = 0
    for i, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > limit:
            return i
    return len(text)


def clip(text: str, limit: int) -> str:
    """`text` if it fits `limit` UTF-16 units, else its longest prefix that fits with "…"."""
    if len(text) <= limit // 2 or utf16_len(text) <= limit:
        return text
    return text[: prefix_within(text, limit - 1)].rstrip() + "…"
