"""Ratings people give in the chat, kept in SQLite so they survive restarts.

WAL mode lets the export (or a backup) read while the bot writes; synchronous=FULL plus an
explicit commit before we answer "saved" means an acknowledged rating is on disk. Telegram
user ids can exceed the int32 `userId` of the ratings files, so each person also gets a small
local number, and the export writes `user_id_base + local` (disjoint from the dataset's ids).

The bot never touches SQLite on its event loop: a write waiting for the lock (another process
holding it, up to `busy_timeout` seconds) would freeze every chat. The `*_async` methods run the
plain methods in worker threads, each with its own connection (a sqlite3 connection must not
carry two threads' transactions at once): one writer thread, so our own writes never queue on
SQLite's lock behind each other, and a few reader threads, which WAL lets read while a write
waits or runs.
"""

from __future__ import annotations

import asyncio
import csv
import functools
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS people (
    local_id INTEGER PRIMARY KEY,
    telegram_id INTEGER NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS ratings (
    telegram_id INTEGER NOT NULL,
    title_id TEXT NOT NULL,
    rating REAL NOT NULL CHECK (rating BETWEEN 0.5 AND 5),
    ts INTEGER NOT NULL,
    PRIMARY KEY (telegram_id, title_id)
);
CREATE TABLE IF NOT EXISTS skips (
    telegram_id INTEGER NOT NULL,
    title_id TEXT NOT NULL,
    PRIMARY KEY (telegram_id, title_id)
);
"""
DEFAULT_USER_ID_BASE = 1_000_000_000
BUSY_TIMEOUT = 5.0  # seconds a write waits for another connection's lock before failing
READER_THREADS = 3


class StoreError(Exception):
    """The ratings database cannot be opened: the message names the file and what to do."""


@dataclass(frozen=True)
class StoreStatus:
    """What /status shows of the store: counts when readable, and SQLite's own verdict."""

    ok: bool
    ratings: int | None
    people: int | None
    check: str  # "ok", or the first problems PRAGMA quick_check (or opening) reported


class RatingsStore:
    """The chat ratings. Plain methods run on the calling thread with that thread's own
    connection; the event loop uses the `*_async` methods (worker threads)."""

    def __init__(self, path: Path | str, busy_timeout: float = BUSY_TIMEOUT) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._writer: ThreadPoolExecutor | None = None
        self._readers: ThreadPoolExecutor | None = None
        self.pending_writes = 0  # writes submitted and not finished (read on the loop only)
        try:
            db = self._db
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
        except sqlite3.DatabaseError as e:
            self.close()
            raise StoreError(
                f"the ratings database {self.path} cannot be used ({e}). Stop the bot, move the "
                f"file aside (mv {self.path} {self.path}.broken; also its -wal and -shm files "
                "if present) to start with an empty store, or restore it from a backup; "
                "`sqlite3 FILE .recover` may save its ratings."
            ) from e

    @property
    def _db(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use."""
        db = getattr(self._local, "db", None)
        if db is None:
            # check_same_thread=False only so close() may close it from another thread.
            db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
            with self._lock:
                self._connections.append(db)
            db.execute("PRAGMA synchronous=FULL")
            db.execute(f"PRAGMA busy_timeout={int(self.busy_timeout * 1000)}")
            self._local.db = db
        return db

    # ----- off the event loop --------------------------------------------------------------
    async def _run(self, write: bool, fn: Callable[..., T], *args: Any) -> T:
        with self._lock:
            if self._writer is None:
                self._writer = ThreadPoolExecutor(1, thread_name_prefix="ratings-write")
                self._readers = ThreadPoolExecutor(
                    READER_THREADS, thread_name_prefix="ratings-read"
                )
        pool = self._writer if write else self._readers
        loop = asyncio.get_running_loop()
        self.pending_writes += write
        try:
            return await loop.run_in_executor(pool, functools.partial(fn, *args))
        finally:
            self.pending_writes -= write

    async def add_async(self, telegram_id: int, title_id: str, rating: float) -> int:
        """`add` in the writer thread: committed when this returns."""
        return await self._run(True, self.add, telegram_id, title_id, rating)

    async def skip_async(self, telegram_id: int, title_id: str) -> None:
        await self._run(True, self.skip, telegram_id, title_id)

    async def ratings_async(self, telegram_id: int) -> dict[str, float]:
        return await self._run(False, self.ratings, telegram_id)

    async def seen_async(self, telegram_id: int) -> set[str]:
        return await self._run(False, self.seen, telegram_id)

    async def status_async(self) -> StoreStatus:
        return await self._run(False, self.status)

    def close(self) -> None:
        for pool in (self._writer, self._readers):
            if pool is not None:
                pool.shutdown(wait=True)
        self._writer = self._readers = None
        with self._lock:
            connections, self._connections = self._connections, []
        for db in connections:
            db.close()
        self._local = threading.local()

    def status(self) -> StoreStatus:
        """Counts and PRAGMA quick_check: /status must answer even when the file is damaged."""
        try:
            rows = [r[0] for r in self._db.execute("PRAGMA quick_check(5)")]
        except sqlite3.DatabaseError as e:
            return StoreStatus(False, None, None, str(e))
        check = "; ".join(str(r) for r in rows) or "?"
        try:
            ratings, people = self.count(), self.people()
        except sqlite3.DatabaseError as e:
            return StoreStatus(False, None, None, check if check != "ok" else str(e))
        return StoreStatus(check == "ok", ratings, people, check)

    def add(self, telegram_id: int, title_id: str, rating: float) -> int:
        """Store (or replace) one rating, committed when this returns; returns how many the
        person has now."""
        with self._db:  # BEGIN ... COMMIT
            # A person's local number never changes, so exports stay comparable over time.
            self._db.execute(
                "INSERT INTO people (telegram_id) SELECT ? "
                "WHERE NOT EXISTS (SELECT 1 FROM people WHERE telegram_id = ?)",
                (telegram_id, telegram_id),
            )
            self._db.execute(
                "INSERT OR REPLACE INTO ratings VALUES (?, ?, ?, ?)",
                (telegram_id, title_id, float(rating), int(time.time())),
            )
            self._db.execute(
                "DELETE FROM skips WHERE telegram_id = ? AND title_id = ?", (telegram_id, title_id)
            )
        return self.count(telegram_id)

    def skip(self, telegram_id: int, title_id: str) -> None:
        with self._db:
            self._db.execute("INSERT OR IGNORE INTO skips VALUES (?, ?)", (telegram_id, title_id))

    def ratings(self, telegram_id: int) -> dict[str, float]:
        rows = self._db.execute(
            "SELECT title_id, rating FROM ratings WHERE telegram_id = ? ORDER BY ts, title_id",
            (telegram_id,),
        )
        return {title_id: rating for title_id, rating in rows}

    def seen(self, telegram_id: int) -> set[str]:
        """Titles the person rated or skipped: the rating flow does not offer them again."""
        rows = self._db.execute(
            "SELECT title_id FROM ratings WHERE telegram_id = ? "
            "UNION SELECT title_id FROM skips WHERE telegram_id = ?",
            (telegram_id, telegram_id),
        )
        return {r[0] for r in rows}

    def count(self, telegram_id: int | None = None) -> int:
        if telegram_id is None:
            return self._db.execute("SELECT COUNT(*) FROM ratings").fetchone()[0]
        return self._db.execute(
            "SELECT COUNT(*) FROM ratings WHERE telegram_id = ?", (telegram_id,)
        ).fetchone()[0]

    def people(self) -> int:
        return self._db.execute("SELECT COUNT(DISTINCT telegram_id) FROM ratings").fetchone()[0]

    def export_csv(self, out: Path | str, user_id_base: int = DEFAULT_USER_ID_BASE) -> int:
        """Write every rating in the raw ratings format (userId,rating,timestamp,movieId) so the
        next training can include it; returns the number of rows."""
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        rows = self._db.execute(
            "SELECT p.local_id, r.rating, r.ts, r.title_id FROM ratings r "
            "JOIN people p USING (telegram_id) ORDER BY p.local_id, r.ts, r.title_id"
        ).fetchall()
        tmp = out.with_suffix(out.suffix + ".tmp")
        with tmp.open("w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["userId", "rating", "timestamp", "movieId"])
            for local_id, rating, ts, title_id in rows:
                writer.writerow([user_id_base + local_id, f"{rating:g}", ts, title_id])
        tmp.replace(out)  # atomic: a reader never sees half a file
        return len(rows)


def main(argv: list[str] | None = None) -> int:
    """`python -m bot.ratings_store export --db data/state/ratings.sqlite3 --out FILE`."""
    import argparse

    parser = argparse.ArgumentParser(description="Export the chat ratings for training")
    parser.add_argument("command", choices=["export"])
    parser.add_argument("--db", default="data/state/ratings.sqlite3")
    parser.add_argument("--out", default="data/raw/ratings/telegram_ratings.csv")
    parser.add_argument("--user-id-base", type=int, default=DEFAULT_USER_ID_BASE)
    args = parser.parse_args(argv)
    if not Path(args.db).exists():
        print(f"no ratings database at {args.db}")
        return 1
    try:
        store = RatingsStore(args.db)
    except StoreError as e:
        print(e)
        return 1
    n = store.export_csv(args.out, args.user_id_base)
    store.close()
    print(f"wrote {n} ratings to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
