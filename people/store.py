"""People's state -- ratings and skips, language, platforms, watchlist, the alert outbox --
in one store over SQLite or PostgreSQL (DATABASE_URL), on SQLAlchemy Core.

`Store` binds each call of the interface (people/base.py PeopleStore) to its statements
(people/queries.py) and says how it runs: a write, a wide read, or a read of one person's rows
(on SQLite the last runs on the event loop's own connection; people/databases.py says why). The
schema is migrated when the store opens (people/migrate.py). Every database failure reaches the
caller as StoreFailure (or StoreBusy), whichever database it came from.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

from . import queries as q
from .base import DEFAULT_USER_ID_BASE, StoreError, StoreFailure, StoreStatus, write_ratings_csv
from .databases import (
    BUSY_TIMEOUT,
    CONNECT_TIMEOUT,
    POOL_MAX,
    POOL_TIMEOUT,
    RETRY_FOR,
    PostgresDatabase,
    SqliteDatabase,
)
from .records import WATCHLIST_CAP, Alert, PersonData, Watcher, check_language, check_platforms
from .urls import SQLITE_PREFIX, is_postgres, sqlite_path


class Store:
    """The people's-state store (people.base.PeopleStore). The `*_async` methods are what the
    bot awaits; the plain ones (ratings, add, export...) run on the calling thread, for scripts
    and tests."""

    watchlist_cap: int = WATCHLIST_CAP

    def __init__(
        self,
        url: str,
        *,
        busy_timeout: float = BUSY_TIMEOUT,
        pool_max: int = POOL_MAX,
        pool_timeout: float = POOL_TIMEOUT,
        retry_for: float = RETRY_FOR,
        connect_timeout: int = CONNECT_TIMEOUT,
        synchronous_commit: bool = True,
    ) -> None:
        self.db: SqliteDatabase | PostgresDatabase
        if is_postgres(url):
            self.db = PostgresDatabase(
                url, pool_max, pool_timeout, retry_for, connect_timeout, synchronous_commit
            )
        elif url.startswith(SQLITE_PREFIX) and len(url) > len(SQLITE_PREFIX):
            self.db = SqliteDatabase(sqlite_path(url), busy_timeout)
        else:
            raise StoreError(
                f"DATABASE_URL must start with sqlite:/// (a file) or postgresql:// (a server); "
                f"got {url.split(':', 1)[0]!r}"
            )
        self.url = url
        # the Alembic revision the schema is at (None: a damaged SQLite file left unmigrated)
        self.schema_version = self.db.migrate()

    # ----- what callers read about the store ---------------------------------------------------
    @property
    def pending_writes(self) -> int:
        """Writes submitted and not finished (read on the event loop)."""
        return self.db.pending_writes

    @property
    def path(self) -> Path:
        """The SQLite file (a PostgreSQL store has none)."""
        if not isinstance(self.db, SqliteDatabase):
            raise AttributeError("a PostgreSQL store has no file")
        return self.db.path

    @property
    def busy_timeout(self) -> float:
        return self.db.busy_timeout if isinstance(self.db, SqliteDatabase) else 0.0

    @busy_timeout.setter
    def busy_timeout(self, seconds: float) -> None:
        """SQLite: how long a connection opened from now on waits for a lock."""
        if isinstance(self.db, SqliteDatabase):
            self.db.busy_timeout = seconds

    # ----- plain calls, on this thread -----------------------------------------------------------
    def add(self, telegram_id: int, title_id: str, rating: float) -> int:
        """Store (or replace) one rating, committed when this returns; how many the person has."""
        return self.db.call(True, q.add, telegram_id, title_id, float(rating), int(time.time()))

    def skip(self, telegram_id: int, title_id: str) -> None:
        self.db.call(True, q.skip, telegram_id, title_id)

    def ratings(self, telegram_id: int) -> dict[str, float]:
        return self.db.call(False, q.person_ratings, telegram_id)

    def seen(self, telegram_id: int) -> set[str]:
        return self.db.call(False, q.seen, telegram_id)

    def count(self, telegram_id: int | None = None) -> int:
        return self.db.call(False, q.count, telegram_id)

    def people(self) -> int:
        return self.db.call(False, q.people_count)

    def set_language(self, telegram_id: int, lang: str) -> None:
        self.db.call(True, q.set_language, telegram_id, check_language(lang))

    def language(self, telegram_id: int) -> str | None:
        return self.db.call(False, q.language, telegram_id)

    def export_csv(self, out: Path | str, user_id_base: int = DEFAULT_USER_ID_BASE) -> int:
        """Every rating in the raw ratings format (userId,rating,timestamp,movieId), so the next
        training can include it; returns the number of rows."""
        return write_ratings_csv(out, self.db.call(False, q.export_rows), user_id_base)

    def status(self) -> StoreStatus:
        """Counts and the database's own check: never raises (/status must answer even when the
        database is damaged or away)."""
        check = self.db.check()
        try:
            ratings, people = self.count(), self.people()
        except StoreFailure as e:
            return StoreStatus(False, None, None, check if check != "ok" else str(e))
        return StoreStatus(check == "ok", ratings, people, check)

    # ----- ratings, off the event loop ------------------------------------------------------------
    async def add_async(self, telegram_id: int, title_id: str, rating: float) -> int:
        return await self.db.write(q.add, telegram_id, title_id, float(rating), int(time.time()))

    async def skip_async(self, telegram_id: int, title_id: str) -> None:
        await self.db.write(q.skip, telegram_id, title_id)

    async def ratings_async(self, telegram_id: int) -> dict[str, float]:
        return await self.db.point(q.person_ratings, telegram_id)

    async def seen_async(self, telegram_id: int) -> set[str]:
        return await self.db.point(q.seen, telegram_id)

    async def count_async(self, telegram_id: int | None = None) -> int:
        return await self.db.read(q.count, telegram_id)

    async def people_async(self) -> int:
        return await self.db.read(q.people_count)

    async def status_async(self) -> StoreStatus:
        check = await self.db.check_async()
        if isinstance(self.db, PostgresDatabase) and check != "ok":
            return StoreStatus(False, None, None, check)  # away: no counts to wait for
        try:
            ratings, people = await self.count_async(), await self.people_async()
        except StoreFailure as e:
            return StoreStatus(False, None, None, check if check != "ok" else str(e))
        return StoreStatus(check == "ok", ratings, people, check)

    async def export_csv_async(
        self, out: Path | str, user_id_base: int = DEFAULT_USER_ID_BASE
    ) -> int:
        rows = await self.db.read(q.export_rows)
        return await asyncio.to_thread(write_ratings_csv, out, rows, user_id_base)

    # ----- what a person chose, their watchlist, /mydata and /deletemydata -----------------------
    async def set_language_async(self, telegram_id: int, lang: str) -> None:
        await self.db.write(q.set_language, telegram_id, check_language(lang))

    async def language_async(self, telegram_id: int) -> str | None:
        return await self.db.point(q.language, telegram_id)

    async def set_platforms_async(self, telegram_id: int, platforms: set[str]) -> None:
        await self.db.write(q.set_platforms, telegram_id, check_platforms(platforms))

    async def platforms_async(self, telegram_id: int) -> set[str]:
        return await self.db.point(q.platforms, telegram_id)

    async def watch_add_async(self, telegram_id: int, title_id: str) -> bool:
        """True when added, False when already there; WatchlistFull at the cap. (A retry after
        a lost commit finds the title there and says False.)"""
        return await self.db.write(
            q.watch_add, telegram_id, title_id, time.time(), self.watchlist_cap
        )

    async def watch_remove_async(self, telegram_id: int, title_id: str) -> bool:
        return await self.db.write(q.watch_remove, telegram_id, title_id)

    async def watchlist_async(self, telegram_id: int) -> list[str]:
        return await self.db.point(q.person_watchlist, telegram_id)

    async def watchers_async(self, title_ids: Collection[str]) -> list[Watcher]:
        return await self.db.read(q.watchers, list(title_ids))

    async def describe_async(self, telegram_id: int) -> PersonData:
        return await self.db.read(q.describe, telegram_id, snapshot=True)

    async def forget_async(self, telegram_id: int) -> dict[str, int]:
        return await self.db.write(q.forget, telegram_id)

    # ----- the alert outbox (at-least-once; people/records.py) -----------------------------------
    async def enqueue_alerts_async(self, alerts: Iterable[Alert]) -> int:
        return await self.db.write(q.enqueue_alerts, list(alerts), time.time())

    async def claim_alerts_async(
        self, limit: int, owner: str, lease_s: float, now: float | None = None
    ) -> list[Alert]:
        now = time.time() if now is None else now
        return await self.db.write(q.claim_alerts, limit, owner, lease_s, now)

    async def mark_sent_async(self, key: str) -> None:
        await self.db.write(q.mark_sent, key, time.time())

    async def mark_failed_async(self, key: str, error: str, retry_at: float | None) -> None:
        await self.db.write(q.mark_failed, key, error, retry_at)

    async def mark_blocked_async(self, telegram_id: int) -> int:
        return await self.db.write(q.mark_blocked, telegram_id, time.time())

    async def unblock_async(self, telegram_id: int) -> bool:
        return await self.db.write(q.unblock, telegram_id, time.time())

    async def outbox_counts_async(self) -> dict[str, int]:
        return await self.db.read(q.outbox_counts)

    # ----- closing -------------------------------------------------------------------------------
    async def aclose(self) -> None:
        await self.db.aclose()
        self.db.close()

    def close(self) -> None:
        self.db.close()


def sqlite_store(path: Path | str, **options: Any) -> Store:
    """The store in a SQLite file."""
    return Store(f"{SQLITE_PREFIX}{path}", **options)


def open_store(url: str | None, default_sqlite: Path | str, **pool: Any) -> Store:
    """The store DATABASE_URL names (unset: the SQLite file `default_sqlite`); `pool`
    (pool_max, pool_timeout) only matters for PostgreSQL. Raises StoreError, with what to do,
    when it cannot be opened."""
    if not url:
        return sqlite_store(default_sqlite)
    if url.startswith(SQLITE_PREFIX):
        return Store(url)
    return Store(url, **pool)


def store_from_settings(settings: Any) -> Store:
    """The bot's store from its settings (people/settings.py StoreSettings and the bot's
    concurrency, one connection per update in flight)."""
    return open_store(
        settings.database_url_value,
        settings.ratings_db,
        pool_max=settings.database_pool_max or settings.bot_concurrency,
        pool_timeout=settings.database_pool_timeout,
    )
