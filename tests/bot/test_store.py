"""One suite for both people's-state stores: every test runs on the SQLite file and on a real
PostgreSQL server (a throwaway cluster on 127.0.0.1, tests/pg_cluster.py)."""

from __future__ import annotations

import asyncio
import csv
import os
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import psycopg
import pytest

from catalog.holder import CatalogHolder
from chat.commands import Commands
from chat.replies import Person
from people import (
    Alert,
    PeopleStore,
    Store,
    StoreError,
    StoreFailure,
    open_store,
    sqlite_store,
)
from people.__main__ import main as export_main
from people.databases import SqliteDatabase
from people.migrate import head
from tests.fakes.botdata import data_copy, demo_data
from tests.pg_cluster import PgCluster, free_port

ROOT = Path(__file__).resolve().parents[2]
BIG = 7_000_000_000  # Telegram ids outgrow int32


@pytest.fixture
async def store(url: str, tmp_path: Path) -> AsyncIterator[PeopleStore]:
    opened = open_store(url, tmp_path / "unused.sqlite3")
    yield opened
    await opened.aclose()


def raw(url: str, query: str) -> list[tuple]:
    """Read the database behind the store's back, over a connection of its own."""
    if url.startswith("sqlite:///"):
        db = sqlite3.connect(url[len("sqlite:///") :])
        try:
            return db.execute(query).fetchall()
        finally:
            db.close()
    with psycopg.connect(url) as conn:
        return conn.execute(query).fetchall()


async def test_the_url_picks_the_kind(url: str, store: PeopleStore, tmp_path: Path) -> None:
    assert isinstance(store, PeopleStore)
    assert isinstance(store, Store)
    assert isinstance(store.db, SqliteDatabase) == url.startswith("sqlite:///")
    assert not (tmp_path / "unused.sqlite3").exists()


async def test_ratings_replace_count_and_survive_a_reopen(url: str, store: PeopleStore) -> None:
    assert await store.add_async(BIG, "ns1", 4) == 1
    assert await store.add_async(BIG, "ns1", 5) == 1  # re-rating replaces
    assert await store.add_async(BIG, "as2", 3.5) == 2
    await store.skip_async(BIG, "hs3")
    await store.skip_async(BIG, "hs3")  # twice is once
    assert await store.add_async(12, "ns1", 2) == 1
    await store.aclose()
    again = open_store(url, "unused")  # a restart of the bot
    try:
        assert await again.ratings_async(BIG) == {"ns1": 5.0, "as2": 3.5}
        assert await again.seen_async(BIG) == {"ns1", "as2", "hs3"}
        assert await again.ratings_async(999) == {} and await again.seen_async(999) == set()
        assert await again.count_async() == 3 and await again.count_async(BIG) == 2
        assert await again.people_async() == 2
        status = await again.status_async()
        assert (status.ok, status.ratings, status.people, status.check) == (True, 3, 2, "ok")
    finally:
        await again.aclose()


async def test_rating_a_skipped_title_unskips_it(store: PeopleStore, url: str) -> None:
    await store.skip_async(5, "ns9")
    assert raw(url, "SELECT title_id FROM skips") == [("ns9",)]
    await store.add_async(5, "ns9", 2)
    assert raw(url, "SELECT title_id FROM skips") == []
    assert await store.seen_async(5) == {"ns9"}


@pytest.mark.parametrize("bad", [0.0, 9.0, -1.0])
async def test_an_out_of_scale_rating_is_refused_and_nothing_stored(
    store: PeopleStore, bad: float
) -> None:
    # StoreFailure is what the bot's commands answer as "store unavailable", on either
    # database, and it poses as neither's own error
    with pytest.raises(StoreFailure, match=r"(?i)check") as caught:
        await store.add_async(1, "x1", bad)
    assert not isinstance(caught.value, sqlite3.Error | psycopg.Error)
    assert await store.count_async() == 0


async def test_export_writes_training_rows_with_stable_small_ids(
    store: PeopleStore, tmp_path: Path
) -> None:
    await store.add_async(BIG, "ns1", 4)
    await store.add_async(12, "ns1", 2)
    await store.add_async(BIG, "as2", 0.5)
    await store.add_async(BIG, "ns1", 4.5)  # a returning person keeps their number
    out = tmp_path / "export" / "ratings.csv"
    assert await store.export_csv_async(out) == 3
    rows = list(csv.DictReader(out.open()))
    assert list(rows[0]) == ["userId", "rating", "timestamp", "movieId"]
    by_user = {(int(r["userId"]), r["movieId"]): r["rating"] for r in rows}
    assert by_user == {
        (1_000_000_001, "ns1"): "4.5",
        (1_000_000_001, "as2"): "0.5",
        (1_000_000_002, "ns1"): "2",
    }
    assert not out.with_suffix(".csv.tmp").exists()
    assert await store.export_csv_async(out, user_id_base=0) == 3
    assert {r["userId"] for r in csv.DictReader(out.open())} == {"1", "2"}


async def test_two_instances_rating_one_person_at_once_lose_and_double_nothing(
    url: str,
) -> None:
    """Two replicas answering the same person's presses: overlapping titles, both at once,
    the person new to both (who draws their local number)."""
    a, b = open_store(url, "unused"), open_store(url, "unused")
    try:
        person = 4242
        writes_a = [a.add_async(person, f"t{i}", 1 + i % 5) for i in range(0, 60)]
        writes_b = [b.add_async(person, f"t{i}", 0.5 + i % 5) for i in range(30, 90)]
        skips = [b.skip_async(person, f"s{i}") for i in range(10)]
        counts = await asyncio.gather(
            *(w for pair in zip(writes_a, writes_b, strict=True) for w in pair), *skips
        )
        assert all(1 <= c <= 90 for c in counts[:120])
        got = await a.ratings_async(person)
        assert set(got) == {f"t{i}" for i in range(90)}  # none lost
        for i in range(90):
            allowed = (
                {1 + i % 5} if i < 30 else {0.5 + i % 5} if i >= 60 else {1 + i % 5, 0.5 + i % 5}
            )
            assert got[f"t{i}"] in allowed
        assert raw(url, "SELECT count(*) FROM ratings") == [(90,)]  # none doubled
        assert raw(url, "SELECT count(*) FROM people") == [(1,)]
        assert len(await b.seen_async(person)) == 100
    finally:
        await a.aclose()
        await b.aclose()


async def test_migrations_are_recorded_and_applied_once(url: str) -> None:
    first = open_store(url, "unused")
    await first.aclose()
    second = open_store(url, "unused")
    await second.aclose()
    assert first.schema_version == second.schema_version == head() == "0002"
    assert raw(url, "SELECT version_num FROM alembic_version") == [(head(),)]


async def test_a_database_from_a_newer_release_is_refused(url: str) -> None:
    store = open_store(url, "unused")
    await store.aclose()
    future = "UPDATE alembic_version SET version_num = '0099_future'"
    if url.startswith("sqlite:///"):
        db = sqlite3.connect(url[len("sqlite:///") :])
        db.execute(future)
        db.commit()
        db.close()
    else:
        with psycopg.connect(url) as conn:
            conn.execute(future)
    with pytest.raises(StoreError, match="schema revision 0099_future, this release knows up to"):
        open_store(url, "unused")


def test_a_bad_url_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"sqlite:/// .* or postgresql://"):
        open_store("mysql://u:p@localhost/x", tmp_path / "r.sqlite3")
    port = free_port()  # nothing listens there
    with pytest.raises(StoreError) as caught:
        open_store(f"postgresql://bob:hunter2@127.0.0.1:{port}/db", "unused", connect_timeout=2)
    message = str(caught.value)
    assert f"127.0.0.1:{port}" in message and "DATABASE_URL" in message
    assert "hunter2" not in message and "bob:***@" in message


# ----- the bot's rating flow over each store ------------------------------------------------


async def test_rating_flow_in_the_bot(store: PeopleStore) -> None:
    commands = Commands(CatalogHolder(demo_data()), store)
    person = Person(user_id=BIG, chat_id=BIG, lang="en")
    [card] = [r async for r in commands.on_text(person, "/rate")]
    offered = card.keyboard[0][0].data.split("|")[2]
    [saved] = [r async for r in commands.on_button(person, card.keyboard[0][3].data)]
    assert saved.text.startswith("Saved") and saved.toast
    assert await store.ratings_async(BIG) == {offered: 4.0}
    assert offered not in saved.keyboard[0][0].data
    [skipped] = [r async for r in commands.on_button(person, saved.keyboard[1][0].data)]
    assert await store.count_async(BIG) == 1 and len(await store.seen_async(BIG)) == 2
    assert skipped.keyboard


# ----- `make export-ratings` / python -m people export -----------------------------


async def test_export_command_honours_database_url(
    url: str,
    store: PeopleStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await store.add_async(BIG, "ns1", 4)
    await store.aclose()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "elsewhere"))  # not where the store is
    out = tmp_path / "out.csv"
    assert await asyncio.to_thread(export_main, ["export", "--out", str(out)]) == 0
    assert "wrote 1 ratings" in capsys.readouterr().out
    assert [r["movieId"] for r in csv.DictReader(out.open())] == ["ns1"]


def test_export_command_without_a_store_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    assert export_main(["export", "--out", str(tmp_path / "o.csv")]) == 1
    assert f"no ratings database at {tmp_path}/state/ratings.sqlite3" in capsys.readouterr().out
    assert not (tmp_path / "state" / "ratings.sqlite3").exists()


# ----- python -m bot with DATABASE_URL ------------------------------------------------------


def run_bot(data_dir: Path, database_url: str, stdin: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "TELEGRAM_BOT_TOKEN": "",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", "--console", "--lang", "en"],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_the_bot_process_rates_into_postgresql(pg: PgCluster, tmp_path: Path) -> None:
    url = pg.create_database()
    data_dir = data_copy(tmp_path / "data")
    done = run_bot(data_dir, url, "/rate\n4\n")  # the 4th button: four stars
    assert done.returncode == 0, done.stderr
    assert "Saved" in done.stdout, done.stdout
    assert raw(url, "SELECT telegram_id, rating FROM ratings") == [(0, 4.0)]
    assert not (data_dir / "state" / "ratings.sqlite3").exists()


def test_the_bot_refuses_an_unreachable_server_in_one_line(tmp_path: Path) -> None:
    data_dir = data_copy(tmp_path / "data")
    port = free_port()
    done = run_bot(data_dir, f"postgresql://bot:s3cret@127.0.0.1:{port}/people", "/start\n")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    assert f"127.0.0.1:{port}" in done.stderr and "DATABASE_URL" in done.stderr
    assert "s3cret" not in done.stderr + done.stdout


def test_settings_choose_the_store_and_keep_the_url_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.settings import Settings
    from people import store_from_settings

    for blank in ("DATABASE_URL", "DATABASE_POOL_MAX", "BOT_PREFETCH"):
        monkeypatch.setenv(blank, "")  # as copied from .env.example
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    store = store_from_settings(settings)
    assert store.path == tmp_path / "state" / "ratings.sqlite3"
    store.close()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/other.sqlite3")
    store = store_from_settings(Settings(_env_file=None))  # type: ignore[call-arg]
    assert store.path == tmp_path / "other.sqlite3"
    store.close()
    monkeypatch.setenv("DATABASE_URL", "postgresql://bot:p%40ss@127.0.0.1:1/people")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert {"p@ss", "p%40ss"} <= set(settings.secrets())
    assert "p%40ss" not in repr(settings)


# ----- moving from SQLite to PostgreSQL -----------------------------------------------------


async def test_copy_from_sqlite_keeps_every_number_and_export(
    pg: PgCluster, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sqlite_file = tmp_path / "ratings.sqlite3"
    old = sqlite_store(sqlite_file)
    for person in (BIG, 12, 99):
        old.add(person, "ns1", 4)
    old.add(12, "as2", 2.5)
    old.skip(99, "hs3")
    await old.watch_add_async(12, "ns7")
    await old.watch_add_async(12, "hs1")
    await old.set_platforms_async(12, {"hulu"})
    old.set_language(12, "es")
    await old.enqueue_alerts_async([Alert(12, "hs1", "r1", ("hulu",), due_at=5.0)])
    old.export_csv(tmp_path / "before.csv")
    await old.aclose()
    url = pg.create_database()
    argv = ["copy", "--db", str(sqlite_file), "--database-url", url]
    assert await asyncio.to_thread(export_main, argv) == 0
    assert "copied 3 people, 4 ratings, 1 skips" in capsys.readouterr().out
    store = open_store(url, "unused")
    try:
        await store.export_csv_async(tmp_path / "after.csv")
        before, after = (tmp_path / "before.csv").read_text(), (tmp_path / "after.csv").read_text()
        assert after == before  # the same user ids: trainings before and after agree
        assert await store.seen_async(99) == {"ns1", "hs3"}
        mine = await store.describe_async(12)  # issue 15's tables came along
        assert mine.watchlist == ("ns7", "hs1") and mine.platforms == {"hulu"}
        assert (mine.language, mine.alerts_pending) == ("es", 1)
        [alert] = await store.claim_alerts_async(5, "x", 60, now=6.0)
        assert (alert.key, alert.platforms) == ("r1:12:hs1", ("hulu",))
        await store.add_async(5, "ns1", 3)  # a new person draws the next number
        assert raw(url, "SELECT local_id FROM people WHERE telegram_id = 5") == [(4,)]
    finally:
        await store.aclose()
    # a second copy would give two people one number: refused, nothing copied
    assert await asyncio.to_thread(export_main, argv) == 1
    assert "already holds people" in capsys.readouterr().out
    assert raw(url, "SELECT count(*) FROM ratings") == [(5,)]
