"""People's state in SQLite (the embedded default): one file, no server.

WAL mode lets the export (or a backup) read while the bot writes; synchronous=FULL plus an
explicit commit before we answer "saved" means an acknowledged rating is on disk. Telegram
user ids can exceed the int32 `userId` of the ratings files, so each person also gets a small
local number, and the export writes `user_id_base + local` (disjoint from the dataset's ids).

No write runs on the bot's event loop: a write waiting for the lock (another process holding
it, up to `busy_timeout` seconds) would freeze every chat. The `*_async` writes run in one writer
thread with its own connection (a sqlite3 connection must not carry two threads' transactions at
once), so our own writes never queue on SQLite's lock behind each other. A person's own rows
(ratings, language, platforms, watchlist) are read on the loop's own connection: under WAL a
read never waits for a writer, and it costs a few µs where the hop to a worker thread and back
costs over 100 µs of CPU on the bench machine (docs/benchmarks.md, the bot section). The few
moments SQLite shuts readers out too (recovery after a crash, another process in exclusive
locking mode) make that read busy at once; it then goes to a reader thread, which may wait. The
larger reads (counts, status, export, the watchers of a release) run in reader threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from .base import DEFAULT_USER_ID_BASE, StoreError, StoreStatus, write_ratings_csv
from .migrate import SchemaTooNew, migrate_sqlite
from .sqlite_outbox import SqliteOutbox

log = logging.getLogger(__name__)
T = TypeVar("T")

BUSY_TIMEOUT = 5.0  # seconds a write waits for another connection's lock before failing
READER_THREADS = 3
LOOP_BUSY_TIMEOUT_MS = 0  # the loop's reads never wait on a lock: busy goes to a reader thread


def _busy(e: sqlite3.OperationalError) -> bool:
    return getattr(e, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


class RatingsStore(SqliteOutbox):
    """The chat ratings, and (SqliteOutbox, SqlitePeople) the choices, watchlist and alert
    outbox. Plain methods run on the calling thread with that thread's own connection; the
    event loop uses the `*_async` methods (worker threads)."""

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
            self.schema_version = self._migrate(db)
        except SchemaTooNew as e:
            self.close()
            raise StoreError(f"the ratings database {self.path}: {e}") from e
        except sqlite3.DatabaseError as e:
            self.close()
            raise StoreError(
                f"the ratings database {self.path} cannot be used ({e}). Stop the bot, move the "
                f"file aside (mv {self.path} {self.path}.broken; also its -wal and -shm files "
                "if present) to start with an empty store, or restore it from a backup; "
                "`sqlite3 FILE .recover` may save its ratings."
            ) from e

    def _migrate(self, db: sqlite3.Connection) -> int:
        """Apply pending migrations. A file whose header reads but whose pages are damaged
        stays open, unmigrated: /status then shows what quick_check found and every rating
        call fails as "store unavailable", where refusing to start would hide both."""
        try:
            return migrate_sqlite(db)
        except sqlite3.DatabaseError as e:
            try:
                check = [r[0] for r in db.execute("PRAGMA quick_check(1)")]
            except sqlite3.DatabaseError:
                check = [str(e)]
            if check == ["ok"]:
                raise  # an intact file we cannot migrate: refuse it
            log.error("ratings database %s is damaged (%s): not migrated", self.path, check[0])
            return 0

    @property
    def _db(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._connect(int(self.busy_timeout * 1000))
            self._local.db = db
        return db

    def _connect(self, busy_ms: int) -> sqlite3.Connection:
        # check_same_thread=False only so close() may close it from another thread.
        db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        try:
            # the timeout first: the next statement may already meet a lock
            db.execute(f"PRAGMA busy_timeout={busy_ms}")
            db.execute("PRAGMA synchronous=FULL")
        except sqlite3.Error:
            db.close()
            raise
        with self._lock:
            self._connections.append(db)
        return db

    async def _read(self, fn: Callable[..., T], *args: Any) -> T:
        """A read of one person's rows, on the event loop's own connection (module docstring);
        busy at once -> the same read in a reader thread."""
        local = self._local
        own = getattr(local, "db", None)
        try:
            quick = getattr(local, "quick", None)
            if quick is None:
                quick = local.quick = self._connect(LOOP_BUSY_TIMEOUT_MS)
            local.db = quick  # the plain methods read through `_db`
            return fn(*args)
        except sqlite3.OperationalError as e:
            if not _busy(e):
                raise
            log.info("ratings store busy for a read on the event loop (%s): read in a thread", e)
        finally:
            local.db = own
        return await self._run(False, fn, *args)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT. The connection is in autocommit mode (isolation_level
        None), where `with connection:` opens no transaction; IMMEDIATE takes the write lock at
        the start, so two processes writing at once queue instead of failing to upgrade."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            if db.in_transaction:  # some errors (disk full) already rolled back
                db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

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
        return await self._read(self.ratings, telegram_id)

    async def seen_async(self, telegram_id: int) -> set[str]:
        return await self._read(self.seen, telegram_id)

    async def status_async(self) -> StoreStatus:
        return await self._run(False, self.status)

    async def count_async(self, telegram_id: int | None = None) -> int:
        return await self._run(False, self.count, telegram_id)

    async def people_async(self) -> int:
        return await self._run(False, self.people)

    async def export_csv_async(
        self, out: Path | str, user_id_base: int = DEFAULT_USER_ID_BASE
    ) -> int:
        return await self._run(False, self.export_csv, out, user_id_base)

    async def aclose(self) -> None:
        # close() waits for the worker threads: not on the event loop
        await asyncio.to_thread(self.close)

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
        with self._transaction() as db:
            # A person's local number never changes, so exports stay comparable over time.
            db.execute(
                "INSERT INTO people (telegram_id) SELECT ? "
                "WHERE NOT EXISTS (SELECT 1 FROM people WHERE telegram_id = ?)",
                (telegram_id, telegram_id),
            )
            db.execute(
                "INSERT OR REPLACE INTO ratings VALUES (?, ?, ?, ?)",
                (telegram_id, title_id, float(rating), int(time.time())),
            )
            db.execute(
                "DELETE FROM skips WHERE telegram_id = ? AND title_id = ?", (telegram_id, title_id)
            )
        return self.count(telegram_id)

    def skip(self, telegram_id: int, title_id: str) -> None:
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
        rows = self._db.execute(
            "SELECT p.local_id, r.rating, r.ts, r.title_id FROM ratings r "
            "JOIN people p USING (telegram_id) ORDER BY p.local_id, r.ts, r.title_id"
        ).fetchall()
        return write_ratings_csv(out, rows, user_id_base)
