"""Issue 22 item 8 (the chat): /browse (es /explorar) from typed words and from its menu, paged
through cards, sorted by score or newest; every menu question also answered by typing."""

from __future__ import annotations

import re

import pytest

from catalog.core import Catalog
from chat.commands import Commands
from tests.chat.conftest import console

HEADER = re.compile(
    r"^(?P<what>.+?): (?P<n>[\d.,]+) (?:titles?|títulos?), (?P<order>.+?) "
    r"\((?P<page>\d+)/(?P<pages>\d+)\)",
    re.M,
)
ORDER = {"es": ("mejor valorados primero", "más nuevos primero"),
         "en": ("best rated first", "newest first")}  # fmt: skip


def listed(out: str) -> list[str]:
    """The numbered lines of a page, without their numbers."""
    return [line.split(". ", 1)[1] for line in out.splitlines() if re.match(r"^\d+\. ", line)]


@pytest.mark.parametrize(
    ("lang", "command", "genre"), [("es", "/explorar", "comedia"), ("en", "/browse", "comedy")]
)
async def test_typed_browse_pages_and_sorts(
    commands: Commands, catalog: Catalog, lang: str, command: str, genre: str
) -> None:
    expected = catalog.browse(platform="netflix", genre="comedy", limit=20)
    out = await console(commands, lang, f"{command} netflix {genre}")
    head = HEADER.search(out[0])
    assert head is not None, out[0]
    assert int(head["n"].replace(".", "").replace(",", "")) == expected.total
    assert head["order"] == ORDER[lang][0] and "Netflix" in head["what"]
    assert listed(out[0])[0].startswith(expected.items[0].title.title)
    assert all("Netflix" in line for line in listed(out[0]))
    # page 2 through the pager's », numbered 11.. like its card buttons; 11 opens the 11th
    forward = re.search(r"\[(\d+)\] »", out[0])
    flip = re.search(r"\[(\d+)\] 🆕", out[0])  # the other order's button
    assert forward is not None and flip is not None
    out = await console(commands, lang, f"{command} netflix {genre}", forward[1], "11")
    assert listed(out[1])[0].startswith(expected.items[10].title.title), out[1]
    assert expected.items[10].title.title in out[2].splitlines()[1]  # its card
    # the other order by its button
    newest = catalog.browse(platform="netflix", genre="comedy", sort="newest", limit=1)
    out = await console(commands, lang, f"{command} netflix {genre}", flip[1])
    assert ORDER[lang][1] in out[1]
    assert listed(out[1])[0].startswith(newest.items[0].title.title)


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_browse_menu_by_buttons_and_typing(
    commands: Commands, catalog: Catalog, lang: str
) -> None:
    command = "/explorar" if lang == "es" else "/browse"
    shows = "series" if lang == "es" else "shows"
    out = await console(commands, lang, command, "4", shows, "drama")
    assert ("¿Qué plataforma?" if lang == "es" else "Which platform?") in out[0]
    assert ("¿Películas o series?" if lang == "es" else "Movies or shows?") in out[1]
    assert ("¿Qué género?" if lang == "es" else "Which genre?") in out[2]
    expected = catalog.browse(platform="netflix", kind="tv show", genre="drama")
    head = HEADER.search(out[3])
    assert head is not None, out[3]
    assert int(head["n"].replace(".", "").replace(",", "")) == expected.total
    assert "Drama" in head["what"] and ("Series" if lang == "es" else "Shows") in head["what"]


@pytest.mark.parametrize(
    ("lang", "says"), [("es", "No entiendo «xyz»"), ("en", "I don't know “xyz”")]
)
async def test_a_word_browse_does_not_know_is_named(commands: Commands, lang: str, says: str):
    [out] = await console(commands, lang, "/browse netflix xyz")
    assert (
        says in out
        and ("/explorar netflix comedia 2020" if lang == "es" else "/browse netflix comedy 2020")
        in out
    )
