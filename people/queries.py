"""Every statement people's state runs, once for both databases: functions of a SQLAlchemy
Connection, each one call of the store (people/store.py), run inside one transaction by the
database's runner (people/databases.py).

Where the two databases differ, the difference is named here: the upsert construct (each
dialect's `insert`, the same API), PostgreSQL's per-person advisory lock in watch_add (SQLite's
writes already hold the whole file's write lock), and FOR UPDATE SKIP LOCKED when claiming
alerts (SQLite has no row locks; its claim runs under BEGIN IMMEDIATE, so two claimers queue on
the write lock and the second sees the first one's lease).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    Table,
    bindparam,
    delete,
    exists,
    func,
    literal,
    select,
    union,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from .records import (
    FORGET_KINDS,
    Alert,
    PersonData,
    Watcher,
    WatchlistFull,
    join_platforms,
    split_platforms,
)
from .schema import (
    PERSON_TABLES,
    alert_outbox,
    blocked_people,
    people,
    person_language,
    person_platforms,
    ratings,
    skips,
    watchlist,
)

CHUNK = 500  # ids per IN (...) list or rows per INSERT, well under SQLite's parameter limit
WATCH_LOCK = 0x5741  # pg_advisory_xact_lock(WATCH_LOCK, person): one watch_add per person at once
ALERT_COLUMNS = (
    alert_outbox.c.key,
    alert_outbox.c.telegram_id,
    alert_outbox.c.title_id,
    alert_outbox.c.watched_id,
    alert_outbox.c.platforms,
    alert_outbox.c.release,
    alert_outbox.c.due_at,
    alert_outbox.c.attempts,
)


# The reads of one person's rows, built once: they run on the event loop for every chat (SQLite,
# people/databases.py), and a statement built per call costs ~4x one built once with bound
# parameters (SQLAlchemy then finds its compiled form at once; measured ~100 vs ~25 µs).
TID = bindparam("tid", type_=BigInteger)
RATINGS = (
    select(ratings.c.title_id, ratings.c.rating)
    .where(ratings.c.telegram_id == TID)
    .order_by(ratings.c.ts, ratings.c.title_id)
)
SEEN = union(
    select(ratings.c.title_id).where(ratings.c.telegram_id == TID),
    select(skips.c.title_id).where(skips.c.telegram_id == TID),
)
COUNT = select(func.count()).select_from(ratings).where(ratings.c.telegram_id == TID)
LANGUAGE = select(person_language.c.lang).where(person_language.c.telegram_id == TID)
PLATFORMS = select(person_platforms.c.platform).where(person_platforms.c.telegram_id == TID)
WATCHLIST = (
    select(watchlist.c.title_id)
    .where(watchlist.c.telegram_id == TID)
    .order_by(watchlist.c.added_at, watchlist.c.seq)
)


def _insert(conn: Connection) -> Callable[[Table], Any]:
    """The dialect's INSERT, which knows ON CONFLICT (the same API on both)."""
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def _not_blocked(column: Any) -> Any:
    return ~exists().where(blocked_people.c.telegram_id == column)


# ----- ratings and skips ---------------------------------------------------------------------
def add(conn: Connection, telegram_id: int, title_id: str, rating: float, ts: int) -> int:
    """Store (or replace) one rating and un-skip the title; how many the person has now."""
    insert = _insert(conn)
    # A person's local number never changes, so exports stay comparable over time; WHERE NOT
    # EXISTS keeps a returning person from drawing a number (PostgreSQL's identity would skip
    # one at every rating), ON CONFLICT covers two first ratings racing.
    new_person = select(literal(telegram_id, BigInteger)).where(
        ~exists().where(people.c.telegram_id == telegram_id)
    )
    conn.execute(
        insert(people)
        .from_select(["telegram_id"], new_person)
        .on_conflict_do_nothing(index_elements=["telegram_id"])
    )
    upsert = insert(ratings).values(
        telegram_id=telegram_id, title_id=title_id, rating=rating, ts=ts
    )
    conn.execute(
        upsert.on_conflict_do_update(
            index_elements=["telegram_id", "title_id"],
            set_={"rating": upsert.excluded.rating, "ts": upsert.excluded.ts},
        )
    )
    conn.execute(
        delete(skips).where(skips.c.telegram_id == telegram_id, skips.c.title_id == title_id)
    )
    return count(conn, telegram_id)


def skip(conn: Connection, telegram_id: int, title_id: str) -> None:
    conn.execute(
        _insert(conn)(skips)
        .values(telegram_id=telegram_id, title_id=title_id)
        .on_conflict_do_nothing()
    )


def person_ratings(conn: Connection, telegram_id: int) -> dict[str, float]:
    """The person's ratings, oldest first."""
    rows = conn.execute(RATINGS, {"tid": telegram_id})
    return {title: float(rating) for title, rating in rows}


def seen(conn: Connection, telegram_id: int) -> set[str]:
    """Titles the person rated or skipped."""
    return set(conn.execute(SEEN, {"tid": telegram_id}).scalars())


def count(conn: Connection, telegram_id: int | None = None) -> int:
    if telegram_id is not None:
        return int(conn.execute(COUNT, {"tid": telegram_id}).scalar_one())
    return int(conn.execute(select(func.count()).select_from(ratings)).scalar_one())


def people_count(conn: Connection) -> int:
    """People who rated something."""
    return int(conn.execute(select(func.count(ratings.c.telegram_id.distinct()))).scalar_one())


def export_rows(conn: Connection) -> list[tuple[int, float, int, str]]:
    """(local_id, rating, ts, title_id) of every rating, for the training export."""
    rows = conn.execute(
        select(people.c.local_id, ratings.c.rating, ratings.c.ts, ratings.c.title_id)
        .join(people, people.c.telegram_id == ratings.c.telegram_id)
        .order_by(people.c.local_id, ratings.c.ts, ratings.c.title_id)
    )
    return [(int(a), float(b), int(c), str(d)) for a, b, c, d in rows]


# ----- language and platforms ----------------------------------------------------------------
def set_language(conn: Connection, telegram_id: int, lang: str) -> None:
    upsert = _insert(conn)(person_language).values(telegram_id=telegram_id, lang=lang)
    conn.execute(
        upsert.on_conflict_do_update(
            index_elements=["telegram_id"], set_={"lang": upsert.excluded.lang}
        )
    )


def language(conn: Connection, telegram_id: int) -> str | None:
    lang: str | None = conn.execute(LANGUAGE, {"tid": telegram_id}).scalar()
    return lang


def set_platforms(conn: Connection, telegram_id: int, keys: list[str]) -> None:
    conn.execute(delete(person_platforms).where(person_platforms.c.telegram_id == telegram_id))
    if keys:
        conn.execute(
            person_platforms.insert(), [{"telegram_id": telegram_id, "platform": p} for p in keys]
        )


def platforms(conn: Connection, telegram_id: int) -> set[str]:
    return set(conn.execute(PLATFORMS, {"tid": telegram_id}).scalars())


# ----- watchlist -----------------------------------------------------------------------------
def watch_add(conn: Connection, telegram_id: int, title_id: str, added_at: float, cap: int) -> bool:
    """True when added, False when already there; WatchlistFull at the cap. The count and the
    insert are one person's at a time (see the module docstring), so the cap holds exactly."""
    if conn.dialect.name == "postgresql":
        key = func.mod(literal(telegram_id, BigInteger), 2147483647)
        conn.execute(select(func.pg_advisory_xact_lock(WATCH_LOCK, key.cast(postgresql.INTEGER))))
    mine = watchlist.c.telegram_id == telegram_id
    n, there, last = conn.execute(
        select(
            func.count(),
            func.count().filter(watchlist.c.title_id == title_id),
            func.coalesce(func.max(watchlist.c.seq), 0),
        ).where(mine)
    ).one()
    if there:
        return False
    if n >= cap:
        raise WatchlistFull(telegram_id, cap)
    conn.execute(
        watchlist.insert().values(
            telegram_id=telegram_id, title_id=title_id, added_at=added_at, seq=last + 1
        )
    )
    return True


def watch_remove(conn: Connection, telegram_id: int, title_id: str) -> bool:
    gone = conn.execute(
        delete(watchlist).where(
            watchlist.c.telegram_id == telegram_id, watchlist.c.title_id == title_id
        )
    )
    return gone.rowcount > 0


def person_watchlist(conn: Connection, telegram_id: int) -> list[str]:
    """Title ids, oldest first."""
    return list(conn.execute(WATCHLIST, {"tid": telegram_id}).scalars())


def watchers(conn: Connection, title_ids: Collection[str]) -> list[Watcher]:
    """People (not blocked) watching any of title_ids, with their platforms."""
    watched: dict[int, list[str]] = {}
    for chunk in _chunks(sorted(set(title_ids))):
        rows = conn.execute(
            select(watchlist.c.telegram_id, watchlist.c.title_id)
            .where(watchlist.c.title_id.in_(chunk), _not_blocked(watchlist.c.telegram_id))
            .order_by(watchlist.c.added_at, watchlist.c.seq)
        )
        for tid, title in rows:
            watched.setdefault(int(tid), []).append(title)
    chosen: dict[int, set[str]] = {}
    for chunk in _chunks(sorted(watched)):
        rows = conn.execute(
            select(person_platforms.c.telegram_id, person_platforms.c.platform).where(
                person_platforms.c.telegram_id.in_(chunk)
            )
        )
        for tid, platform in rows:
            chosen.setdefault(int(tid), set()).add(platform)
    return [
        Watcher(tid, tuple(titles), frozenset(chosen.get(tid, ())))
        for tid, titles in sorted(watched.items())
    ]


# ----- /mydata and /deletemydata -------------------------------------------------------------
def describe(conn: Connection, telegram_id: int) -> PersonData:
    """Everything stored about the person; the runner reads it in one snapshot."""
    skipped = select(func.count()).select_from(skips).where(skips.c.telegram_id == telegram_id)
    alerts: dict[str, int] = {
        status: int(n)
        for status, n in conn.execute(
            select(alert_outbox.c.status, func.count())
            .where(alert_outbox.c.telegram_id == telegram_id)
            .group_by(alert_outbox.c.status)
        )
    }
    blocked = conn.execute(
        select(blocked_people.c.telegram_id).where(blocked_people.c.telegram_id == telegram_id)
    ).first()
    return PersonData(
        telegram_id,
        person_ratings(conn, telegram_id),
        int(conn.execute(skipped).scalar_one()),
        language(conn, telegram_id),
        frozenset(platforms(conn, telegram_id)),
        tuple(person_watchlist(conn, telegram_id)),
        int(alerts.get("pending", 0)),
        int(alerts.get("sent", 0)),
        blocked is not None,
    )


def forget(conn: Connection, telegram_id: int) -> dict[str, int]:
    """Delete every row of the person; the rows deleted per kind. The `people` row keeps the
    local number under telegram_id = -local_id (never reused: exports stay unambiguous)."""
    counts = dict.fromkeys(FORGET_KINDS, 0)
    for kind, table in PERSON_TABLES.items():
        counts[kind] = conn.execute(
            delete(table).where(table.c.telegram_id == telegram_id)
        ).rowcount
    renumbered = conn.execute(
        update(people)
        .where(people.c.telegram_id == telegram_id)
        .values(telegram_id=-people.c.local_id)
    )
    counts["people"] = renumbered.rowcount
    return counts


# ----- the alert outbox (at-least-once; people/records.py) -----------------------------------
def enqueue_alerts(conn: Connection, alerts: Sequence[Alert], now: float) -> int:
    """Store each alert once (by key), skipping people who blocked the bot; how many were new."""
    blocked: set[int] = set()
    for chunk in _chunks(sorted({a.telegram_id for a in alerts})):
        query = select(blocked_people.c.telegram_id).where(blocked_people.c.telegram_id.in_(chunk))
        blocked.update(conn.execute(query).scalars())
    rows = [
        {"key": a.key, "telegram_id": a.telegram_id, "title_id": a.title_id,
         "watched_id": a.watched_id, "platforms": join_platforms(a.platforms),
         "release": a.release, "due_at": a.due_at or now, "created_at": now}
        for a in alerts
        if a.telegram_id not in blocked
    ]  # fmt: skip
    added = 0
    insert = _insert(conn)
    for chunk in _chunks(rows):
        statement = (
            insert(alert_outbox).values(list(chunk)).on_conflict_do_nothing(index_elements=["key"])
        )
        # the keys stored now (a multi-row INSERT's rowcount is not reliable on every driver)
        added += len(conn.execute(statement.returning(alert_outbox.c.key)).all())
    return added


def _alert(row: Sequence[Any]) -> Alert:
    key, tid, title, watched, chosen, release, due_at, attempts = row
    return Alert(
        int(tid), title, release, split_platforms(chosen), watched, float(due_at), attempts, key
    )


def claim_alerts(
    conn: Connection, limit: int, owner: str, lease_s: float, now: float
) -> list[Alert]:
    """Lease up to `limit` due alerts to `owner` for `lease_s` seconds, oldest due first. On
    PostgreSQL replicas claiming at once each lock different rows (SKIP LOCKED), and a row one
    replica leased is no longer free for the next (its lease_until is in the future)."""
    o = alert_outbox.c
    free = (
        select(o.key)
        .where(o.status == "pending", o.due_at <= now, o.lease_until <= now)
        .where(_not_blocked(o.telegram_id))
        .order_by(o.due_at, o.key)
        .limit(limit)
        .with_for_update(skip_locked=True)  # SQLite renders none: its write lock serialises
    )
    keys = list(conn.execute(free).scalars())
    rows: list[Sequence[Any]] = []
    for chunk in _chunks(keys):
        conn.execute(
            update(alert_outbox)
            .where(o.key.in_(chunk))
            .values(lease_owner=owner, lease_until=now + lease_s, attempts=o.attempts + 1)
        )
        rows += conn.execute(select(*ALERT_COLUMNS).where(o.key.in_(chunk))).all()
    return sorted(map(_alert, rows), key=lambda a: (a.due_at, a.key))


def _release(key: str) -> Any:
    """The UPDATE that ends a lease on a pending alert."""
    o = alert_outbox.c
    return (
        update(alert_outbox)
        .where(o.key == key, o.status == "pending")
        .values(lease_owner=None, lease_until=0)
    )


def mark_sent(conn: Connection, key: str, now: float) -> None:
    conn.execute(_release(key).values(status="sent", sent_at=now, last_error=None))


def mark_failed(conn: Connection, key: str, error: str, retry_at: float | None) -> None:
    """Due again at retry_at; None gives up (status failed)."""
    if retry_at is None:
        conn.execute(_release(key).values(status="failed", last_error=error[:500]))
    else:
        conn.execute(_release(key).values(due_at=retry_at, last_error=error[:500]))


def mark_blocked(conn: Connection, telegram_id: int, now: float) -> int:
    """Remember that the person blocked the bot; skip their pending alerts (returned)."""
    conn.execute(
        _insert(conn)(blocked_people)
        .values(telegram_id=telegram_id, blocked_at=now)
        .on_conflict_do_nothing()
    )
    o = alert_outbox.c
    skipped = conn.execute(
        update(alert_outbox)
        .where(o.telegram_id == telegram_id, o.status == "pending")
        .values(status="blocked", lease_owner=None, lease_until=0)
    )
    return skipped.rowcount


def unblock(conn: Connection, telegram_id: int, now: float) -> bool:
    """The person writes again: forget the block; the alerts held back at it are due now (one
    transaction, so an unblocked person never has alerts stuck as blocked)."""
    query = delete(blocked_people).where(blocked_people.c.telegram_id == telegram_id)
    was_blocked = conn.execute(query).rowcount > 0
    o = alert_outbox.c
    conn.execute(
        update(alert_outbox)
        .where(o.telegram_id == telegram_id, o.status == "blocked")
        .values(status="pending", due_at=now)
    )
    return was_blocked


def outbox_counts(conn: Connection) -> dict[str, int]:
    rows = conn.execute(select(alert_outbox.c.status, func.count()).group_by(alert_outbox.c.status))
    return {status: int(n) for status, n in rows}
