"""Issue 11, the bot's handler side: failed callback answers, long user ids, SQLite off the
event loop, a corrupt ratings database, capped echoes and group chats.

Through the real PTB Application polling the fake Bot API over HTTP (tests/fakes), with the
faults injected there, on the real demo catalogue and model, and real SQLite files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.callbacks import decode
from bot.i18n import t
from tests.fakes.botdata import data_copy
from tests.fakes.harness import Running, button_data, last_keyboard, running_bot
from tests.fakes.telegram_server import Chaos, Fault

pytestmark = pytest.mark.timeout(180)

ROOT = Path(__file__).resolve().parent.parent
APOLOGY = {t("es", "error"), t("en", "error")}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return data_copy(tmp_path / "data")


def no_apology(bot: Running, chat: int) -> None:
    texts = [c.text for c in bot.server.outgoing(chat)]
    assert not APOLOGY & set(texts), texts
    assert bot.commands.stats.errors == 0


async def rate_card(bot: Running, chat: int, lang: str = "en") -> tuple[Any, str, str]:
    """/rate: the card's call, the title offered and the 4-star callback data."""
    [card] = await bot.say(chat, "/rate", lang)
    data = button_data(card, "4★")
    return card, decode(data).fields[0], data


async def press_and_wait(bot: Running, chat: int, message_id: int, data: str) -> list[Any]:
    """Press a button and wait (generously: the machine may be busy) for one new outgoing."""
    before = len(bot.server.outgoing(chat))
    bot.server.press(chat, message_id, data, "en")
    out = await bot.server.wait_outgoing(chat, before + 1, timeout=60)
    return out[before:]


# ----- 5: a failed callback answer never drops the press -------------------------------------

ANSWER_FAULTS = {
    "too_old": Fault(
        "answerCallbackQuery",
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    ),
    "bad_request": Fault("answerCallbackQuery", 400, "Bad Request: QUERY_ID_INVALID"),
    "server_error": Fault("answerCallbackQuery", 500, "Internal Server Error"),
}


@pytest.mark.parametrize("fault", [*ANSWER_FAULTS, "dropped_connection"])
async def test_failed_callback_answer_still_saves_and_replies(data_dir: Path, fault: str) -> None:
    async with running_bot(data_dir) as bot:
        chat = 9100
        card, title, data = await rate_card(bot, chat)
        if fault == "dropped_connection":  # a network error on the answer
            bot.server.chaos = Chaos(
                rate=1.0, weights={"drop": 1.0}, methods=frozenset({"answerCallbackQuery"})
            )
        else:
            bot.server.faults.append(ANSWER_FAULTS[fault])
        [saved] = await press_and_wait(bot, chat, card.message_id, data)
        bot.server.chaos = None
        answers = bot.server.calls_of("answerCallbackQuery")
        assert answers and not answers[-1].ok  # the fault really hit the answer
        assert saved.method == "editMessageText" and saved.text.startswith("Saved:"), saved.text
        assert bot.commands.store.ratings(chat) == {title: 4.0}
        no_apology(bot, chat)


@pytest.mark.parametrize(
    "gone",
    ["missing", "Bad Request: message can't be edited", "Bad Request: MESSAGE_ID_INVALID"],
)
async def test_reply_to_a_gone_message_goes_as_a_new_message(data_dir: Path, gone: str) -> None:
    async with running_bot(data_dir) as bot:
        chat = 9200
        card, title, data = await rate_card(bot, chat)
        message_id = card.message_id
        if gone == "missing":  # deleted: the fake answers "message to edit not found"
            del bot.server.messages[chat][message_id]
        else:
            bot.server.faults.append(Fault("editMessageText", 400, gone))
        [saved] = await press_and_wait(bot, chat, message_id, data)
        edits = bot.server.calls_of("editMessageText", chat)
        assert edits and not edits[-1].ok  # the edit was tried and refused
        assert saved.method == "sendMessage" and saved.text.startswith("Saved:"), saved.text
        assert last_keyboard(saved)  # the next card's stars come with it
        assert bot.commands.store.ratings(chat) == {title: 4.0}
        no_apology(bot, chat)


async def test_old_press_with_too_old_answer_and_gone_message(data_dir: Path) -> None:
    """A press made while the bot was down: the answer is refused and the message is gone."""
    async with running_bot(data_dir) as bot:
        chat = 9300
        card, title, data = await rate_card(bot, chat)
        bot.server.faults.append(ANSWER_FAULTS["too_old"])
        bot.server.faults.append(
            Fault("editMessageText", 400, "Bad Request: message can't be edited")
        )
        [saved] = await press_and_wait(bot, chat, card.message_id, data)
        assert saved.method == "sendMessage" and saved.text.startswith("Saved:")
        assert bot.commands.store.ratings(chat) == {title: 4.0}
        no_apology(bot, chat)


async def test_edit_network_error_after_saving_is_not_an_apology(data_dir: Path) -> None:
    async with running_bot(data_dir) as bot:
        chat = 9400
        card, title, data = await rate_card(bot, chat)
        bot.server.chaos = Chaos(
            rate=1.0, weights={"drop": 1.0}, methods=frozenset({"editMessageText"})
        )
        [saved] = await press_and_wait(bot, chat, card.message_id, data)
        bot.server.chaos = None
        assert saved.method == "sendMessage" and saved.text.startswith("Saved:")
        assert bot.commands.store.ratings(chat) == {title: 4.0}
        no_apology(bot, chat)
