"""RatingsStore's alert outbox (issue 15; at-least-once, bot/store/people.py). Writes run in
`BEGIN IMMEDIATE` transactions: the write lock is taken first, so two processes claiming alerts
queue on it and the second sees the first one's lease (SQLite's answer to PostgreSQL's FOR
UPDATE SKIP LOCKED).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from .people import Alert, join_platforms, split_platforms
from .sqlite_people import SqlitePeople, _chunks

ALERT_COLUMNS = "key, telegram_id, title_id, watched_id, platforms, release, due_at, attempts"
CLAIMABLE = (
    "SELECT key FROM alert_outbox o WHERE status = 'pending' AND due_at <= ? "
    "AND lease_until <= ? AND NOT EXISTS "
    "(SELECT 1 FROM blocked_people b WHERE b.telegram_id = o.telegram_id) "
    "ORDER BY due_at, key LIMIT ?"
)


def alert_from_row(row: tuple[Any, ...]) -> Alert:
    key, tid, title, watched, platforms, release, due_at, attempts = row
    return Alert(
        int(tid), title, release, split_platforms(platforms), watched, float(due_at), attempts, key
    )


class SqliteOutbox(SqlitePeople):
    """Mixed into RatingsStore (with SqlitePeople's choices and watchlist)."""

    def enqueue_alerts(self, alerts: Iterable[Alert]) -> int:
        """Store each alert once (by key), skipping people who blocked the bot; returns how
        many were new."""
        now = time.time()
        rows = [
            (a.key, a.telegram_id, a.title_id, a.watched_id, join_platforms(a.platforms),
             a.release, a.due_at or now, now, a.telegram_id)
            for a in alerts
        ]  # fmt: skip
        with self._transaction() as db:
            cur = db.executemany(
                "INSERT INTO alert_outbox (key, telegram_id, title_id, watched_id, platforms, "
                "release, due_at, created_at) SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS "
                "(SELECT 1 FROM blocked_people WHERE telegram_id = ?) "
                "ON CONFLICT (key) DO NOTHING",
                rows,
            )
            return max(cur.rowcount, 0)

    def claim_alerts(
        self, limit: int, owner: str, lease_s: float, now: float | None = None
    ) -> list[Alert]:
        """Lease up to `limit` due alerts to `owner` for `lease_s` seconds, oldest due first."""
        now = time.time() if now is None else now
        with self._transaction() as db:  # the write lock: no other claimer sees these rows free
            keys = [r[0] for r in db.execute(CLAIMABLE, (now, now, limit))]
            db.executemany(
                "UPDATE alert_outbox SET lease_owner = ?, lease_until = ?, "
                "attempts = attempts + 1 WHERE key = ?",
                [(owner, now + lease_s, k) for k in keys],
            )
            rows = []
            for chunk in _chunks(keys):
                marks = ",".join("?" * len(chunk))
                rows += db.execute(
                    f"SELECT {ALERT_COLUMNS} FROM alert_outbox WHERE key IN ({marks})", chunk
                ).fetchall()
        return sorted(map(alert_from_row, rows), key=lambda a: (a.due_at, a.key))

    def mark_sent(self, key: str) -> None:
        self._db.execute(
            "UPDATE alert_outbox SET status = 'sent', sent_at = ?, lease_owner = NULL, "
            "lease_until = 0, last_error = NULL WHERE key = ? AND status = 'pending'",
            (time.time(), key),
        )

    def mark_failed(self, key: str, error: str, retry_at: float | None) -> None:
        """Due again at retry_at; None gives up (status failed)."""
        if retry_at is None:
            self._db.execute(
                "UPDATE alert_outbox SET status = 'failed', last_error = ?, lease_owner = NULL, "
                "lease_until = 0 WHERE key = ? AND status = 'pending'",
                (error[:500], key),
            )
        else:
            self._db.execute(
                "UPDATE alert_outbox SET due_at = ?, last_error = ?, lease_owner = NULL, "
                "lease_until = 0 WHERE key = ? AND status = 'pending'",
                (retry_at, error[:500], key),
            )

    def mark_blocked(self, telegram_id: int) -> int:
        """The person blocked the bot (403): remember it, skip their pending alerts (returned)."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO blocked_people VALUES (?, ?) ON CONFLICT (telegram_id) DO NOTHING",
                (telegram_id, time.time()),
            )
            cur = db.execute(
                "UPDATE alert_outbox SET status = 'blocked', lease_owner = NULL, "
                "lease_until = 0 WHERE telegram_id = ? AND status = 'pending'",
                (telegram_id,),
            )
            return cur.rowcount

    def unblock(self, telegram_id: int) -> bool:
        """The person writes again: forget the block; the alerts held back at it are due now."""
        with self._transaction() as db:
            cur = db.execute("DELETE FROM blocked_people WHERE telegram_id = ?", (telegram_id,))
            db.execute(
                "UPDATE alert_outbox SET status = 'pending', due_at = ? "
                "WHERE telegram_id = ? AND status = 'blocked'",
                (time.time(), telegram_id),
            )
            return cur.rowcount > 0

    def outbox_counts(self) -> dict[str, int]:
        rows = self._db.execute("SELECT status, count(*) FROM alert_outbox GROUP BY status")
        return {s: n for s, n in rows}

    # ----- off the event loop ----------------------------------------------------------------
    async def enqueue_alerts_async(self, alerts: Iterable[Alert]) -> int:
        return await self._run(True, self.enqueue_alerts, list(alerts))

    async def claim_alerts_async(
        self, limit: int, owner: str, lease_s: float, now: float | None = None
    ) -> list[Alert]:
        return await self._run(True, self.claim_alerts, limit, owner, lease_s, now)

    async def mark_sent_async(self, key: str) -> None:
        await self._run(True, self.mark_sent, key)

    async def mark_failed_async(self, key: str, error: str, retry_at: float | None) -> None:
        await self._run(True, self.mark_failed, key, error, retry_at)

    async def mark_blocked_async(self, telegram_id: int) -> int:
        return await self._run(True, self.mark_blocked, telegram_id)

    async def unblock_async(self, telegram_id: int) -> bool:
        return await self._run(True, self.unblock, telegram_id)

    async def outbox_counts_async(self) -> dict[str, int]:
        return await self._run(False, self.outbox_counts)
