"""Every table of people's state, defined once for both databases (SQLAlchemy Core).

The code builds its statements from these definitions; Alembic's migrations
(people/migrations/versions/) bring a database to them. A new column is one migration, one
`Column` here and the code that reads or writes it (docs/people.md, "A new column").

Telegram ids outgrow int32, hence BigInteger. `local_id` is the small per-person number the
training export's user ids are made of: INTEGER PRIMARY KEY on SQLite (its rowid, numbered by
the database), an identity column on PostgreSQL; never reused (a forgotten person's row stays,
under telegram_id = -local_id).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Double,
    Identity,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    text,
)

metadata = MetaData()

people = Table(
    "people",
    metadata,
    Column(
        "local_id",
        BigInteger().with_variant(Integer, "sqlite"),  # SQLite numbers only INTEGER PRIMARY KEY
        Identity(),
        primary_key=True,
    ),
    Column("telegram_id", BigInteger, nullable=False, unique=True),
)

ratings = Table(
    "ratings",
    metadata,
    Column("telegram_id", BigInteger, primary_key=True),
    Column("title_id", Text, primary_key=True),
    Column("rating", Double, CheckConstraint("rating BETWEEN 0.5 AND 5"), nullable=False),
    Column("ts", BigInteger, nullable=False),
)

# Titles the person skipped in the rating flow: not offered again.
skips = Table(
    "skips",
    metadata,
    Column("telegram_id", BigInteger, primary_key=True),
    Column("title_id", Text, primary_key=True),
)

# Reloads announced to every replica (people/announce.py, PostgreSQL only): the version to
# serve (one row, read by a replica that missed the NOTIFY) and what each replica last loaded.
serving = Table(
    "serving",
    metadata,
    Column("id", Integer, CheckConstraint("id = 1"), primary_key=True, autoincrement=False),
    Column("version", Text, nullable=False),
    Column("announced_at", BigInteger, nullable=False),
)

replicas = Table(
    "replicas",
    metadata,
    Column("replica", Text, primary_key=True),
    Column("version", Text, nullable=False),
    Column("loaded_at", BigInteger, nullable=False),
    Column("error", Text),
)

person_language = Table(
    "person_language",
    metadata,
    Column("telegram_id", BigInteger, primary_key=True, autoincrement=False),
    Column("lang", Text, nullable=False),
)

person_platforms = Table(
    "person_platforms",
    metadata,
    Column("telegram_id", BigInteger, primary_key=True),
    Column("platform", Text, primary_key=True),
)

# seq numbers one person's titles as they were added (watch_add draws it under that person's
# lock), so "oldest first" stays exact when two titles arrive within one clock tick.
watchlist = Table(
    "watchlist",
    metadata,
    Column("telegram_id", BigInteger, primary_key=True),
    Column("title_id", Text, primary_key=True),
    Column("added_at", Double, nullable=False),
    Column("seq", BigInteger, nullable=False, server_default=text("0")),
    Index("watchlist_title", "title_id"),  # who watches a title that just arrived
)

# One row per alert, keyed "<release>:<telegram id>:<title id>" so enqueueing twice (two
# replicas, a restarted run) stores it once. A pending row is due at due_at and free when
# lease_until has passed (a claimer that died leaves its lease to expire: at least once).
alert_outbox = Table(
    "alert_outbox",
    metadata,
    Column("key", Text, primary_key=True),
    Column("telegram_id", BigInteger, nullable=False),
    Column("title_id", Text, nullable=False),
    Column("watched_id", Text, nullable=False),
    Column("platforms", Text, nullable=False),
    Column("release", Text, nullable=False),
    Column(
        "status",
        Text,
        CheckConstraint("status IN ('pending', 'sent', 'failed', 'blocked')"),
        nullable=False,
        server_default=text("'pending'"),
    ),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("due_at", Double, nullable=False),
    Column("lease_owner", Text),
    Column("lease_until", Double, nullable=False, server_default=text("0")),
    Column("last_error", Text),
    Column("created_at", Double, nullable=False),
    Column("sent_at", Double),
    Index("alert_outbox_due", "status", "due_at"),
    Index("alert_outbox_person", "telegram_id"),
)

# People whose private chat answered 403 (they blocked the bot): their alerts are skipped.
blocked_people = Table(
    "blocked_people",
    metadata,
    Column("telegram_id", BigInteger, primary_key=True, autoincrement=False),
    Column("blocked_at", Double, nullable=False),
)

# Every table holding a person's rows by Telegram id, with the kind /deletemydata reports
# (people keeps its row: forget renumbers it).
PERSON_TABLES = {
    "ratings": ratings,
    "skips": skips,
    "language": person_language,
    "platforms": person_platforms,
    "watchlist": watchlist,
    "alerts": alert_outbox,
    "blocked": blocked_people,
}
