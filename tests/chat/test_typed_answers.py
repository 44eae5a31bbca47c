"""Issue 22 item 1: every question a menu asks (platform, year, type, score, language) takes a
typed value exactly as it takes a button; a value that fits nothing says why and asks again."""

from __future__ import annotations

import re

import pytest

from catalog.core import Catalog
from chat.commands import Commands
from tests.chat.conftest import console

ANSWER = {  # what the finished question says, per language
    "ac": {"es": "El actor más frecuente en Netflix en {year}", "en": "on Netflix in {year}"},
    "sc": {"es": "películas de Netflix de {year}", "en": "Netflix movies from {year}"},
}


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_a_typed_year_answers_which_year(commands: Commands, catalog: Catalog, lang: str):
    year = max(catalog.years("netflix"))
    out = await console(commands, lang, "/actor netflix", str(year))
    assert ("¿De qué año?" if lang == "es" else "Which year?") in out[0]
    assert ANSWER["ac"][lang].format(year=year) in out[1], out[1]
    assert "coincide" not in out[1] and "match" not in out[1]  # no title search


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_scorecount_answered_by_typing_every_step(
    commands: Commands, catalog: Catalog, lang: str
) -> None:
    year = max(catalog.years("netflix"))
    name = "/pornota" if lang == "es" else "/scorecount"
    out = await console(
        commands, lang, name, "netflix", str(year), "3,5" if lang == "es" else "3.5"
    )
    assert ANSWER["sc"][lang].format(year=year) in out[3], out[3]
    assert ("3,5" if lang == "es" else "3.5") in out[3]


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_a_whole_score_typed_is_that_score_not_the_button_with_that_number(
    commands: Commands, catalog: Catalog, lang: str
) -> None:
    """In the console a number presses a button; at "Scored above…?" the number a person types
    is the score (as in Telegram): "4" is "> 4", not the fourth button ("> 3")."""
    year = max(catalog.years("netflix"))
    name = "/pornota" if lang == "es" else "/scorecount"
    out = await console(commands, lang, name, "netflix", str(year), "4")
    assert "[4] > 4" in out[2], out[2]
    above = "tienen nota mayor que 4 " if lang == "es" else "are scored above 4 "
    assert above in out[3], out[3]
    expected = catalog.score_count("netflix", 4, year).count
    assert out[3].startswith(f"4\n{expected} "), out[3]


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_a_bad_typed_value_is_explained_and_asked_again(
    commands: Commands, catalog: Catalog, lang: str
) -> None:
    year = max(catalog.years("netflix"))
    out = await console(commands, lang, "/actor netflix", "tomorrow", str(year))
    assert "tomorrow" in out[1] and ("¿De qué año?" if lang == "es" else "Which year?") in out[1]
    assert ANSWER["ac"][lang].format(year=year) in out[2]


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_maxduration_type_and_optional_all_typed(commands: Commands, lang: str) -> None:
    out = await console(commands, lang, "/maxduration", "todas" if lang == "es" else "all",
                        "todos" if lang == "es" else "any", "season")  # fmt: skip
    assert ("con más temporadas" if lang == "es" else "most seasons") in out[3], out[3]


@pytest.mark.parametrize(("lang", "word"), [("es", "netflix"), ("en", "hulu")])
async def test_platformcount_and_language_typed(commands: Commands, lang: str, word: str) -> None:
    out = await console(commands, lang, "/platformcount", word, "/language", "english")
    assert f"{'Netflix' if word == 'netflix' else 'Hulu'}:" in out[1]
    assert "Amazon" not in out[1]
    assert "From now on I'll speak English." in out[3]


SAVED = {"es": "Guardado: {t}", "en": "Saved: {t}"}
SKIPPED = {"es": "Saltado: {t}", "en": "Skipped: {t}"}


def shown_title(out: str) -> str:
    """The title a rating card asks about (its own line, after any "Saved: …" above it)."""
    card = re.compile(r"^(.+?) \((?:Amazon Prime Video|Disney\+|Hulu|Netflix), ")
    said = ("Saved", "Guardado", "Skipped", "Saltado")
    named = [m[1] for x in out.splitlines() if (m := card.match(x)) and not x.startswith(said)]
    return named[-1]


@pytest.mark.parametrize(
    ("lang", "four", "two", "skip"),
    [("es", "4 estrellas", "★★", "saltar"), ("en", "4★", "2 stars", "Skip")],
)
async def test_stars_typed_under_a_title_rate_it_as_the_buttons_do(
    commands: Commands, lang: str, four: str, two: str, skip: str
) -> None:
    """ "How would you rate it?" is a question like any other: typed stars answer it (in
    Telegram a typed "4" was a title search, "N titles match «4»"); other words are a search."""
    person = 5 if lang == "es" else 6
    out = await console(commands, lang, "/rate", four, two, skip, "dark river")
    first, second, third = shown_title(out[0]), shown_title(out[1]), shown_title(out[2])
    assert SAVED[lang].format(t=first) in out[1] and "★★★★." in out[1], out[1]
    assert SAVED[lang].format(t=second) in out[2] and "★★." in out[2], out[2]
    assert SKIPPED[lang].format(t=third) in out[3], out[3]
    ratings = commands.store.ratings(person)
    assert sorted(ratings.values()) == [2.0, 4.0] and len(ratings) == 2
    assert "Dark River" in out[4] and ("coincide" in out[4] or "match" in out[4])  # a search
