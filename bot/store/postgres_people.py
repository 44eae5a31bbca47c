"""PostgresStore's watchlist, choices and alert outbox (issue 15): a mixin, so postgres.py keeps
the pool and retry handling and this file the SQL.

Alerts are claimed with one statement, `UPDATE ... WHERE key IN (SELECT ... FOR UPDATE SKIP
LOCKED)`: replicas claiming at once each lock different rows, and a row one replica leased is
no longer free for the next (its lease_until is in the future). A claim whose answer was lost
(the server restarted after committing) is retried like every call; the rows it leased come
back when the lease expires -- at-least-once, see bot/store/people.py.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Collection, Iterable
from typing import Any, TypeVar

import psycopg

from .people import (
    FORGET_KINDS,
    WATCHLIST_CAP,
    Alert,
    PersonData,
    Watcher,
    WatchlistFull,
    check_language,
    check_platforms,
    join_platforms,
)
from .sqlite_people import ALERT_COLUMNS, PERSON_TABLES, alert_from_row

T = TypeVar("T")
Conn = psycopg.AsyncConnection
WATCH_LOCK = 0x5741  # pg_advisory_xact_lock(WATCH_LOCK, person): one watch_add per person at once
ENQUEUE_CHUNK = 5000

CLAIM = f"""
UPDATE alert_outbox SET lease_owner = %(owner)s, lease_until = %(until)s,
    attempts = attempts + 1
WHERE key IN (
    SELECT key FROM alert_outbox o
    WHERE status = 'pending' AND due_at <= %(now)s AND lease_until <= %(now)s
      AND NOT EXISTS (SELECT 1 FROM blocked_people b WHERE b.telegram_id = o.telegram_id)
    ORDER BY due_at, key LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
)
RETURNING {ALERT_COLUMNS}
"""
ENQUEUE = """
INSERT INTO alert_outbox (key, telegram_id, title_id, watched_id, platforms, release, due_at,
    created_at)
SELECT u.key, u.tid, u.title, u.watched, u.platforms, u.rel, u.due_at, %s::float8
FROM unnest(%s::text[], %s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[],
    %s::float8[]) AS u(key, tid, title, watched, platforms, rel, due_at)
WHERE NOT EXISTS (SELECT 1 FROM blocked_people b WHERE b.telegram_id = u.tid)
ON CONFLICT (key) DO NOTHING
"""


class PostgresPeople:
    """Mixed into PostgresStore, which provides `_call` (pool, retries, StoreFailure)."""

    watchlist_cap: int = WATCHLIST_CAP

    async def _call(self, write: bool, fn: Callable[[Conn], Awaitable[T]], retry: bool = True) -> T:
        raise NotImplementedError

    async def _exec(self, write: bool, query: str, params: Any = ()) -> int:
        """Run one statement; its rowcount."""

        async def run(conn: Conn) -> int:
            return (await conn.execute(query, params)).rowcount

        return await self._call(write, run)

    async def _all(self, query: str, params: Any = ()) -> list[tuple[Any, ...]]:
        async def run(conn: Conn) -> list[tuple[Any, ...]]:
            return await (await conn.execute(query, params)).fetchall()

        return await self._call(False, run)

    # ----- language and platforms ------------------------------------------------------------
    async def set_language_async(self, telegram_id: int, lang: str) -> None:
        await self._exec(
            True,
            "INSERT INTO person_language VALUES (%s, %s) "
            "ON CONFLICT (telegram_id) DO UPDATE SET lang = EXCLUDED.lang",
            (telegram_id, check_language(lang)),
        )

    async def language_async(self, telegram_id: int) -> str | None:
        rows = await self._all(
            "SELECT lang FROM person_language WHERE telegram_id = %s", (telegram_id,)
        )
        return rows[0][0] if rows else None

    async def set_platforms_async(self, telegram_id: int, platforms: set[str]) -> None:
        keys = check_platforms(platforms)

        async def run(conn: Conn) -> None:
            async with conn.transaction():
                await conn.execute(
                    "DELETE FROM person_platforms WHERE telegram_id = %s", (telegram_id,)
                )
                await conn.execute(
                    "INSERT INTO person_platforms SELECT %s, unnest(%s::text[])",
                    (telegram_id, keys),
                )

        await self._call(True, run)

    async def platforms_async(self, telegram_id: int) -> set[str]:
        rows = await self._all(
            "SELECT platform FROM person_platforms WHERE telegram_id = %s", (telegram_id,)
        )
        return {r[0] for r in rows}

    # ----- watchlist -------------------------------------------------------------------------
    async def watch_add_async(self, telegram_id: int, title_id: str) -> bool:
        """True when added, False when already there; WatchlistFull past the cap. (A retry
        after a lost commit finds the title there and says False.)"""

        async def run(conn: Conn) -> bool | None:
            async with conn.transaction():
                # one add per person at a time, so count-then-insert holds the cap exactly
                await conn.execute(
                    "SELECT pg_advisory_xact_lock(%s, (%s %% 2147483647)::int)",
                    (WATCH_LOCK, telegram_id),
                )
                cur = await conn.execute(
                    "SELECT count(*), count(*) FILTER (WHERE title_id = %s) FROM watchlist "
                    "WHERE telegram_id = %s",
                    (title_id, telegram_id),
                )
                row = await cur.fetchone()
                n, there = row if row else (0, 0)
                if there:
                    return False
                if n >= self.watchlist_cap:
                    return None
                await conn.execute(
                    "INSERT INTO watchlist (telegram_id, title_id, added_at) VALUES (%s, %s, %s)",
                    (telegram_id, title_id, time.time()),
                )
                return True

        added = await self._call(True, run)
        if added is None:
            raise WatchlistFull(telegram_id, self.watchlist_cap)
        return added

    async def watch_remove_async(self, telegram_id: int, title_id: str) -> bool:
        deleted = await self._exec(
            True,
            "DELETE FROM watchlist WHERE telegram_id = %s AND title_id = %s",
            (telegram_id, title_id),
        )
        return deleted > 0

    async def watchlist_async(self, telegram_id: int) -> list[str]:
        rows = await self._all(
            "SELECT title_id FROM watchlist WHERE telegram_id = %s ORDER BY added_at, seq",
            (telegram_id,),
        )
        return [r[0] for r in rows]

    async def watchers_async(self, title_ids: Collection[str]) -> list[Watcher]:
        """People (not blocked) watching any of title_ids, with their platforms."""
        rows = await self._all(
            "SELECT w.telegram_id, array_agg(w.title_id ORDER BY w.added_at, w.seq), "
            "(SELECT array_agg(p.platform) FROM person_platforms p "
            " WHERE p.telegram_id = w.telegram_id) "
            "FROM watchlist w WHERE w.title_id = ANY(%s) AND NOT EXISTS "
            "(SELECT 1 FROM blocked_people b WHERE b.telegram_id = w.telegram_id) "
            "GROUP BY w.telegram_id ORDER BY w.telegram_id",
            (sorted(set(title_ids)),),
        )
        return [Watcher(int(t), tuple(titles), frozenset(ps or ())) for t, titles, ps in rows]

    # ----- /mydata and /deletemydata ---------------------------------------------------------
    async def describe_async(self, telegram_id: int) -> PersonData:
        async def run(conn: Conn) -> PersonData:
            async with conn.transaction():  # one snapshot: REPEATABLE READ
                await conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")

                async def rows(query: str) -> list[tuple[Any, ...]]:
                    return await (await conn.execute(query, (telegram_id,))).fetchall()

                ratings = await rows(
                    "SELECT title_id, rating FROM ratings WHERE telegram_id = %s "
                    "ORDER BY ts, title_id"
                )
                skips = await rows("SELECT count(*) FROM skips WHERE telegram_id = %s")
                lang = await rows("SELECT lang FROM person_language WHERE telegram_id = %s")
                platforms = await rows(
                    "SELECT platform FROM person_platforms WHERE telegram_id = %s"
                )
                watch = await rows(
                    "SELECT title_id FROM watchlist WHERE telegram_id = %s ORDER BY added_at, seq"
                )
                alerts = dict(
                    await rows(
                        "SELECT status, count(*) FROM alert_outbox WHERE telegram_id = %s "
                        "GROUP BY status"
                    )
                )
                blocked = await rows("SELECT 1 FROM blocked_people WHERE telegram_id = %s")
            return PersonData(
                telegram_id,
                {t: float(r) for t, r in ratings},
                int(skips[0][0]),
                lang[0][0] if lang else None,
                frozenset(r[0] for r in platforms),
                tuple(r[0] for r in watch),
                int(alerts.get("pending", 0)),
                int(alerts.get("sent", 0)),
                bool(blocked),
            )

        return await self._call(False, run)

    async def forget_async(self, telegram_id: int) -> dict[str, int]:
        """Delete every row of the person, in one transaction; the rows deleted per kind."""

        async def run(conn: Conn) -> dict[str, int]:
            counts = dict.fromkeys(FORGET_KINDS, 0)
            async with conn.transaction():
                for kind, table in PERSON_TABLES.items():
                    cur = await conn.execute(
                        f"DELETE FROM {table} WHERE telegram_id = %s", (telegram_id,)
                    )
                    counts[kind] = cur.rowcount
                cur = await conn.execute(
                    "UPDATE people SET telegram_id = -local_id WHERE telegram_id = %s",
                    (telegram_id,),
                )
                counts["people"] = cur.rowcount
            return counts

        return await self._call(True, run)

    # ----- the alert outbox ------------------------------------------------------------------
    async def enqueue_alerts_async(self, alerts: Iterable[Alert]) -> int:
        """Store each alert once (by key), skipping people who blocked the bot; returns how
        many were new."""
        batch = list(alerts)
        now = time.time()
        added = 0
        for i in range(0, len(batch), ENQUEUE_CHUNK):
            part = batch[i : i + ENQUEUE_CHUNK]
            columns = (
                [a.key for a in part],
                [a.telegram_id for a in part],
                [a.title_id for a in part],
                [a.watched_id for a in part],
                [join_platforms(a.platforms) for a in part],
                [a.release for a in part],
                [a.due_at or now for a in part],
            )
            added += await self._exec(True, ENQUEUE, (now, *columns))
        return added

    async def claim_alerts_async(
        self, limit: int, owner: str, lease_s: float, now: float | None = None
    ) -> list[Alert]:
        """Lease up to `limit` due alerts to `owner` for `lease_s` seconds, oldest due first."""
        now = time.time() if now is None else now
        params = {"owner": owner, "until": now + lease_s, "now": now, "limit": limit}

        async def run(conn: Conn) -> list[tuple[Any, ...]]:
            return await (await conn.execute(CLAIM, params)).fetchall()

        rows = await self._call(True, run)
        return sorted(map(alert_from_row, rows), key=lambda a: (a.due_at, a.key))

    async def mark_sent_async(self, key: str) -> None:
        await self._exec(
            True,
            "UPDATE alert_outbox SET status = 'sent', sent_at = %s, lease_owner = NULL, "
            "lease_until = 0, last_error = NULL WHERE key = %s AND status = 'pending'",
            (time.time(), key),
        )

    async def mark_failed_async(self, key: str, error: str, retry_at: float | None) -> None:
        """Due again at retry_at; None gives up (status failed)."""
        if retry_at is None:
            query = (
                "UPDATE alert_outbox SET status = 'failed', last_error = %s, lease_owner = NULL, "
                "lease_until = 0 WHERE key = %s AND status = 'pending'"
            )
            await self._exec(True, query, (error[:500], key))
        else:
            query = (
                "UPDATE alert_outbox SET due_at = %s, last_error = %s, lease_owner = NULL, "
                "lease_until = 0 WHERE key = %s AND status = 'pending'"
            )
            await self._exec(True, query, (retry_at, error[:500], key))

    async def mark_blocked_async(self, telegram_id: int) -> int:
        """The person blocked the bot (403): remember it, skip their pending alerts (returned)."""

        async def run(conn: Conn) -> int:
            async with conn.transaction():
                await conn.execute(
                    "INSERT INTO blocked_people VALUES (%s, %s) ON CONFLICT DO NOTHING",
                    (telegram_id, time.time()),
                )
                cur = await conn.execute(
                    "UPDATE alert_outbox SET status = 'blocked', lease_owner = NULL, "
                    "lease_until = 0 WHERE telegram_id = %s AND status = 'pending'",
                    (telegram_id,),
                )
                return cur.rowcount

        return await self._call(True, run)

    async def unblock_async(self, telegram_id: int) -> bool:
        n = await self._exec(
            True, "DELETE FROM blocked_people WHERE telegram_id = %s", (telegram_id,)
        )
        return n > 0

    async def outbox_counts_async(self) -> dict[str, int]:
        rows = await self._all("SELECT status, count(*) FROM alert_outbox GROUP BY status")
        return {s: int(n) for s, n in rows}
