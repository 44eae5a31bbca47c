"""People's state: ratings and skips, the language and platforms a person chose, their
watchlist, the alert outbox, and the replicas' reload announcements -- one store over SQLite or
PostgreSQL (SQLAlchemy Core, Alembic migrations applied when it opens).

`DATABASE_URL` chooses: unset or `sqlite:///path` -> a SQLite file (the embedded default,
`DATA_DIR/state/ratings.sqlite3`); `postgresql://...` -> a server shared by several bot
replicas (docs/people.md). Imports run one way: front ends (bot/, the conversation, alerts)
import this package; it imports only domain/ and config/ of ours.

The names callers use are gathered here from the modules that hold them (docs/people.md has
the module map); `python -m people` exports the ratings for training or copies SQLite to
PostgreSQL.
"""

from __future__ import annotations

from .base import (
    DEFAULT_USER_ID_BASE,
    PeopleStore,
    StoreBusy,
    StoreError,
    StoreFailure,
    StoreStatus,
)
from .records import WATCHLIST_CAP, Alert, PersonData, Watcher, WatchlistFull, alert_key
from .store import Store, open_store, sqlite_store, store_from_settings
from .urls import sqlite_path

__all__ = [
    "DEFAULT_USER_ID_BASE",
    "WATCHLIST_CAP",
    "Alert",
    "PeopleStore",
    "PersonData",
    "Store",
    "StoreBusy",
    "StoreError",
    "StoreFailure",
    "StoreStatus",
    "Watcher",
    "WatchlistFull",
    "alert_key",
    "open_store",
    "sqlite_path",
    "sqlite_store",
    "store_from_settings",
]
