"""Issue 22 item 3: greetings and thanks are no title search; they get a friendly word and the
menu."""

from __future__ import annotations

import pytest

from chat.commands import Commands
from tests.chat.conftest import console

HELLO = {"es": "¡Hola! 👋", "en": "Hi! 👋"}
THANKS = {"es": "¡De nada!", "en": "You're welcome!"}


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("said", ["hola", "Hi", "¡Buenas!", "hello!"])
async def test_a_greeting_gets_hello_and_the_menu(commands: Commands, lang: str, said: str):
    [out] = await console(commands, lang, said)
    assert HELLO[lang] in out and "[1]" in out, out
    assert "coincid" not in out and "match" not in out


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("said", ["gracias", "Thanks!", "thank you"])
async def test_thanks_gets_welcome_and_the_menu(commands: Commands, lang: str, said: str):
    [out] = await console(commands, lang, said)
    assert THANKS[lang] in out and "[1]" in out, out


async def test_a_greeting_closes_an_open_question(commands: Commands) -> None:
    out = await console(commands, "en", "/actor netflix", "hi", "2019")
    assert HELLO["en"] in out[1]
    assert "Which year?" not in out[2]  # 2019 is a search again, not the year
