"""Databases made by the hand-written SQL migrations (before Alembic) open with every row they
held and end at the one schema. The old schema files are kept beside this test exactly as they
were shipped (legacy_sqlite/, legacy_postgresql/), applied the way the old store applied them:
in order, each with its row in `schema_version`."""

from __future__ import annotations

import csv
import sqlite3
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import create_engine, inspect

from people import StoreError, open_store
from people.migrate import head
from people.schema import metadata
from people.urls import sqlalchemy_url

HERE = Path(__file__).resolve().parent
BIG = 7_000_000_000


def legacy_files(dialect: str) -> list[Path]:
    return sorted((HERE / f"legacy_{dialect}").glob("*.sql"))


def run(url: str, statements: list[tuple[str, tuple[Any, ...]]]) -> None:
    """Statements with `?` placeholders, on a connection of their own, committed."""
    if url.startswith("sqlite:///"):
        db = sqlite3.connect(url[len("sqlite:///") :])
        with db:
            for sql, params in statements:
                db.execute(sql, params)
        db.close()
        return
    with psycopg.connect(url) as conn:
        for sql, params in statements:
            conn.execute(sql.replace("?", "%s"), params)  # type: ignore[arg-type]


def make_legacy(url: str, upto: int | None = None) -> None:
    """The old store's schema at version `upto` (None: its last), as its migrate.py built it."""
    dialect = "sqlite" if url.startswith("sqlite:///") else "postgresql"
    files = legacy_files(dialect)[:upto]
    create = (
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
        "name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
    )
    if dialect == "sqlite":
        path = Path(url[len("sqlite:///") :])
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path)
        db.execute(create)
        for n, path in enumerate(files, 1):
            db.executescript(path.read_text())
            db.execute("INSERT INTO schema_version VALUES (?, ?, 0)", (n, path.stem[5:]))
        db.commit()
        db.close()
        return
    with psycopg.connect(url) as conn:
        conn.execute(create)
        for n, path in enumerate(files, 1):
            conn.execute(path.read_text().encode())
            conn.execute("INSERT INTO schema_version VALUES (%s, %s, 0)", (n, path.stem[5:]))


def fill(url: str) -> None:
    """Rows in every table of the old schema's last version, as the old store wrote them."""
    now = time.time()
    run(
        url,
        [
            ("INSERT INTO people (telegram_id) VALUES (?)", (BIG,)),
            ("INSERT INTO people (telegram_id) VALUES (?)", (12,)),
            ("INSERT INTO ratings VALUES (?, 'ns1', 4.5, 100)", (BIG,)),
            ("INSERT INTO ratings VALUES (?, 'as2', 2.0, 101)", (BIG,)),
            ("INSERT INTO ratings VALUES (?, 'ns1', 3.0, 102)", (12,)),
            ("INSERT INTO skips VALUES (?, 'hs9')", (12,)),
            ("INSERT INTO person_language VALUES (?, 'es')", (12,)),
            ("INSERT INTO person_platforms VALUES (?, 'hulu')", (12,)),
            ("INSERT INTO person_platforms VALUES (?, 'netflix')", (12,)),
            # three titles within one clock tick: only their insertion order tells them apart
            ("INSERT INTO watchlist (telegram_id, title_id, added_at) VALUES (?, 'zz1', ?)",
             (12, now)),
            ("INSERT INTO watchlist (telegram_id, title_id, added_at) VALUES (?, 'aa2', ?)",
             (12, now)),
            ("INSERT INTO watchlist (telegram_id, title_id, added_at) VALUES (?, 'mm3', ?)",
             (12, now)),
            ("INSERT INTO alert_outbox (key, telegram_id, title_id, watched_id, platforms, "
             "release, due_at, created_at) VALUES ('r1:12:hs1', ?, 'hs1', 'hs1', 'hulu', 'r1', "
             "5, 5)", (12,)),
            ("INSERT INTO alert_outbox (key, telegram_id, title_id, watched_id, platforms, "
             "release, status, due_at, created_at, sent_at) VALUES ('r0:12:hs0', ?, 'hs0', "
             "'hs0', 'hulu', 'r0', 'sent', 1, 1, 2)", (12,)),
            ("INSERT INTO blocked_people VALUES (?, 3)", (BIG,)),
        ],
    )  # fmt: skip


def columns(url: str) -> dict[str, set[str]]:
    engine = create_engine(sqlalchemy_url(url))
    try:
        found = inspect(engine)
        return {t: {c["name"] for c in found.get_columns(t)} for t in found.get_table_names()}
    finally:
        engine.dispose()


async def test_a_database_of_the_old_schema_upgrades_with_every_row(
    url: str, tmp_path: Path
) -> None:
    make_legacy(url)
    fill(url)
    store = open_store(url, "unused")
    try:
        assert store.schema_version == head()
        # one schema: every table and column of people/schema.py, and nothing of the old
        # version table
        found = columns(url)
        assert {t.name: {c.name for c in t.columns} for t in metadata.sorted_tables} == {
            t: cols for t, cols in found.items() if t != "alembic_version"
        }
        assert await store.ratings_async(BIG) == {"ns1": 4.5, "as2": 2.0}
        mine = await store.describe_async(12)
        assert mine.ratings == {"ns1": 3.0} and mine.skips == 1
        assert (mine.language, mine.platforms) == ("es", {"hulu", "netflix"})
        assert mine.watchlist == ("zz1", "aa2", "mm3")  # the order they were added
        assert (mine.alerts_pending, mine.alerts_sent, mine.blocked) == (1, 1, False)
        assert (await store.describe_async(BIG)).blocked
        # the upgraded tables work as new ones: a new title lands last, the alert is claimed,
        # a new person draws the next local number
        assert await store.watch_add_async(12, "bb4")
        assert await store.watchlist_async(12) == ["zz1", "aa2", "mm3", "bb4"]
        [alert] = await store.claim_alerts_async(5, "me", 60, now=10.0)
        assert alert.key == "r1:12:hs1" and alert.platforms == ("hulu",)
        await store.add_async(55, "ds1", 5)
        await store.export_csv_async(tmp_path / "out.csv")
        rows = [(r["userId"], r["movieId"]) for r in csv.DictReader((tmp_path / "out.csv").open())]
        assert rows == [
            ("1000000001", "ns1"),
            ("1000000001", "as2"),
            ("1000000002", "ns1"),
            ("1000000003", "ds1"),
        ]
    finally:
        await store.aclose()
    again = open_store(url, "unused")  # opening again applies nothing twice
    try:
        assert again.schema_version == head()
        assert await again.count_async() == 4
    finally:
        await again.aclose()


async def test_a_database_at_the_old_schemas_first_version_gets_the_rest(url: str) -> None:
    make_legacy(url, upto=1)
    run(url, [("INSERT INTO people (telegram_id) VALUES (?)", (77,)),
              ("INSERT INTO ratings VALUES (77, 'ns1', 4.0, 1)", ())])  # fmt: skip
    store = open_store(url, "unused")
    try:
        assert await store.ratings_async(77) == {"ns1": 4.0}
        assert await store.watch_add_async(77, "ns2")  # a table the first version lacked
        assert await store.watchlist_async(77) == ["ns2"]
    finally:
        await store.aclose()


def test_a_sqlite_file_from_before_any_migration_is_adopted(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(legacy_files("sqlite")[0].read_text())  # the tables, no version table
    db.execute("INSERT INTO people VALUES (1, 77)")
    db.execute("INSERT INTO ratings VALUES (77, 'ns1', 4.0, 1)")
    db.commit()
    db.close()
    store = open_store(None, path)
    try:
        assert store.schema_version == head() and store.ratings(77) == {"ns1": 4.0}
    finally:
        store.close()


def test_an_old_schema_newer_than_the_last_hand_written_version_is_refused(url: str) -> None:
    make_legacy(url)
    run(url, [("INSERT INTO schema_version VALUES (99, 'future', 0)", ())])
    with pytest.raises(StoreError, match="schema version 99"):
        open_store(url, "unused")


def test_a_new_database_is_exactly_the_schema_module(url: str) -> None:
    """Alembic's own comparison of people/schema.py with a freshly migrated database finds
    nothing to do (`alembic check`): the migrations and the table definitions agree. SQLite
    is compared without types (it stores by affinity), and its primary keys declared without
    NOT NULL by the old SQL (a SQLite quirk; they hold no NULL) are left out."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    open_store(url, "unused").close()
    engine = create_engine(sqlalchemy_url(url))
    sqlite = url.startswith("sqlite:///")
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": not sqlite})
            diffs = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    flat = [d for group in diffs for d in (group if isinstance(group, list) else [group])]
    if sqlite:
        keys = {(t.name, c.name) for t in metadata.sorted_tables for c in t.primary_key}
        flat = [d for d in flat if not (d[0] == "modify_nullable" and (d[2], d[3]) in keys)]
    assert flat == []
