"""Issue 22 items 4, 5: a show's year as its platform counts it, the tie line, /watch on a title
already on my platforms, and rating a title again."""

from __future__ import annotations

import pytest

from chat.commands import Commands
from tests.chat.conftest import console

SINCE = {"es": "desde 2001", "en": "since 2001"}  # Hulu: a show's first season
LATEST = {"es": "última temporada 2012", "en": "latest season 2012"}  # Netflix: its latest


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_a_shows_year_is_worded_by_its_platform(small: Commands, lang: str) -> None:
    out = await console(
        small, lang, "/search the office (u.k.)", "1", "/search the office (u.s.)", "1"
    )
    assert SINCE[lang] in out[0] and SINCE[lang] in out[1], out[1]  # the list and the card
    assert LATEST[lang] in out[2] and LATEST[lang] in out[3]
    assert "2001" not in out[1].replace(SINCE[lang], "")


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_the_top_actor_is_not_repeated_in_the_tie_line(small: Commands, lang: str) -> None:
    [out] = await console(small, lang, "/actor amazon 2020")
    tie = "Empatado con:" if lang == "es" else "Tied with:"
    assert tie in out
    # the three share two titles each: one is named as the answer, the other two as tied
    assert all(out.count(n) == 1 for n in ("Ana Pérez", "Bob Stone", "Carl Diaz")), out


HERE = {"es": "Ya está en Netflix, una de tus plataformas", "en": "It's on Netflix now"}


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_watch_says_where_it_is_already(small: Commands, lang: str) -> None:
    out = await console(small, lang, "/myplatforms", "4", "/watch the office (u.s.)",
                        "/watch the office (u.s.)", "/watch the office (u.k.)")  # fmt: skip
    assert HERE[lang] in out[2], out[2]
    assert ("ya está en tu lista" if lang == "es" else "already on your watchlist") in out[3]
    assert "Netflix" in out[3]
    assert HERE[lang] not in out[4]  # Hulu is not one of mine: I'll tell you when it arrives


ANYWHERE = {
    "es": ("Ya está en Netflix. Dime qué plataformas tienes (📺 Mis plataformas)",
           "ya está en tu lista. Ya está en Netflix."),
    "en": ("It's on Netflix now. Tell me which platforms you have (📺 My platforms)",
           "already on your watchlist. It's on Netflix now."),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_watch_with_no_platforms_says_where_it_is_and_what_alerts_need(
    small: Commands, lang: str
) -> None:
    """No platforms chosen: an alert comes only for a title new everywhere (alerts/queue.py),
    so "I'll tell you when it arrives on one of your platforms" would never come true for a
    title streaming somewhere already; the reply says where it is and asks for the platforms."""
    out = await console(small, lang, "/watch the office (u.s.)", "/watch the office (u.s.)")
    assert ANYWHERE[lang][0] in out[0], out[0]
    assert ANYWHERE[lang][1] in out[1], out[1]
    assert (
        "Te aviso cuando llegue a una de tus" if lang == "es" else "I'll tell you when it arrives"
    ) not in out[0]


GIVEN = {"es": "Ya le diste ★★★★", "en": "You rated it ★★★★ before"}


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_rating_again_shows_the_stars_given(small: Commands, lang: str) -> None:
    out = await console(small, lang, "/rate the office (u.s.)", "4", "/rate the office (u.s.)")
    assert GIVEN[lang] not in out[0] and "✓" not in out[0]
    assert GIVEN[lang] in out[2] and "✓4★" in out[2], out[2]


@pytest.mark.parametrize(
    ("lang", "typed"), [("es", "netflix y disney+"), ("en", "Netflix, Disney+")]
)
async def test_platforms_typed_under_my_platforms_turn_them_on(
    small: Commands, lang: str, typed: str
) -> None:
    """ "Tap the ones you have": typing them does the same (it was a title search for
    "netflix y disney+"); other words stay a search; /myplatforms hulu turns Hulu on."""
    command = "/misplataformas" if lang == "es" else "/myplatforms"
    person = 5 if lang == "es" else 6
    out = await console(small, lang, command, typed, "the office", f"{command} hulu")
    assert "✅ Netflix" in out[1] and "✅ Disney+" in out[1] and "▫️ Hulu" in out[1], out[1]
    assert await small.store.platforms_async(person) == {"netflix", "disney", "hulu"}
    assert "The Office (U.K.)" in out[2]  # a search, the question closed
    assert "✅ Hulu" in out[3]
    [bad] = await console(small, lang, f"{command} hbo")
    assert "hbo" in bad and "Netflix" in bad
