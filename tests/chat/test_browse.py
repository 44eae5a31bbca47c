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


QUESTIONS = {
    "es": ("¿Qué plataforma?", "¿Películas o series?", "¿Qué género?", "¿De qué década?",
           "¿Qué año de la década de {d}?", "¿Solo títulos con una nota de al menos…?"),
    "en": ("Which platform?", "Movies or shows?", "Which genre?", "From which decade?",
           "Which year of the {d}s?", "Only titles scored at least…?"),
}  # fmt: skip


def button(out: str, label: str) -> str:
    """What to type in the console for the button labelled `label` (exactly)."""
    found = re.search(rf"\[([^\]]+)\] {re.escape(label)}(?:  |$)", out, re.M)
    assert found is not None, (label, out)
    return found[1]


def total(out: str) -> int:
    head = HEADER.search(out)
    assert head is not None, out
    return int(head["n"].replace(".", "").replace(",", ""))


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_browse_menu_by_buttons_and_typing(
    commands: Commands, catalog: Catalog, lang: str
) -> None:
    command = "/explorar" if lang == "es" else "/browse"
    shows = "series" if lang == "es" else "shows"
    any_year = "Cualquier año" if lang == "es" else "Any year"
    out = await console(commands, lang, command, "4", shows, "drama")
    asked = QUESTIONS[lang]
    assert asked[0] in out[0] and asked[1] in out[1] and asked[2] in out[2]
    assert asked[3] in out[3]
    # any year (its button), any score (typed): every drama show on Netflix
    out = await console(commands, lang, command, "4", shows, "drama", button(out[3], any_year))
    assert asked[5] in out[4]
    out = await console(commands, lang, command, "4", shows, "drama", any_year, "cualquiera")
    expected = catalog.browse(platform="netflix", kind="tv show", genre="drama")
    assert total(out[5]) == expected.total
    head = HEADER.search(out[5])
    assert head is not None
    assert "Drama" in head["what"] and ("Series" if lang == "es" else "Shows") in head["what"]


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_browse_menu_asks_decade_then_year_then_minimum_score_tapped(
    commands: Commands, catalog: Catalog, lang: str
) -> None:
    """Issue 22 item 8: year or decade and minimum score from menus, not only typed."""
    command = "/explorar" if lang == "es" else "/browse"
    every = "Todas" if lang == "es" else "All"
    both = "Ambas" if lang == "es" else "Both"
    any_genre = "Cualquier género" if lang == "es" else "Any genre"
    years = catalog.browse_years(catalog.browse().query)
    year = years[-1]  # the newest year with titles: its decade is offered first
    decade = year - year % 10
    decade_label = f"Años {decade}" if lang == "es" else f"{decade}s"
    score = "3,5★ o más" if lang == "es" else "3.5★ or more"
    out = await console(commands, lang, command, every, both, any_genre)
    decades = re.findall(r"\] (?:Años )?(\d{4})s?(?:  |$)", out[3], re.M)
    assert decades == sorted({str(y - y % 10) for y in years}, reverse=True), out[3]
    lines = [command, every, both, any_genre, button(out[3], decade_label)]
    out = await console(commands, lang, *lines)
    assert QUESTIONS[lang][4].format(d=decade) in out[4], out[4]
    offered = [int(y) for y in re.findall(r"\[(\d{4})\]", out[4])]
    assert offered == [y for y in reversed(years) if y >= decade]
    lines.append(str(year))  # a year button is pressed by its number
    out = await console(commands, lang, *lines)
    assert QUESTIONS[lang][5] in out[5]
    assert button(out[5], score) == ("3,5" if lang == "es" else "3.5")  # pressed by its value
    lines.append(button(out[5], score))
    out = await console(commands, lang, *lines)
    expected = catalog.browse(year=year, min_score=3.5)
    assert total(out[6]) == expected.total, out[6]
    assert f"{year} · {score}" in out[6]
    # the whole decade, by its button
    whole = f"Toda la década de {decade}" if lang == "es" else f"All of the {decade}s"
    out = await console(commands, lang, *lines[:5])
    out = await console(commands, lang, *lines[:5], button(out[4], whole), "4+")
    assert total(out[6]) == catalog.browse(decade=decade, min_score=4).total, out[6]


@pytest.mark.parametrize(
    ("lang", "decade", "year", "score"),
    [
        ("es", "años 90", "todos", "3,5 o más"),
        ("es", "los 2010", "2015", ">=4"),
        ("en", "90s", "all of the 1990s", "3.5+"),
        ("en", "the 2010s", "2015", "at least 4"),
    ],
)
async def test_browse_menu_decade_year_and_score_typed(
    commands: Commands, catalog: Catalog, lang: str, decade: str, year: str, score: str
) -> None:
    """Every menu question answered by typing, in the forms people write."""
    command = "/explorar" if lang == "es" else "/browse"
    out = await console(commands, lang, command, "all", "both", "any", decade, year, score)
    first = 1990 if "90" in decade else 2010
    assert QUESTIONS[lang][4].format(d=first) in out[4], out[4]
    assert QUESTIONS[lang][5] in out[5], out[5]
    minimum = 3.5 if "3" in score else 4.0
    if year.isdigit():
        expected = catalog.browse(year=int(year), min_score=minimum)
    else:
        expected = catalog.browse(decade=first, min_score=minimum)
    assert total(out[6]) == expected.total, out[6]


@pytest.mark.parametrize(
    ("lang", "says"),
    [("es", "«siglo xx» no es un año ni una década"), ("en", "“last century” is neither a year")],
)
async def test_a_typed_decade_that_is_none_is_explained_and_asked_again(
    commands: Commands, lang: str, says: str
) -> None:
    bad = "siglo xx" if lang == "es" else "last century"
    out = await console(commands, lang, "/browse", "all", "both", "any", bad, "2020s")
    assert says in out[4] and QUESTIONS[lang][3] in out[4], out[4]
    assert QUESTIONS[lang][4].format(d=2020) in out[5], out[5]  # the question stayed open


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_best_first_shows_the_votes_behind_each_score_and_says_they_count(
    commands: Commands, catalog: Catalog, lang: str
) -> None:
    """Issue 22: the order is the vote-shrunk mean, the score shown the plain mean, so a 4★ from
    many votes can sit above a 4.5★ from two. Each line says how many votes; a line says why."""
    page = catalog.browse(limit=50)
    assert any(  # the demo data has such a pair: the line is there to explain it
        a.score is not None and b.score is not None and a.score < b.score
        for a, b in zip(page.items, page.items[1:], strict=False)
    )
    [out] = await console(commands, lang, "/explorar todas" if lang == "es" else "/browse all")
    first = page.items[0]
    assert first.score is not None
    votes = f"{first.votes} {'votos' if lang == 'es' else 'votes'}"
    assert listed(out)[0].endswith(f"★ ({votes})"), out
    note = ("con pocos votos, alta o baja, pesa menos", "few votes, high or low, counts for less")[
        lang == "en"
    ]
    assert note in out
    # newest first: no such line (the order is the year)
    [newest] = await console(commands, lang, "/browse all newest")
    assert note not in newest


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


@pytest.mark.parametrize(
    ("lang", "typed", "what"),
    [
        ("es", "películas de terror", "Terror · Películas"),
        ("en", "horror movies", "Horror · Movies"),
    ],
)
async def test_typed_words_that_are_a_browse_and_name_no_title_browse(
    commands: Commands, catalog: Catalog, lang: str, typed: str, what: str
) -> None:
    """Free text (no command) that names no title but reads as filters gets the catalogue
    filtered by them ("películas de terror" said "I can't find any title like…")."""
    expected = catalog.browse(kind="movie", genre="horror")
    assert expected.total and not catalog.search(typed, 1)
    [out] = await console(commands, lang, typed)
    head = HEADER.search(out)
    assert head is not None and head["what"] == what, out
    assert total(out) == expected.total
