"""People's state in PostgreSQL (DATABASE_URL=postgresql://...), shared by several replicas.

psycopg 3, async, over a psycopg_pool connection pool opened on first use in the bot's event
loop. Every call is one statement in autocommit mode, so each is its own transaction and one
round trip; `add` puts the person, the rating and the un-skip in one statement (data-modifying
CTEs), committed with synchronous_commit=on before it returns -- the rule the SQLite store keeps:
"saved" is said only for a rating on disk.

Every statement is idempotent (an upsert, ON CONFLICT DO NOTHING, a delete or a read), so a call
whose connection broke -- the server restarting, a commit whose answer was lost -- is simply run
again on another connection until `retry_for` seconds have passed: the person waits a little
and nothing is stored twice. Past that, or when every pooled connection stays busy for the pool
timeout, the call raises StoreFailure / StoreBusy, which the bot answers with "the ratings store
is unavailable" while every other command keeps working.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from .base import (
    DEFAULT_USER_ID_BASE,
    StoreBusy,
    StoreError,
    StoreFailure,
    StoreStatus,
    safe_url,
    write_ratings_csv,
)
from .migrate import SchemaTooNew, migrate_postgres
from .postgres_outbox import PostgresOutbox

log = logging.getLogger(__name__)
T = TypeVar("T")

POOL_MAX = 10  # connections per replica; DATABASE_POOL_MAX
POOL_TIMEOUT = 5.0  # seconds a call waits for a free connection; DATABASE_POOL_TIMEOUT
RETRY_FOR = 15.0  # seconds a call keeps retrying a server that went away (a restart: 1-5 s)
CONNECT_TIMEOUT = 5  # seconds, per connection attempt
# psycopg_pool retries a failed connection after 1, 2, 4, 8... s until this many seconds, then
# gives up and starts a new series at the next request. Its default (300 s) lets the gaps grow
# past a minute, so a server back after a long outage could wait that long to be used again;
# 8 s keeps the gap under about 4 s (measured: a server back after 25 s down was used 0.2 s
# later, 4.4 s with the default).
RECONNECT_TIMEOUT = 8.0

ADD = """
WITH person AS (
    INSERT INTO people (telegram_id)
    SELECT %(tid)s WHERE NOT EXISTS (SELECT 1 FROM people WHERE telegram_id = %(tid)s)
    ON CONFLICT (telegram_id) DO NOTHING
), rated AS (
    INSERT INTO ratings (telegram_id, title_id, rating, ts)
    VALUES (%(tid)s, %(title)s, %(rating)s, %(ts)s)
    ON CONFLICT (telegram_id, title_id) DO UPDATE SET rating = EXCLUDED.rating, ts = EXCLUDED.ts
), unskipped AS (
    DELETE FROM skips WHERE telegram_id = %(tid)s AND title_id = %(title)s
)
SELECT count(*) + 1 FROM ratings WHERE telegram_id = %(tid)s AND title_id <> %(title)s
"""
# The count reads the snapshot before this statement's own rating: the others, plus this one.
# (WHERE NOT EXISTS keeps a returning person from drawing a local number at every rating.)
SKIP = "INSERT INTO skips VALUES (%s, %s) ON CONFLICT DO NOTHING"
RATINGS = "SELECT title_id, rating FROM ratings WHERE telegram_id = %s ORDER BY ts, title_id"
SEEN = (
    "SELECT title_id FROM ratings WHERE telegram_id = %s "
    "UNION SELECT title_id FROM skips WHERE telegram_id = %s"
)
EXPORT = (
    "SELECT p.local_id, r.rating, r.ts, r.title_id FROM ratings r "
    "JOIN people p USING (telegram_id) ORDER BY p.local_id, r.ts, r.title_id"
)


class PostgresStore(PostgresOutbox):
    """The people's-state store (people.base.PeopleStore) on a PostgreSQL server; the choices,
    watchlist and alert outbox are in postgres_people.py and postgres_outbox.py."""

    def __init__(
        self,
        url: str,
        pool_max: int = POOL_MAX,
        pool_timeout: float = POOL_TIMEOUT,
        retry_for: float = RETRY_FOR,
        connect_timeout: int = CONNECT_TIMEOUT,
    ) -> None:
        self.url = url
        self.pool_max = pool_max
        self.pool_timeout = pool_timeout
        self.retry_for = retry_for
        # synchronous_commit=on whatever the server's default: an acknowledged rating is on
        # the server's disk, as with SQLite's synchronous=FULL.
        self._kwargs: dict[str, Any] = {
            "autocommit": True,
            "connect_timeout": connect_timeout,
            "options": "-c synchronous_commit=on",
            "application_name": "streamrec",
        }
        self.pending_writes = 0
        self.in_use = 0  # pooled connections our calls hold right now
        self._reconnect_timeout = RECONNECT_TIMEOUT
        self._pool: AsyncConnectionPool | None = None
        self._opening = asyncio.Lock()
        self.schema_version = self._migrate()

    def _migrate(self) -> int:
        """At start-up, synchronously (before any event loop): a server that refuses us stops
        the bot with one clear line rather than failing every chat later."""
        try:
            with psycopg.connect(self.url, **self._kwargs) as conn:
                return migrate_postgres(conn)
        except SchemaTooNew as e:
            raise StoreError(f"the PostgreSQL database {safe_url(self.url)}: {e}") from e
        except psycopg.Error as e:
            raise StoreError(
                f"cannot use the PostgreSQL database {safe_url(self.url)} "
                f"({str(e).strip() or type(e).__name__}). Check that the server runs and "
                "DATABASE_URL (host, port, user, password, database name); unset DATABASE_URL "
                "to use the SQLite file instead."
            ) from e

    async def _get_pool(self) -> AsyncConnectionPool:
        async with self._opening:
            if self._pool is None:
                pool = AsyncConnectionPool(
                    self.url,
                    min_size=1,
                    max_size=self.pool_max,
                    timeout=self.pool_timeout,
                    kwargs=self._kwargs,
                    open=False,
                    name="streamrec-people",
                    reconnect_timeout=self._reconnect_timeout,
                )
                await pool.open(wait=False)  # connections come as needed, even while down
                self._pool = pool
        return self._pool

    @staticmethod
    def _troubles(pool: AsyncConnectionPool) -> int:
        """Failed connection attempts plus broken connections returned, so far."""
        stats = pool.get_stats()
        return stats.get("connections_errors", 0) + stats.get("returns_bad", 0)

    async def _call(
        self, write: bool, fn: Callable[[psycopg.AsyncConnection], Awaitable[T]], retry: bool = True
    ) -> T:
        """Run fn on a pooled connection; retry while the server is away (see the module)."""
        pool = await self._get_pool()
        deadline = time.monotonic() + (self.retry_for if retry else 0.0)
        self.pending_writes += write
        try:
            attempt = 0
            while True:
                troubles = self._troubles(pool)
                try:
                    async with pool.connection() as conn:
                        self.in_use += 1
                        try:
                            return await fn(conn)
                        finally:
                            self.in_use -= 1
                except PoolTimeout as e:
                    # Busy, not away: every connection is in our calls' hands and none failed
                    # while we waited (a restarting server fails connections and returns).
                    if self.in_use >= self.pool_max and self._troubles(pool) == troubles:
                        raise StoreBusy(
                            f"all {self.pool_max} PostgreSQL connections stayed busy for "
                            f"{self.pool_timeout:g} s (DATABASE_POOL_MAX, DATABASE_POOL_TIMEOUT)"
                        ) from e
                    error: Exception = e  # no connection could be made: the server is away
                except psycopg.OperationalError as e:  # connection lost, server shutting down
                    error = e
                except psycopg.Error as e:  # a constraint, a bad value: running again won't help
                    raise StoreFailure(str(e).strip()) from e
                attempt += 1
                if time.monotonic() >= deadline:
                    raise StoreFailure(
                        f"PostgreSQL unavailable ({str(error).strip() or type(error).__name__})"
                    ) from error
                log.warning("PostgreSQL call failed (attempt %d), retrying: %s", attempt, error)
                # The first retry at once (the pool's other connections may be fine), then back
                # off so a restarting server is not hammered.
                await asyncio.sleep(0 if attempt == 1 else min(0.05 * 2**attempt, 1.0))
        finally:
            self.pending_writes -= write

    async def _scalar(self, query: str, params: tuple[Any, ...] | dict[str, Any]) -> Any:
        async def run(conn: psycopg.AsyncConnection) -> Any:
            row = await (await conn.execute(query, params)).fetchone()
            return row[0] if row else None

        return await self._call(False, run)

    async def _rows(self, query: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        async def run(conn: psycopg.AsyncConnection) -> list[tuple[Any, ...]]:
            return await (await conn.execute(query, params)).fetchall()

        return await self._call(False, run)

    # ----- the PeopleStore interface -------------------------------------------------------
    async def add_async(self, telegram_id: int, title_id: str, rating: float) -> int:
        params = {"tid": telegram_id, "title": title_id, "rating": float(rating)}
        params["ts"] = int(time.time())

        async def run(conn: psycopg.AsyncConnection) -> int:
            row = await (await conn.execute(ADD, params)).fetchone()
            return int(row[0]) if row else 0

        return await self._call(True, run)

    async def skip_async(self, telegram_id: int, title_id: str) -> None:
        async def run(conn: psycopg.AsyncConnection) -> None:
            await conn.execute(SKIP, (telegram_id, title_id))

        await self._call(True, run)

    async def ratings_async(self, telegram_id: int) -> dict[str, float]:
        return {t: float(r) for t, r in await self._rows(RATINGS, (telegram_id,))}

    async def seen_async(self, telegram_id: int) -> set[str]:
        return {r[0] for r in await self._rows(SEEN, (telegram_id, telegram_id))}

    async def count_async(self, telegram_id: int | None = None) -> int:
        if telegram_id is None:
            return int(await self._scalar("SELECT count(*) FROM ratings", ()))
        return int(
            await self._scalar(
                "SELECT count(*) FROM ratings WHERE telegram_id = %s", (telegram_id,)
            )
        )

    async def people_async(self) -> int:
        return int(await self._scalar("SELECT count(DISTINCT telegram_id) FROM ratings", ()))

    async def status_async(self) -> StoreStatus:
        """One attempt, no retries: /status answers now, saying what is wrong."""

        async def run(conn: psycopg.AsyncConnection) -> tuple[Any, ...] | None:
            cur = await conn.execute("SELECT count(*), count(DISTINCT telegram_id) FROM ratings")
            return await cur.fetchone()

        try:
            row = await self._call(False, run, retry=False)
        except StoreFailure as e:
            return StoreStatus(False, None, None, f"PostgreSQL: {e}")
        assert row is not None
        return StoreStatus(True, int(row[0]), int(row[1]), "ok")

    async def export_csv_async(
        self, out: Path | str, user_id_base: int = DEFAULT_USER_ID_BASE
    ) -> int:
        rows = await self._rows(EXPORT, ())
        return await asyncio.to_thread(write_ratings_csv, out, rows, user_id_base)

    async def aclose(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
