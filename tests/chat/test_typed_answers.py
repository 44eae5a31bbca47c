"""Issue 22 item 1: every question a menu asks (platform, year, type, score, language) takes a
typed value exactly as it takes a button; a value that fits nothing says why and asks again."""

from __future__ import annotations

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
