"""The schema brought up to date at start-up: Alembic's migrations (people/migrations/versions/)
applied in order, in one transaction, under a lock, so replicas starting at once apply each
exactly once (PostgreSQL: an advisory lock; SQLite: the write lock of BEGIN IMMEDIATE).

A database from before Alembic (the hand-written SQL migrations, their `schema_version` table)
is adopted by the first revision; one newer than this code -- an Alembic revision it does not
know, or a hand-written version past the last one -- is refused rather than written with an
old idea of the schema.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# pg_advisory_xact_lock key: any constant shared by every replica ("streamrec" in ASCII)
PG_LOCK_KEY = 0x73747265616D
# The last version of the hand-written migrations, per database (adopted by revision 0001)
LEGACY_LAST = {"sqlite": 2, "postgresql": 3}


class SchemaTooNew(Exception):
    """The database was migrated by a newer release than this one."""


def config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head() -> str:
    """The newest revision this code knows."""
    revision = ScriptDirectory.from_config(config()).get_current_head()
    assert revision is not None
    return revision


def current(conn: Connection) -> str | None:
    """The revision the database is at (None: not under Alembic yet)."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _refuse_newer(conn: Connection) -> None:
    script = ScriptDirectory.from_config(config())
    revision = current(conn)
    if revision is not None:
        known = {s.revision for s in script.walk_revisions()}
        if revision not in known:
            raise SchemaTooNew(
                f"the database is at schema revision {revision}, this release knows up to "
                f"{head()}: run the newer release (or restore a backup taken before it)"
            )
    elif inspect(conn).has_table("schema_version"):
        version = conn.execute(text("SELECT COALESCE(MAX(version), 0) FROM schema_version"))
        legacy = int(version.scalar() or 0)
        if legacy > LEGACY_LAST[conn.dialect.name]:
            raise SchemaTooNew(
                f"the database is at schema version {legacy}, this release knows up to "
                f"{LEGACY_LAST[conn.dialect.name]}: run the newer release (or restore a backup "
                "taken before it)"
            )


def upgrade(conn: Connection) -> str:
    """Apply the pending migrations on `conn`, inside its transaction (begun by the caller: on
    SQLite with BEGIN IMMEDIATE, so this holds the write lock); returns the revision now."""
    if conn.dialect.name == "postgresql":
        # Replicas starting together queue here; the lock ends with the transaction.
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})
    _refuse_newer(conn)
    cfg = config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")
    return head()
