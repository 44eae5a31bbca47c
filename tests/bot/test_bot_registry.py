"""The command registry, the string catalogues and the errors' one translation: every command
has its words in both languages, /help and the menu come from the registry, plurals are real,
a typed argument is parsed once on its way to the catalogue."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

import locales
from catalog.core import Catalog
from catalog.errors import QUERY_ERROR_CODES
from catalog.holder import CatalogHolder
from chat.commands import Commands
from chat.console import run_console
from chat.errors import ARGUMENT_KEYS, KEYS
from chat.registry import REGISTRY
from chat.replies import Person, Reply, plain_text
from domain.vocabulary import LANGUAGES
from people import sqlite_store
from tests.fakes.botdata import demo_data
from tests.fakes.telegram_server import parse_html

ES = Person(user_id=5, chat_id=5, lang="es")
EN = Person(user_id=6, chat_id=6, lang="en")
ADMIN = Person(user_id=1, chat_id=1, lang="en", is_admin=True)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(demo_data())


@pytest.fixture
def commands(catalog: Catalog, tmp_path: Path) -> Commands:
    holder = CatalogHolder(demo_data(), catalog=catalog)
    return Commands(holder, sqlite_store(tmp_path / "r.sqlite3"), reloader=None)


async def say(commands: Commands, person: Person, line: str) -> str:
    replies: list[Reply] = [r async for r in commands.on_text(person, line)]
    for r in replies:
        parse_html(r.text)
    return "\n".join(plain_text(r.text) for r in replies)


def test_every_registered_command_has_words_in_both_languages() -> None:
    assert len(REGISTRY.ordered) >= 15
    for command in REGISTRY.ordered:
        for lang in LANGUAGES:
            assert command.description(lang).strip(), (command.name, lang)
        # a syntax in one language means a syntax in the other
        assert bool(command.syntax("en")) == bool(command.syntax("es")), command.name
    for action in ("md", "sc", "pc", "ac", "w", "sim", "rec", "top", "fy", "rt", "ch", "menu"):
        assert action in REGISTRY.buttons


def test_every_catalogue_error_code_has_a_sentence() -> None:
    assert set(KEYS) == set(QUERY_ERROR_CODES)
    assert {code for code, _ in ARGUMENT_KEYS} <= set(QUERY_ERROR_CODES)
    for key in [*KEYS.values(), *ARGUMENT_KEYS.values()]:
        for lang in LANGUAGES:
            assert locales.messages("bot", lang).get(key), (key, lang)


def test_spanish_plural_rule_comes_from_the_catalogue() -> None:
    es = locales.messages("bot", "es")
    assert es.get("n_titles", 1) == "{n} título"
    assert es.get("n_titles", 2) == "{n} títulos" == es.get("n_titles", 0)
    assert es.get("n_titles", 1_000_000) == "{n} títulos"  # CLDR's "many" form
    assert locales.number("es", 1_000_000) == "1.000.000"


@pytest.mark.parametrize(
    ("person", "words"),
    [(EN, ("/search <name>", "/scorecount <platform> <score> <year>", "/chart [name]")),
     (ES, ("/buscar <nombre>", "/pornota <plataforma> <nota> <año>", "/grafico [nombre]",
           "/duracionmax [año] [plataforma] [min|temporada]"))],
)  # fmt: skip
async def test_help_lists_every_public_command_from_the_registry(
    commands: Commands, person: Person, words: tuple[str, ...]
) -> None:
    text = await say(commands, person, "/help")
    for command in REGISTRY.ordered:
        assert (f"/{command.name_in(person.lang)} " in text) != command.admin, command.name
        assert (command.description(person.lang) in text) != command.admin
    for w in words:
        assert w in text
    admin_help = await say(commands, ADMIN, "/help")
    assert "/reload" in admin_help and "/status" in admin_help


async def test_spanish_aliases_answer_like_the_english_names(commands: Commands) -> None:
    pairs = [
        ("/ayuda", "/help"),
        ("/porplataforma netflix", "/platformcount netflix"),
        ("/duracionmax 2020", "/maxduration 2020"),
        ("/buscar the", "/search the"),
    ]
    for alias, name in pairs:
        assert await say(commands, ES, alias) == await say(commands, ES, name)
    denied = await say(commands, ES, "/estado")  # an admin command stays hidden
    assert denied == await say(commands, ES, "/nonsense")


def test_telegram_menu_per_language_from_the_registry() -> None:
    en, es = dict(REGISTRY.menu("en")), dict(REGISTRY.menu("es"))
    public = [c for c in REGISTRY.ordered if not c.admin]
    assert list(en) == [c.name for c in public] and "status" not in en and "top" not in en
    assert list(es) == [c.name_in("es") for c in public]  # the Spanish names in Spanish
    assert "duracionmax" in es and "maxduration" not in es
    assert en["actor"] == "The most frequent actor: /actor <platform> <year>"
    assert es["actor"] == "El actor más frecuente: /actor <plataforma> <año>"
    assert es["porplataforma"].endswith("/porplataforma [plataforma|todas]")


async def test_plurals_through_the_bot(commands: Commands) -> None:
    """The defects of the issue: "1 seasons", "1 temporadas", "(1 titles)", "You have 1
    ratings", "from 1 people" (demo data: Netflix 1940 has one show of one season and one
    title, whose actor is in that one title; Amazon 1946 has one title and no cast)."""
    en = await say(commands, EN, "/maxduration netflix 1940 season")
    assert "— 1 season." in en
    es = await say(commands, ES, "/maxduration netflix 1940 season")
    assert "— 1 temporada." in es
    en = await say(commands, EN, "/actor netflix 1940")
    assert "in 1 title (of 1 title that year" in en
    es = await say(commands, ES, "/actor netflix 1940")
    assert "en 1 título (de 1 título de ese año" in es
    assert "(1 title)." in await say(commands, EN, "/actor amazon 1946")
    assert "(1 título)." in await say(commands, ES, "/actor amazon 1946")


async def test_plurals_through_the_console(commands: Commands) -> None:
    """A rating from the console: "You have 1 rating", then 2 ratings; /status "from 1 person"."""
    out = io.StringIO()
    await run_console(commands, EN, io.StringIO("/rate\n4\n5\n/foryou\n"), out)
    text = out.getvalue()
    assert "You have 1 rating." in text and "You have 2 ratings." in text
    assert "from your 2 ratings" in text and "1 more rating will sharpen" in text
    status = await say(commands, ADMIN, "/status")
    assert "Chat ratings: 2 (from 1 person)" in status


async def test_errors_name_the_value_in_the_persons_language(commands: Commands) -> None:
    assert "I don't know the platform “hulux”" in await say(commands, EN, "/platformcount hulux")
    assert "No conozco la plataforma «hulux»" in await say(commands, ES, "/platformcount hulux")
    assert "“1200” is not a valid year" in await say(commands, EN, "/actor netflix 1200")
    assert "«9» no es una nota válida" in await say(commands, ES, "/scorecount netflix 9 2019")
    assert "“x1” is not a user id" in await say(commands, ADMIN, "/top x1")


async def test_a_typed_platform_reaches_the_filter_through_four_functions_parsed_once(
    commands: Commands, catalog: Catalog
) -> None:
    """/platformcount netflix: on_text -> the feature's handler -> count_platform, and the
    platform parsed once on the way (the acceptance line of issue 13)."""
    calls: list[tuple[str, str, int]] = []
    depth = 0

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        nonlocal depth
        if event == "call":
            depth += 1
            code = frame.f_code
            calls.append((code.co_filename, code.co_name, depth))
        elif event == "return":
            depth -= 1

    agen = commands.on_text(EN, "/platformcount netflix")
    sys.setprofile(profile)
    try:
        replies = [r async for r in agen]
    finally:
        sys.setprofile(None)
    assert "Netflix:" in replies[0].text
    ours = ("/chat/", "/bot/", "/catalog/", "/domain/")
    # the project's frames only (this test lives under tests/bot/, which "/bot/" also matches)
    names = [(f, n, d) for f, n, d in calls if any(p in f for p in ours) and "/tests/" not in f]
    target = next(i for i, (f, n, _) in enumerate(names) if n == "count_platform")
    # the chain of callers above count_platform: each a distinct, shallower frame
    chain, level = [], names[target][2]
    for _, n, d in reversed(names[: target + 1]):
        if d <= level:
            chain.append(n)
            level = d - 1
    assert chain[-1] == "on_text" and len(chain) <= 4, chain
    parses = [n for _, n, _ in names[:target] if n in ("parse_platform", "platform_key")]
    assert parses == ["parse_platform", "platform_key"], parses  # one parse (and its lookup)


@pytest.mark.parametrize("domain", ["bot", "charts"])
def test_both_languages_have_every_message_and_the_same_placeholders(domain: str) -> None:
    import string

    en, es = locales.messages(domain, "en"), locales.messages(domain, "es")
    assert en.names() == es.names() and set(en.plurals) == set(es.plurals)
    for key in en.names():
        forms = [x for m in (en, es) for x in (m.plurals.get(key) or (m.singular[key],))]
        fields = {
            tuple(sorted(f for _, f, _, _ in string.Formatter().parse(x) if f)) for x in forms
        }
        assert len(fields) == 1, (domain, key, fields)


def test_charts_and_locales_stay_leaves() -> None:
    """charts may import the strings (locales) and domain/, nothing else of ours; locales
    imports nothing of ours."""
    import subprocess

    code = (
        "import sys, charts, locales; "
        "ours = {'bot', 'api', 'catalog', 'etl', 'model', 'refresh', 'config'}; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ours))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout
