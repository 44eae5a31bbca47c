"""People's state (ratings, skips, language, platforms, watchlist, the alert outbox): one
interface, `PeopleStore`, two databases.

`DATABASE_URL` chooses: unset or `sqlite:///path` -> `RatingsStore`, a SQLite file (the
embedded default, `DATA_DIR/state/ratings.sqlite3`); `postgresql://...` -> `PostgresStore`,
shared by several bot replicas. Both apply the versioned migrations in `migrations/` when they
open (docs/deploy.md, "PostgreSQL").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .base import (
    DEFAULT_USER_ID_BASE,
    PeopleStore,
    StoreBusy,
    StoreError,
    StoreFailure,
    StoreStatus,
)
from .records import WATCHLIST_CAP, Alert, PersonData, Watcher, WatchlistFull, alert_key
from .sqlite import RatingsStore

__all__ = [
    "DEFAULT_USER_ID_BASE",
    "WATCHLIST_CAP",
    "Alert",
    "PeopleStore",
    "PersonData",
    "RatingsStore",
    "StoreBusy",
    "StoreError",
    "StoreFailure",
    "StoreStatus",
    "Watcher",
    "WatchlistFull",
    "alert_key",
    "open_store",
    "sqlite_path",
    "store_from_settings",
]

SQLITE_PREFIX = "sqlite:///"
POSTGRES_PREFIXES = ("postgresql://", "postgres://")


def sqlite_path(url: str) -> Path:
    """`sqlite:///relative/path` or `sqlite:////absolute/path` (SQLAlchemy's spelling)."""
    return Path(url[len(SQLITE_PREFIX) :])


def open_store(url: str | None, default_sqlite: Path | str, **pool: Any) -> PeopleStore:
    """The store DATABASE_URL names; `pool` (pool_max, pool_timeout) only matters for
    PostgreSQL. Raises StoreError, with what to do, when it cannot be opened."""
    if not url:
        return RatingsStore(default_sqlite)
    if url.startswith(SQLITE_PREFIX) and len(url) > len(SQLITE_PREFIX):
        return RatingsStore(sqlite_path(url))
    if url.startswith(POSTGRES_PREFIXES):
        from .postgres import PostgresStore  # psycopg loads only when asked for

        return PostgresStore(url, **pool)
    raise StoreError(
        f"DATABASE_URL must start with sqlite:/// (a file) or postgresql:// (a server); "
        f"got {url.split(':', 1)[0]!r}"
    )


def store_from_settings(settings: Any) -> PeopleStore:
    """The bot's store from its Settings (bot/settings.py)."""
    return open_store(
        settings.database_url_value,
        settings.ratings_db,
        pool_max=settings.database_pool_max or settings.bot_concurrency,
        pool_timeout=settings.database_pool_timeout,
    )
