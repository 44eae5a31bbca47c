"""Issue 22 item 1 in Telegram, through the real python-telegram-bot stack and the fake Bot
API: a typed reply to "Which one?" that names one candidate (its number, "the U.K. one", "la de
2001") is that button pressed, answered in a message of its own; any other text is a search."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.catalog_helpers import ROWS, write_processed
from tests.chat.conftest import LOOSE, OFFICES
from tests.fakes.harness import last_keyboard, running_bot

pytestmark = pytest.mark.timeout(180)

WHICH = {"en": "Which one?", "es": "¿Cuál?"}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """The hand-made catalogue with The Office, The Office (U.S.) and The Office (U.K.)."""
    return write_processed(tmp_path / "data", ROWS + OFFICES + LOOSE)


def labels(call: object) -> list[str]:
    return [b["text"] for row in last_keyboard(call) for b in row]


@pytest.mark.parametrize(
    ("lang", "watch", "rate"),
    [("en", "/watch", "/rate"), ("es", "/verdespues", "/puntuar")],
)
async def test_a_typed_answer_to_which_one_presses_its_button(
    data_dir: Path, lang: str, watch: str, rate: str
) -> None:
    async with running_bot(data_dir) as bot:
        chat = 3300 + (lang == "es")
        [asked] = await bot.say(chat, f"{watch} the office", lang)
        assert WHICH[lang] in asked.text and len(labels(asked)) == 3, asked.text
        second = labels(asked)[1].split(" (")[0]
        [added] = await bot.say(chat, "2", lang)  # its number, typed
        assert added.method == "sendMessage", added.method
        assert ("watchlist", "lista")[lang == "es"] in added.text and second in added.text

        [asked] = await bot.say(chat, f"{rate} the office", lang)
        assert WHICH[lang] in asked.text
        answer = {"en": "the U.K. one", "es": "la de 2001"}[lang]
        [stars] = await bot.say(chat, answer, lang)
        assert "The Office (U.K.)" in stars.text, stars.text
        assert ("How would you rate it?", "¿Qué nota le das?")[lang == "es"] in stars.text

        # words that name none of them (or all): a new search, as without the question
        await bot.say(chat, f"{watch} the office", lang)
        [searched] = await bot.say(chat, "the office", lang)
        assert ("titles match", "títulos coinciden")[lang == "es"] in searched.text
        assert bot.commands.stats.errors == 0
