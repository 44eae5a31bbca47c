"""/director <name>: the walk of docs/architecture.md ("How to add a command") proven end to
end on the demo data (real ETL, real catalogue): the catalogue's query, the chat feature,
both languages, through the console chat. The expected titles are read from the processed
files, not from the query under test."""

from __future__ import annotations

import io
from collections import defaultdict
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from catalog.core import Catalog
from catalog.holder import CatalogHolder
from chat.commands import Commands
from chat.console import run_console
from chat.registry import REGISTRY
from chat.replies import Person, Reply, plain_text
from domain.text import fold
from domain.vocabulary import PLATFORMS, platform_name
from people import sqlite_store
from tests.fakes.botdata import demo_data
from tests.fakes.telegram_server import parse_html

ES = Person(user_id=5, chat_id=5, lang="es")
EN = Person(user_id=6, chat_id=6, lang="en")


def directors(data_dir: Path, catalog: Catalog) -> dict[str, set[str]]:
    """Each director's name (as display.parquet writes it) -> the served ids they directed."""
    rows = pq.read_table(data_dir / "processed" / "display.parquet", columns=["id", "director"])
    found: dict[str, set[str]] = defaultdict(set)
    for r in rows.to_pylist():
        for name in (r["director"] or "").split(","):
            if name.strip() and catalog.title(r["id"]) is not None:  # test rows are not served
                found[name.strip()].add(r["id"])
    return found


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(demo_data())


@pytest.fixture(scope="module")
def made(catalog: Catalog) -> dict[str, set[str]]:
    return directors(demo_data(), catalog)


@pytest.fixture(scope="module")
def busiest(made: dict[str, set[str]], catalog: Catalog) -> str:
    """The director with the most titles, on more than one platform."""
    several = [n for n, ids in made.items() if len({catalog.title(i).platform for i in ids}) > 1]  # type: ignore[union-attr]
    return max(several, key=lambda n: (len(made[n]), n))


@pytest.fixture
def commands(catalog: Catalog, tmp_path: Path) -> Commands:
    holder = CatalogHolder(demo_data(), catalog=catalog)
    return Commands(holder, sqlite_store(tmp_path / "r.sqlite3"), reloader=None)


async def say(commands: Commands, person: Person, line: str) -> str:
    replies: list[Reply] = [r async for r in commands.on_text(person, line)]
    for r in replies:
        parse_html(r.text)  # what Telegram would accept
    return "\n".join(plain_text(r.text) for r in replies)


def test_the_catalogue_lists_a_directors_titles_per_platform_newest_first(
    catalog: Catalog, made: dict[str, set[str]], busiest: str
) -> None:
    found = catalog.director(fold(busiest).upper())  # typed without accents, any case
    assert found.director == busiest
    assert {r.id for r in found.titles} == made[busiest]
    order = [(PLATFORMS.index(r.platform), -(r.release_year or 0)) for r in found.titles]
    assert order == sorted(order)
    assert list(found.by_platform()) == [p for p in PLATFORMS if p in found.by_platform()]
    # a word several directors share offers them to choose from
    words: dict[str, set[str]] = defaultdict(set)
    for name in made:
        for word in fold(name).split():
            words[word].add(name)
    # the words in any order name the same director ("garcia zoe")
    assert catalog.director(" ".join(reversed(fold(busiest).split()))).director == busiest
    shared, names = next((w, ns) for w, ns in sorted(words.items()) if len(ns) > 1)
    many = catalog.director(shared)
    assert many.director is None and many.titles == ()
    assert set(many.candidates) <= names and len(many.candidates) == min(len(names), 8)
    assert catalog.director("zzqx nobody") == type(found)("zzqx nobody", None)


async def test_director_answers_in_both_languages_through_the_console(
    commands: Commands, catalog: Catalog, made: dict[str, set[str]], busiest: str
) -> None:
    assert REGISTRY.lookup("director") is not None
    typed = fold(busiest)
    n = len(made[busiest])
    titles = {catalog.title(i).title for i in made[busiest]}  # type: ignore[union-attr]
    platforms = {catalog.title(i).platform for i in made[busiest]}  # type: ignore[union-attr]
    for person, header in ((EN, f"{busiest} directed {n} titles:"),
                           (ES, f"{busiest} dirigió {n} títulos:")):  # fmt: skip
        text = await say(commands, person, f"/director {typed}")
        assert text.startswith(header), text
        assert all(platform_name(p, person.lang) in text for p in platforms)
        assert all(title in text for title in titles)
    assert "I can't find any title directed by “zzqx”" in await say(commands, EN, "/director zzqx")
    assert "No encuentro ningún título dirigido por «zzqx»" in await say(
        commands, ES, "/director zzqx"
    )
    # a bare /director asks back and the next line answers it (the menu's way in)
    out = io.StringIO()
    await run_console(commands, ES, io.StringIO(f"/director\n{typed}\n"), out)
    assert "¿Qué director o directora?" in out.getvalue()
    assert f"{busiest} dirigió {n} títulos:" in out.getvalue()


async def test_several_directors_matching_are_named_to_choose_from(
    commands: Commands, made: dict[str, set[str]]
) -> None:
    words: dict[str, set[str]] = defaultdict(set)
    for name in made:
        for word in fold(name).split():
            words[word].add(name)
    shared = next(w for w, ns in sorted(words.items()) if len(ns) > 1)
    en = await say(commands, EN, f"/director {shared}")
    es = await say(commands, ES, f"/director {shared}")
    assert f"Several directors match “{shared}”" in en
    assert f"Hay varios con el nombre «{shared}»" in es
    assert any(name in en for name in words[shared])
