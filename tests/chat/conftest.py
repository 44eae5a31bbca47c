"""The conversation through the console chat (chat/console.py): real catalogue and model on
demo data, a real SQLite store, lines typed in and the printed transcript read back."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from bot.ratings_store import RatingsStore
from catalog.core import Catalog
from catalog.holder import CatalogHolder
from chat.commands import Commands
from chat.console import run_console
from chat.replies import Person
from tests.fakes.botdata import demo_data

ES = Person(user_id=5, chat_id=5, lang="es")
EN = Person(user_id=6, chat_id=6, lang="en")
PEOPLE = {"es": ES, "en": EN}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(demo_data())


@pytest.fixture
def commands(catalog: Catalog, tmp_path: Path) -> Commands:
    holder = CatalogHolder(demo_data(), catalog=catalog)
    return Commands(holder, RatingsStore(tmp_path / "r.sqlite3"), reloader=None)


async def console(commands: Commands, lang: str, *lines: str) -> list[str]:
    """What the console prints for each line typed (piped input: each echoed as "> line")."""
    stdout = io.StringIO()
    await run_console(commands, PEOPLE[lang], io.StringIO("".join(f"{x}\n" for x in lines)), stdout)
    parts = re.split(r"(?m)^> ", stdout.getvalue())
    return parts[-len(lines) :]
