"""Moving people's state from the SQLite file to PostgreSQL, keeping every person's local number
(the training export's user ids are made of it, so exports before and after the move agree)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import exists, select, text

from .base import StoreError
from .databases import PostgresDatabase, SqliteDatabase
from .schema import (
    alert_outbox,
    blocked_people,
    people,
    person_language,
    person_platforms,
    ratings,
    skips,
    watchlist,
)
from .store import Store, sqlite_store
from .urls import safe_url

# Each person's rows with their history: choices, watchlists (seq keeps their order) and the
# alert outbox with its statuses and leases. Not `serving`/`replicas`: what replicas serve is
# theirs to announce on the server.
TABLES = (
    people,
    ratings,
    skips,
    person_language,
    person_platforms,
    watchlist,
    blocked_people,
    alert_outbox,
)


def copy_sqlite_to_postgres(sqlite_file: Path | str, url: str) -> dict[str, int]:
    """Copy every table into an empty PostgreSQL database (migrated first); returns the rows
    copied per table. Refuses a target that already holds people: merging two stores could
    give two people one number."""
    source = sqlite_store(sqlite_file)  # migrates an old file too
    target = Store(url)  # creates the schema, or says why it cannot
    assert isinstance(source.db, SqliteDatabase) and isinstance(target.db, PostgresDatabase)
    counts: dict[str, int] = {}
    try:
        with source.db.engine.connect() as src, target.db.sync_engine().begin() as dst:
            if dst.execute(select(exists().select_from(people))).scalar():
                raise StoreError(
                    f"{safe_url(url)} already holds people: copy only into an empty database"
                )
            for table in TABLES:
                rows = [row._asdict() for row in src.execute(select(table))]
                if rows:
                    dst.execute(table.insert(), rows)
                counts[table.name] = len(rows)
            # New people draw numbers after the copied ones.
            dst.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('people', 'local_id'), "
                    "GREATEST((SELECT max(local_id) FROM people), 1), "
                    "(SELECT max(local_id) FROM people) IS NOT NULL)"
                )
            )
    except StoreError:
        raise
    except Exception as e:  # any database error: the target's transaction rolled back
        raise StoreError(f"copy to {safe_url(url)} failed, nothing copied: {e}") from e
    finally:
        source.close()
        target.close()
    return counts
