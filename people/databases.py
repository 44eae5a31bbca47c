"""How the store's calls run on each database: the connections, the transactions, the threads or
the event loop, and what a failure becomes. The statements themselves are people/queries.py.

**SQLite** (the embedded default: one file, no server). WAL lets the export (or a backup) read
while the bot writes; synchronous=FULL plus a commit before we answer "saved" means an
acknowledged rating is on disk. The driver runs in autocommit mode and we begin transactions
ourselves: BEGIN IMMEDIATE for writes (the write lock first, so two processes writing queue
instead of failing to upgrade a read lock), plain BEGIN for reads that need one snapshot.

No write runs on the bot's event loop: a write waiting for the lock (another process holding
it, up to `busy_timeout` seconds) would freeze every chat. Writes run in one writer thread with
its own connection, so our own writes never queue on SQLite's lock behind each other. A
person's own rows (ratings, language, platforms, watchlist) are read on the loop's own
connection: under WAL a read never waits for a writer, and it costs a few µs where the hop to a
worker thread and back costs over 100 µs of CPU on the bench machine (docs/benchmarks.md, the
bot section). The few moments SQLite shuts readers out too (recovery after a crash, another
process in exclusive locking mode) make that read busy at once (busy_timeout 0 on that
connection); it then goes to a reader thread, which may wait. The larger reads (counts, status,
export, the watchers of a release, /mydata) run in reader threads.

**PostgreSQL** (DATABASE_URL=postgresql://..., shared by several replicas). SQLAlchemy's asyncio
engine over psycopg 3: a pool opened on first use in the bot's event loop, no threads; each call
is one transaction, committed with synchronous_commit=on before it returns (the SQLite rule:
"saved" is said only for a rating on disk). Every call is idempotent (upserts, ON CONFLICT DO
NOTHING, deletes, reads; a lease claimed twice comes back when it expires), so a call whose
connection broke -- the server restarting, a commit whose answer was lost -- is simply run again
on another connection until `retry_for` seconds have passed: the person waits a little and
nothing is stored twice. Past that, or when every pooled connection stays busy for the pool
timeout, the call raises StoreFailure / StoreBusy, which the bot answers with "the ratings store
is unavailable" while every other command keeps working.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, NullPool, create_engine, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from .base import StoreBusy, StoreError, StoreFailure
from .migrate import SchemaTooNew, upgrade
from .urls import safe_url, sqlalchemy_url

log = logging.getLogger(__name__)
T = TypeVar("T")
Op = Callable[..., T]  # a function of people/queries.py: (Connection, *args) -> T

BUSY_TIMEOUT = 5.0  # seconds a SQLite write waits for another connection's lock before failing
READER_THREADS = 3
POOL_MAX = 10  # PostgreSQL connections per process; DATABASE_POOL_MAX
POOL_TIMEOUT = 5.0  # seconds a call waits for a free connection; DATABASE_POOL_TIMEOUT
RETRY_FOR = 15.0  # seconds a call keeps retrying a server that went away (a restart: 1-5 s)
CONNECT_TIMEOUT = 5  # seconds, per connection attempt


def _failure(e: Exception) -> StoreFailure:
    cause = getattr(e, "orig", None) or e
    return StoreFailure(str(cause).strip() or type(cause).__name__)


def _driver(conn: Connection) -> sqlite3.Connection:
    """The sqlite3 connection under a SQLAlchemy one: for the PRAGMAs that must run outside a
    transaction (SQLAlchemy would begin one first)."""
    driver = conn.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    return driver


def _busy(e: sa_exc.DBAPIError) -> bool:
    code = getattr(e.orig, "sqlite_errorcode", None)
    return code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


class SqliteDatabase:
    """One SQLite file: a connection per thread (a sqlite3 connection must not carry two
    threads' transactions at once), one writer thread, reader threads, the loop's own."""

    def __init__(self, path: Path | str, busy_timeout: float = BUSY_TIMEOUT) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout  # read when a connection opens
        self.pending_writes = 0  # writes submitted and not finished (read on the loop only)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # NullPool: every thread keeps the one Connection it opened (_local) until close()
        self.engine = create_engine("sqlite://", creator=self._open, poolclass=NullPool)
        self.loop_engine = create_engine("sqlite://", creator=self._open_loop, poolclass=NullPool)
        # Our own BEGIN (the driver's autocommit mode issues none): IMMEDIATE when writing.
        event.listen(self.engine, "begin", self._begin)
        self._local = threading.local()
        self._connections: list[Connection] = []
        self._lock = threading.Lock()
        self._writer: ThreadPoolExecutor | None = None
        self._readers: ThreadPoolExecutor | None = None

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    def _open(self, busy_ms: int | None = None) -> sqlite3.Connection:
        ms = int(self.busy_timeout * 1000) if busy_ms is None else busy_ms
        # check_same_thread=False only so close() may close it from another thread.
        db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        try:
            # the timeout first: the next statement may already meet a lock
            db.execute(f"PRAGMA busy_timeout={ms}")
            db.execute("PRAGMA synchronous=FULL")
        except sqlite3.Error:
            db.close()
            raise
        return db

    def _open_loop(self) -> sqlite3.Connection:
        return self._open(0)  # the loop never waits on a lock: busy goes to a reader thread

    @staticmethod
    def _begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("people_write", True)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    def migrate(self) -> str | None:
        """WAL, then the migrations. A file whose header reads but whose pages are damaged
        stays open, unmigrated (None): /status then shows what quick_check found and every
        store call fails as "store unavailable", where refusing to start would hide both."""
        try:
            conn = self._connection()
            _driver(conn).execute("PRAGMA journal_mode=WAL")  # outside any transaction
            try:
                with conn.begin():
                    return upgrade(conn)
            except (sa_exc.DBAPIError, sqlite3.DatabaseError):
                check = self.integrity(conn, 1)
                if check == ["ok"]:
                    raise  # an intact file we cannot migrate: refuse it
                log.error("ratings database %s is damaged (%s): not migrated", self.path, check[0])
                return None
        except SchemaTooNew as e:
            self.close()
            raise StoreError(f"the ratings database {self.path}: {e}") from e
        except (sa_exc.DBAPIError, sqlite3.DatabaseError) as e:
            self.close()
            cause = getattr(e, "orig", None) or e
            raise StoreError(
                f"the ratings database {self.path} cannot be used ({cause}). Stop the bot, move "
                f"the file aside (mv {self.path} {self.path}.broken; also its -wal and -shm "
                "files if present) to start with an empty store, or restore it from a backup; "
                "`sqlite3 FILE .recover` may save its ratings."
            ) from e

    @staticmethod
    def integrity(conn: Connection, limit: int = 5) -> list[str]:
        """PRAGMA quick_check's rows, read outside any transaction (no lock waited for)."""
        try:
            rows = _driver(conn).execute(f"PRAGMA quick_check({limit})").fetchall()
            return [str(r[0]) for r in rows] or ["?"]
        except sqlite3.DatabaseError as e:
            return [str(e)]

    def _connection(self) -> Connection:
        """This thread's connection (the loop's own while `point` reads), opened on first use."""
        conn: Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self.engine.connect()
            with self._lock:
                self._connections.append(conn)
            self._local.conn = conn
        return conn

    # ----- running a call ---------------------------------------------------------------------
    def call(self, write: bool, op: Op[T], *args: Any) -> T:
        """`op` in one transaction on this thread's connection; committed when this returns."""
        try:
            conn = self._connection()
            conn.execution_options(people_write=write)
            with conn.begin():
                return op(conn, *args)
        except (sa_exc.DBAPIError, sqlite3.DatabaseError) as e:
            raise _failure(e) from e

    async def write(self, op: Op[T], *args: Any) -> T:
        return await self._in_thread(True, op, *args)

    async def read(self, op: Op[T], *args: Any, snapshot: bool = False) -> T:
        # a reader thread's call is one transaction: one snapshot whatever `snapshot` says
        return await self._in_thread(False, op, *args)

    async def point(self, op: Op[T], *args: Any) -> T:
        """A read of one person's rows, on the event loop's own connection (module docstring):
        one statement, no BEGIN (its own read transaction); busy at once -> a reader thread."""
        local = self._local
        conn: Connection | None = getattr(local, "loop_conn", None)
        try:
            if conn is None:
                conn = local.loop_conn = self.loop_engine.connect()
                with self._lock:
                    self._connections.append(conn)
            return op(conn, *args)
        except sa_exc.DBAPIError as e:
            if not (isinstance(e, sa_exc.OperationalError) and _busy(e)):
                raise _failure(e) from e
            log.info("ratings store busy for a read on the event loop (%s): read in a thread", e)
        except sqlite3.DatabaseError as e:
            raise _failure(e) from e
        return await self._in_thread(False, op, *args)

    async def _in_thread(self, write: bool, op: Op[T], *args: Any) -> T:
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
            return await loop.run_in_executor(pool, functools.partial(self.call, write, op, *args))
        finally:
            self.pending_writes -= write

    def check(self) -> str:
        """PRAGMA quick_check's verdict ("ok", or the first problems), on this thread."""
        try:
            conn = self._connection()
        except (sa_exc.DBAPIError, sqlite3.DatabaseError) as e:
            return str(getattr(e, "orig", None) or e)
        return "; ".join(self.integrity(conn))

    async def check_async(self) -> str:
        with self._lock:
            if self._readers is None:
                self._readers = ThreadPoolExecutor(
                    READER_THREADS, thread_name_prefix="ratings-read"
                )
                self._writer = ThreadPoolExecutor(1, thread_name_prefix="ratings-write")
        return await asyncio.get_running_loop().run_in_executor(self._readers, self.check)

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
        for conn in connections:
            conn.close()
        self._local = threading.local()


class PostgresDatabase:
    """A PostgreSQL server through SQLAlchemy's asyncio engine (psycopg 3)."""

    def __init__(
        self,
        url: str,
        pool_max: int = POOL_MAX,
        pool_timeout: float = POOL_TIMEOUT,
        retry_for: float = RETRY_FOR,
        connect_timeout: int = CONNECT_TIMEOUT,
        synchronous_commit: bool = True,
    ) -> None:
        self.url = url
        self.pool_max = pool_max
        self.pool_timeout = pool_timeout
        self.retry_for = retry_for
        # synchronous_commit=on whatever the server's default: an acknowledged rating is on
        # the server's disk, as with SQLite's synchronous=FULL (the store bench turns it off to
        # show what the flush costs).
        self.connect_args: dict[str, Any] = {
            "connect_timeout": connect_timeout,
            "options": f"-c synchronous_commit={'on' if synchronous_commit else 'off'}",
            "application_name": "streamrec",
        }
        self.pending_writes = 0
        self.in_use = 0  # pooled connections our calls hold right now
        self._engine: AsyncEngine | None = None
        self._sync: Engine | None = None

    def migrate(self) -> str | None:
        """At start-up, synchronously (before any event loop): a server that refuses us stops
        the bot with one clear line rather than failing every chat later."""
        try:
            with self.sync_engine().begin() as conn:
                return upgrade(conn)
        except SchemaTooNew as e:
            raise StoreError(f"the PostgreSQL database {safe_url(self.url)}: {e}") from e
        except sa_exc.DBAPIError as e:
            cause = str(e.orig).strip() or type(e.orig).__name__
            raise StoreError(
                f"cannot use the PostgreSQL database {safe_url(self.url)} ({cause}). Check that "
                "the server runs and DATABASE_URL (host, port, user, password, database name); "
                "unset DATABASE_URL to use the SQLite file instead."
            ) from e

    def sync_engine(self) -> Engine:
        """For start-up, scripts and tests (no pool: a connection per use)."""
        if self._sync is None:
            self._sync = create_engine(
                sqlalchemy_url(self.url), poolclass=NullPool, connect_args=self.connect_args
            )
        return self._sync

    def engine(self) -> AsyncEngine:
        """The pool, made on first use inside the event loop that uses it."""
        if self._engine is None:
            self._engine = create_async_engine(
                sqlalchemy_url(self.url),
                pool_size=self.pool_max,
                max_overflow=0,
                pool_timeout=self.pool_timeout,
                connect_args=self.connect_args,
            )
        return self._engine

    def call(self, write: bool, op: Op[T], *args: Any) -> T:
        try:
            with self.sync_engine().begin() as conn:
                return op(conn, *args)
        except sa_exc.DBAPIError as e:
            raise _failure(e) from e

    async def write(self, op: Op[T], *args: Any) -> T:
        return await self._run(True, op, *args)

    async def read(self, op: Op[T], *args: Any, snapshot: bool = False) -> T:
        return await self._run(False, op, *args, snapshot=snapshot)

    async def point(self, op: Op[T], *args: Any) -> T:
        return await self._run(False, op, *args)

    async def _run(
        self, write: bool, op: Op[T], *args: Any, snapshot: bool = False, retry: bool = True
    ) -> T:
        """`op` in one transaction on a pooled connection; retried while the server is away."""
        engine = self.engine()
        deadline = time.monotonic() + (self.retry_for if retry else 0.0)
        self.pending_writes += write
        try:
            attempt = 0
            while True:
                try:
                    async with engine.connect() as conn:
                        self.in_use += 1
                        try:
                            if snapshot:  # one snapshot for every statement
                                await conn.execution_options(isolation_level="REPEATABLE READ")
                            async with conn.begin():
                                return await conn.run_sync(op, *args)
                        finally:
                            self.in_use -= 1
                except sa_exc.TimeoutError as e:
                    # Busy, not away: every connection is in our calls' hands.
                    if self.in_use >= self.pool_max:
                        raise StoreBusy(
                            f"all {self.pool_max} PostgreSQL connections stayed busy for "
                            f"{self.pool_timeout:g} s (DATABASE_POOL_MAX, DATABASE_POOL_TIMEOUT)"
                        ) from e
                    error: Exception = e
                except sa_exc.DBAPIError as e:
                    # connection lost, server shutting down or refusing: run it again
                    if not (isinstance(e, sa_exc.OperationalError) or e.connection_invalidated):
                        raise _failure(e) from e  # a constraint, a bad value: again won't help
                    error = e
                attempt += 1
                if time.monotonic() >= deadline:
                    cause = getattr(error, "orig", None) or error
                    raise StoreFailure(
                        f"PostgreSQL unavailable ({str(cause).strip() or type(cause).__name__})"
                    ) from error
                log.warning("PostgreSQL call failed (attempt %d), retrying: %s", attempt, error)
                # The first retry at once (the pool's other connections may be fine), then back
                # off so a restarting server is not hammered.
                await asyncio.sleep(0 if attempt == 1 else min(0.05 * 2**attempt, 1.0))
        finally:
            self.pending_writes -= write

    def check(self) -> str:
        return "ok"  # the server keeps its pages; reaching it is what /status checks

    async def check_async(self) -> str:
        """One attempt, no retries: /status answers now, saying what is wrong."""
        try:
            await self._run(False, _ping, retry=False)
        except StoreFailure as e:
            return f"PostgreSQL: {e}"
        return "ok"

    async def aclose(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None

    def close(self) -> None:
        if self._sync is not None:
            self._sync.dispose()
            self._sync = None


def _ping(conn: Connection) -> None:
    conn.execute(text("SELECT 1"))
