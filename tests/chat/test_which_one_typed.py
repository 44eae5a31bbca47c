"""Issue 22 item 1, for a "Which one?": a typed reply that names exactly one of the candidates
(its number, words of its label: "the U.K. one", "la de 2001", the label itself) is taken as
that button pressed; anything else is a new title search, as without the question."""

from __future__ import annotations

import pytest

from chat.commands import Commands
from chat.replies import Person
from tests.chat.conftest import PEOPLE, console

ADDED = {"es": "lista", "en": "watchlist"}


async def texts(small: Commands, person: Person, *lines: str) -> list[str]:
    """What the bot answers to each line typed, as Telegram would get it (a number is text)."""
    out: list[str] = []
    for line in lines:
        out += ["\n".join(str(r.text) for r in [r async for r in small.on_text(person, line)])]
    return out


@pytest.mark.parametrize(
    ("lang", "answer", "chosen"),
    [
        ("en", "the U.K. one", "The Office (U.K.)"),
        ("en", "The Office (U.S.) (Netflix, 2012)", "The Office (U.S.)"),
        ("en", "amazon", "The Office (Amazon"),
        ("es", "la de 2001", "The Office (U.K.)"),
        ("es", "la de netflix", "The Office (U.S.)"),
    ],
)
async def test_words_naming_one_candidate_press_it(
    small: Commands, lang: str, answer: str, chosen: str
) -> None:
    out = await console(small, lang, "/watch the office", answer)
    assert ADDED[lang] in out[1] and chosen in out[1], out[1]
    assert await small.store.watchlist_async(PEOPLE[lang].user_id) != []


@pytest.mark.parametrize("lang", ["en", "es"])
async def test_its_number_typed_presses_it(small: Commands, lang: str) -> None:
    person = PEOPLE[lang]
    [asked, rated] = await texts(small, person, "/rate the office", "3")
    assert ("Which one?", "¿Cuál?")[lang == "es"] in asked
    assert "<b>The Office (U.K.)</b>" in rated, rated
    assert ("How would you rate it?", "¿Qué nota le das?")[lang == "es"] in rated


@pytest.mark.parametrize(
    ("lang", "command", "answer", "expected"),
    [
        ("en", "/similar the office", "us", "Similar to <b>The Office (U.S.)"),
        ("es", "/similares the office", "la del 2003", "Parecidos a <b>The Office</b> (Amazon"),
    ],
)
async def test_every_command_that_asks_takes_it(
    small: Commands, lang: str, command: str, answer: str, expected: str
) -> None:
    [_, reply] = await texts(small, PEOPLE[lang], command, answer)
    assert expected in reply, reply


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("answer", ["the office", "frozen", "9"])
async def test_anything_else_is_a_new_search(small: Commands, lang: str, answer: str) -> None:
    person = PEOPLE[lang]
    [_, reply] = await texts(small, person, "/watch the office", answer)
    searched = await texts(small, person, answer)
    assert reply == searched[0]
    assert await small.store.watchlist_async(person.user_id) == []


@pytest.mark.parametrize(("lang", "answer"), [("en", "the UK one"), ("es", "la de hulu")])
async def test_recommend_typed_is_the_press(small: Commands, lang: str, answer: str) -> None:
    """/recommend's "Which one?" too: the typed reply answers what pressing the button does."""
    person = PEOPLE[lang]
    await small.store.add_async(person.user_id, "ns902", 4.0)  # it asks which one once rated
    [asked] = [r async for r in small.on_text(person, "/recommend the office")]
    assert asked.keyboard is not None
    [uk] = [b.data for row in asked.keyboard for b in row if "(U.K.)" in b.text]
    typed = [r.text async for r in small.on_text(person, answer)]
    searched = [r.text async for r in small.on_text(person, answer)]  # answered once
    pressed = [r.text async for r in small.on_button(person, uk)]
    assert typed == pressed and typed != searched, (typed, searched)
