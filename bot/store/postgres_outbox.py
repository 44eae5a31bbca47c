"""PostgresStore's alert outbox (issue 15; at-least-once, bot/store/people.py).

Alerts are claimed with one statement, `UPDATE ... WHERE key IN (SELECT ... FOR UPDATE SKIP
LOCKED)`: replicas claiming at once each lock different rows, and a row one replica leased is
no longer free for the next (its lease_until is in the future). A claim whose answer was lost
(the server restarted after committing) is retried like every call; the rows it leased come
back when the lease expires -- at-least-once.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from .people import Alert, join_platforms
from .postgres_people import Conn, PostgresPeople
from .sqlite_outbox import ALERT_COLUMNS, alert_from_row

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


class PostgresOutbox(PostgresPeople):
    """Mixed into PostgresStore (with PostgresPeople's choices and watchlist)."""

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
        """The person writes again: forget the block; the alerts held back at it are due now."""

        async def run(conn: Conn) -> bool:
            async with conn.transaction():
                cur = await conn.execute(
                    "DELETE FROM blocked_people WHERE telegram_id = %s", (telegram_id,)
                )
                await conn.execute(
                    "UPDATE alert_outbox SET status = 'pending', due_at = %s "
                    "WHERE telegram_id = %s AND status = 'blocked'",
                    (time.time(), telegram_id),
                )
                return cur.rowcount > 0

        return await self._call(True, run)

    async def outbox_counts_async(self) -> dict[str, int]:
        rows = await self._all("SELECT status, count(*) FROM alert_outbox GROUP BY status")
        return {s: int(n) for s, n in rows}
