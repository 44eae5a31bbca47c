"""Versioned schema changes: `migrations/<dialect>/NNNN_name.sql`, applied in order at start-up.

Each store records what it applied in a `schema_version` table and applies only newer files,
each in one transaction with its version row, under a lock, so replicas starting at once apply
every migration exactly once. A database newer than this code (a rollback of the bot) is
refused rather than written with an old idea of the schema.
"""

from __future__ import annotations

import re
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
# pg_advisory_xact_lock key: any constant shared by every replica ("streamrec" in ASCII)
PG_LOCK_KEY = 0x73747265616D


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


class SchemaTooNew(Exception):
    """The database was migrated by a newer release than this one."""


def migrations(dialect: str) -> list[Migration]:
    """The migration files of one dialect ("sqlite" or "postgresql"), by version."""
    found = []
    for path in sorted((MIGRATIONS / dialect).glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise ValueError(f"migration file {path} is not named NNNN_name.sql")
        found.append(Migration(int(match[1]), match[2], path.read_text()))
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise ValueError(f"migrations in {MIGRATIONS / dialect} must be numbered 1, 2, 3...")
    return found


def _too_new(current: int, known: list[Migration]) -> None:
    if current > len(known):
        raise SchemaTooNew(
            f"the database is at schema version {current}, this release knows up to "
            f"{len(known)}: run the newer release (or restore a backup taken before it)"
        )


def _statements(sql: str) -> list[str]:
    """Split a script into statements (sqlite3.complete_statement knows quotes and comments),
    so they run inside our transaction: executescript would commit first."""
    out, buf = [], ""
    for line in sql.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip() and not buf.strip().startswith("--"):
        out.append(buf.strip())
    return out


def migrate_sqlite(db: sqlite3.Connection) -> int:
    """Apply pending migrations on an autocommit connection; returns the schema version."""
    known = migrations("sqlite")
    db.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
        "name TEXT NOT NULL, applied_at INTEGER NOT NULL)"
    )
    db.execute("BEGIN IMMEDIATE")  # the write lock: another process migrating waits here
    try:
        current = db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0]
        _too_new(current, known)
        for m in known[current:]:
            for statement in _statements(m.sql):
                db.execute(statement)
            db.execute(
                "INSERT INTO schema_version VALUES (?, ?, ?)", (m.version, m.name, int(time.time()))
            )
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    return max(current, len(known))


def migrate_postgres(conn: Any) -> int:
    """Apply pending migrations through a psycopg (sync) connection; returns the version."""
    known = migrations("postgresql")
    with conn.transaction():
        # Replicas starting together queue here; the lock ends with the transaction.
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (PG_LOCK_KEY,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
            "name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
        )
        row = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()
        current = row[0]
        _too_new(current, known)
        for m in known[current:]:
            conn.execute(m.sql.encode())  # no parameters: the whole file in one simple query
            conn.execute(
                "INSERT INTO schema_version VALUES (%s, %s, %s)",
                (m.version, m.name, int(time.time())),
            )
    return max(current, len(known))
