"""The conversation through the console chat (chat/console.py): real catalogue and model on
demo data, a real SQLite store, lines typed in and the printed transcript read back."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from catalog.core import Catalog
from catalog.holder import CatalogHolder
from chat.commands import Commands
from chat.console import run_console
from chat.replies import Person
from people import sqlite_store
from tests.catalog_helpers import ROWS, write_processed
from tests.fakes.botdata import demo_data

# beside the hand-made catalogue's rows: names several titles carry, and names only loosely
# like what people type ("harry potter", "1917")
OFFICES = [
    ("as901", "TV Show", "The Office", "Ricky Gervais", 2003, 2, "season", 2.7, 35),
    ("ns901", "TV Show", "The Office (U.S.)", "Steve Carell", 2012, 9, "season", 4.1, 90),
    ("hs901", "TV Show", "The Office (U.K.)", "Ricky Gervais", 2001, 2, "season", 4.0, 20),
    ("ns902", "Movie", "The Office Party", None, 2016, 105, "min", 3.0, 5),
]
LOOSE = [
    ("ns903", "Movie", "My Month with Mrs Potter", None, 2017, 95, "min", 3.1, 3),
    ("ns904", "TV Show", "Reply 1997", None, 2012, 1, "season", 4.0, 4),
    ("as902", "Movie", "Kruty 1918", None, 2019, 100, "min", 3.0, 2),
]
ES = Person(user_id=5, chat_id=5, lang="es")
EN = Person(user_id=6, chat_id=6, lang="en")
PEOPLE = {"es": ES, "en": EN}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(demo_data())


@pytest.fixture
def commands(catalog: Catalog, tmp_path: Path) -> Commands:
    holder = CatalogHolder(demo_data(), catalog=catalog)
    return Commands(holder, sqlite_store(tmp_path / "r.sqlite3"), reloader=None)


@pytest.fixture(scope="module")
def small_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_processed(tmp_path_factory.mktemp("small"), ROWS + OFFICES + LOOSE)


@pytest.fixture
def small(small_dir: Path, tmp_path: Path) -> Commands:
    """Commands over the hand-made catalogue (no model)."""
    holder = CatalogHolder(small_dir, catalog=Catalog.load(small_dir))
    return Commands(holder, sqlite_store(tmp_path / "small.sqlite3"), reloader=None)


async def console(commands: Commands, lang: str, *lines: str) -> list[str]:
    """What the console prints for each line typed (piped input: each echoed as "> line")."""
    stdout = io.StringIO()
    await run_console(commands, PEOPLE[lang], io.StringIO("".join(f"{x}\n" for x in lines)), stdout)
    parts = re.split(r"(?m)^> ", stdout.getvalue())
    return parts[-len(lines) :]
