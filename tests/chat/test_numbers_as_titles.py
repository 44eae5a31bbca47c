"""A number typed where a title goes is a title (issue 22 item 3): `/recommend 1917` is the film,
never "Which title for user 1917?", even when the model knows a user with that id (the demo
ratings' users are 1..312, so 13 is one). The ratings data's user form needs an id and a title
(`/recommend 13 dark river`). The same holds for every command that takes a title, typed or
asked back."""

from __future__ import annotations

import pytest

from catalog.core import Catalog
from chat.commands import Commands
from tests.chat.conftest import console

NOT_FOUND = {"es": "No encuentro ningún título parecido a «{q}».",
             "en": "I can't find any title like “{q}”."}  # fmt: skip
LOOSE = {"es": "Ningún título se llama «{q}».", "en": "No title called “{q}”."}
USER_ASKED = ("user 13", "usuario 13", "User 13", "Usuario 13")
COMMANDS = {
    "es": ("/recomendar", "/puntuar", "/verdespues", "/similares"),
    "en": ("/recommend", "/rate", "/watch", "/similar"),
}


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_a_lone_number_is_a_title_even_when_a_user_has_that_id(
    commands: Commands, catalog: Catalog, lang: str
) -> None:
    assert catalog.recommender is not None and catalog.recommender.knows_user(13)
    assert not catalog.search("13", 1)  # no demo title is called anything like 13
    for command in COMMANDS[lang]:
        [out] = await console(commands, lang, f"{command} 13")
        assert NOT_FOUND[lang].format(q="13") in out, (command, out)
        assert not any(u in out for u in USER_ASKED), (command, out)
        # asked back ("Which title?"), the typed number is the title too
        asked = await console(commands, lang, command, "13")
        assert NOT_FOUND[lang].format(q="13") in asked[1], (command, asked)


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_an_id_and_a_title_are_a_user_of_the_ratings_data(
    commands: Commands, lang: str
) -> None:
    command = COMMANDS[lang][0]
    [out] = await console(commands, lang, f"{command} 13 dark river")
    assert out.splitlines()[1].startswith(("User 13 and", "Usuario 13 y")), out
    assert "Dark River" in out
    # a title several carry is asked about, for that user
    [which] = await console(commands, lang, f"{command} 13 frozen machine")
    assert "Frozen Machine (Amazon Prime Video, 2019)" in which
    assert "Frozen Machine (Disney+, 2016)" in which


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_a_number_naming_no_title_offers_the_closest_before_asking_for_ratings(
    small: Commands, lang: str
) -> None:
    """No ratings yet: "No title called “1917”; closest: …" comes first (what would rating
    help, when the title does not exist?), never "N titles match"."""
    command = COMMANDS[lang][0]
    [out] = await console(small, lang, f"{command} 1917")
    assert LOOSE[lang].format(q="1917") in out, out
    assert "Reply 1997" in out and "Kruty 1918" in out
    assert "coinciden" not in out and "match" not in out
