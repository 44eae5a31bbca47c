"""The SQLite store reads one person's rows on the event loop (people/databases.py): under WAL a
read never waits for a writer, and it skips a thread hop that costs more CPU than the read. When
SQLite shuts readers out too, the read moves to a reader thread: the loop never waits on a lock
and the read still answers."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import event

from people import Store, sqlite_store
from people.databases import SqliteDatabase


def _record_threads(store: Store, seen: list[int]) -> None:
    """The thread of every SELECT the store runs, on any of its connections."""
    assert isinstance(store.db, SqliteDatabase)

    def spy(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(threading.get_ident())

    for engine in (store.db.engine, store.db.loop_engine):
        event.listen(engine, "before_cursor_execute", spy)


async def test_point_reads_run_on_the_loop_while_a_writer_holds_the_lock(tmp_path: Path) -> None:
    store = sqlite_store(tmp_path / "r.sqlite3")
    store.add(1, "ns1", 4.0)
    store.set_language(1, "en")
    seen: list[int] = []
    _record_threads(store, seen)
    writer = sqlite3.connect(store.path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # another process's write, not committed
        writer.execute("INSERT INTO ratings VALUES (1, 'ns2', 5.0, 0)")
        read = asyncio.gather(
            store.ratings_async(1),
            store.language_async(1),
            store.platforms_async(1),
            store.watchlist_async(1),
            store.seen_async(1),
        )
        ratings, lang, platforms, watchlist, rated = await asyncio.wait_for(read, 5)
        assert ratings == {"ns1": 4.0}  # the committed state only
        assert (lang, platforms, watchlist, rated) == ("en", set(), [], {"ns1"})
        assert seen == [threading.get_ident()] * 5  # no hop to a worker thread
        assert writer.in_transaction
    finally:
        writer.rollback()
        writer.close()
        store.close()


async def test_a_read_shut_out_by_sqlite_goes_to_a_thread_and_the_loop_runs_on(
    tmp_path: Path,
) -> None:
    store = sqlite_store(tmp_path / "r.sqlite3", busy_timeout=30)
    store.add(1, "ns1", 4.0)
    store.close()  # its connections close; the next call opens new ones
    seen: list[int] = []
    _record_threads(store, seen)
    locker = sqlite3.connect(store.path, isolation_level=None, check_same_thread=False)
    # exclusive locking mode: after its write this connection keeps every other one out,
    # readers included, until it closes
    locker.execute("PRAGMA locking_mode=EXCLUSIVE")
    locker.execute("INSERT INTO ratings VALUES (2, 'ns9', 1.0, 0)")
    try:
        read = asyncio.create_task(store.ratings_async(1))
        ticks = 0
        for _ in range(30):  # 0.3 s: the loop keeps running while the read waits for the lock
            await asyncio.sleep(0.01)
            ticks += 1
        assert ticks == 30 and not read.done()
        locker.close()  # releases the lock
        assert await asyncio.wait_for(read, 20) == {"ns1": 4.0}
        assert seen and seen[-1] != threading.get_ident()  # answered by a reader thread
    finally:
        locker.close()
        store.close()
