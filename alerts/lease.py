"""One alert sender per deployment. Telegram's limits (30 messages/s, 1/s per chat) hold for the
bot token, not per process, so with several replicas sharing a PostgreSQL store only one sends:
the one holding a session advisory lock. If it dies its connection closes, the lock goes with
it, and another replica takes over at its next look. With SQLite there is one process: it
always sends. (Queueing stays with every replica: it is idempotent.)"""

from __future__ import annotations

import contextlib
import logging

import psycopg

log = logging.getLogger(__name__)
LEASE_KEY = 0x414C5254  # pg_try_advisory_lock key: "ALRT"


class SenderLease:
    """`await lead()` says whether this process is the sender now (taking the lock if free)."""

    def __init__(self, url: str | None) -> None:
        self.url = url if url and url.startswith(("postgresql://", "postgres://")) else None
        self._conn: psycopg.AsyncConnection | None = None

    async def lead(self) -> bool:
        if self.url is None:
            return True
        if self._conn is not None:
            try:  # still ours while the session lives
                await self._conn.execute("SELECT 1")
                return True
            except psycopg.Error as e:
                log.warning("alert sender lease lost (%s); trying to take it again", e)
                await self.close()
        try:
            conn = await psycopg.AsyncConnection.connect(
                self.url, autocommit=True, connect_timeout=5
            )
        except psycopg.Error as e:
            log.warning("alert sender lease: cannot reach PostgreSQL: %s", e)
            return False
        try:
            cur = await conn.execute("SELECT pg_try_advisory_lock(%s)", (LEASE_KEY,))
            row = await cur.fetchone()
        except psycopg.Error as e:
            log.warning("alert sender lease: %s", e)
            await conn.close()
            return False
        if not (row and row[0]):
            await conn.close()  # another replica sends
            return False
        self._conn = conn
        log.info("this replica sends the watchlist alerts")
        return True

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(psycopg.Error):
                await conn.close()
