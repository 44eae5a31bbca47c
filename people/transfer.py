"""Moving people's state from the SQLite file to PostgreSQL, keeping every person's local number
(the training export's user ids are made of it, so exports before and after the move agree)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg

from .base import StoreError, safe_url
from .postgres import PostgresStore
from .sqlite import RatingsStore

TABLES = {
    "people": "local_id, telegram_id",
    "ratings": "telegram_id, title_id, rating, ts",
    "skips": "telegram_id, title_id",
    # issue 15: choices, watchlists (in insertion order: PostgreSQL numbers them as they come)
    # and the alert outbox with its statuses and leases
    "person_language": "telegram_id, lang",
    "person_platforms": "telegram_id, platform",
    "watchlist": "telegram_id, title_id, added_at",
    "blocked_people": "telegram_id, blocked_at",
    "alert_outbox": "key, telegram_id, title_id, watched_id, platforms, release, status, "
    "attempts, due_at, lease_owner, lease_until, last_error, created_at, sent_at",
}


def copy_sqlite_to_postgres(sqlite_file: Path | str, url: str) -> dict[str, int]:
    """Copy every table into an empty PostgreSQL database (migrated first); returns the
    rows copied per table. Refuses a target that already holds people: merging two stores
    could give two people one number."""
    source = RatingsStore(sqlite_file)  # migrates an old file too
    PostgresStore(url)  # creates the schema, or says why it cannot
    counts: dict[str, int] = {}
    try:
        with psycopg.connect(url) as conn, conn.transaction():
            if conn.execute("SELECT EXISTS (SELECT 1 FROM people)").fetchone() != (False,):
                raise StoreError(
                    f"{safe_url(url)} already holds people: copy only into an empty database"
                )
            for table, columns in TABLES.items():
                rows = source._db.execute(
                    f"SELECT {columns} FROM {table} ORDER BY rowid"
                ).fetchall()
                with conn.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                counts[table] = len(rows)
            # New people draw numbers after the copied ones.
            conn.execute(
                "SELECT setval(pg_get_serial_sequence('people', 'local_id'), "
                "GREATEST((SELECT max(local_id) FROM people), 1), "
                "(SELECT max(local_id) FROM people) IS NOT NULL)"
            )
    except (psycopg.Error, sqlite3.DatabaseError) as e:
        raise StoreError(f"copy to {safe_url(url)} failed, nothing copied: {e}") from e
    finally:
        source.close()
    return counts
