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


LOOSE_SEARCH = {"es": "Ningún título se llama «{q}».", "en": "No title called “{q}”."}


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_a_search_with_only_loose_matches_says_so(small: Commands, lang: str) -> None:
    [out] = await console(small, lang, "harry potter")
    assert LOOSE_SEARCH[lang].format(q="harry potter") in out, out
    assert "My Month with Mrs Potter" in out
    assert "coinciden" not in out and "match" not in out
    [named] = await console(small, lang, "the office party")  # a name is no loose match
    assert "Ningún" not in named and "No title" not in named


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("command", ["/recommend", "/similar", "/watch"])
async def test_one_title_commands_say_no_title_called_then_closest(
    small: Commands, lang: str, command: str
) -> None:
    small.store.add(6 if lang == "en" else 5, "ns902", 4.0)  # /recommend needs a rating
    [out] = await console(small, lang, f"{command} 1917")
    assert LOOSE_SEARCH[lang].format(q="1917") in out, out
    assert "Reply 1997" in out and "Kruty 1918" in out


SAID = {
    "help": {"es": "Qué puedo hacer", "en": "What I can do"},
    "menu": {"es": "Soy StreamRec", "en": "I'm StreamRec"},
    "ok": {"es": "👍 ¿Algo más?", "en": "👍 Anything else?"},
    "bye": {"es": "¡Hasta pronto! 👋", "en": "Bye! 👋"},
}


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize(
    ("said", "kind"),
    [("ayuda", "help"), ("Help", "help"), ("?", "help"), ("¿qué puedes hacer?", "help"),
     ("menú", "menu"), ("start", "menu"), ("ok", "ok"), ("Vale", "ok"), ("👍", "ok"),
     ("adiós", "bye"), ("bye!", "bye")],
)  # fmt: skip
async def test_words_to_the_bot_are_answered_not_searched(
    commands: Commands, lang: str, said: str, kind: str
) -> None:
    """Seen on the real titles: "ayuda" gave "2 títulos coinciden" (Fauda), "adiós" a western,
    "ok" two titles, "?" and "👍" "I can't find any title like…"."""
    [out] = await console(commands, lang, said)
    assert SAID[kind][lang] in out, out
    assert "coincid" not in out and "match" not in out and "encuentro" not in out
    assert "can't find" not in out
