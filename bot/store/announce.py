"""Reloads announced to every replica that shares the PostgreSQL store (LISTEN/NOTIFY).

`announce(version)` writes the version to serve in the `serving` row and NOTIFYs
`streamrec_reload` in the same transaction (PostgreSQL delivers the notification at commit, so
a listener that hears it also reads the row). Each replica runs `listen()`: one connection of
its own LISTENing; for each new version it awaits `on_version(version)` (load the catalogue and
model off the event loop, as /reload does) and records the outcome in `replicas` (version,
when, the error if it kept the old one). A replica that was disconnected -- starting, or the
server restarting -- reads the `serving` row when it (re)connects, so no announcement is lost
to it. Wiring into /reload and /status is left to the bot (docs/deploy.md, "PostgreSQL").
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import psycopg

log = logging.getLogger(__name__)

CHANNEL = "streamrec_reload"
RECONNECT_DELAY = 1.0  # seconds between attempts while the server is away


@dataclass(frozen=True)
class ReplicaState:
    replica: str
    version: str
    loaded_at: int
    error: str | None


async def announce(url: str, version: str) -> None:
    """Make `version` the one every replica serves, and tell the listening ones now."""
    conn = await psycopg.AsyncConnection.connect(url, autocommit=True)
    async with conn, conn.transaction():
        await conn.execute(
            "INSERT INTO serving VALUES (1, %s, %s) ON CONFLICT (id) DO UPDATE "
            "SET version = EXCLUDED.version, announced_at = EXCLUDED.announced_at",
            (version, int(time.time())),
        )
        await conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, version))


async def replicas(url: str) -> list[ReplicaState]:
    """What each replica last loaded (for the admin's /reload answer and /status)."""
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        cur = await conn.execute(
            "SELECT replica, version, loaded_at, error FROM replicas ORDER BY replica"
        )
        return [ReplicaState(*row) for row in await cur.fetchall()]


class ReloadListener:
    """One replica's side: `await listen()` in a task; cancel it to stop."""

    def __init__(
        self,
        url: str,
        replica: str,
        on_version: Callable[[str], Awaitable[None]],
        reconnect_delay: float = RECONNECT_DELAY,
    ) -> None:
        self.url = url
        self.replica = replica
        self.on_version = on_version
        self.reconnect_delay = reconnect_delay
        self.current: str | None = None  # the version this replica last loaded (or tried)
        self.listening = asyncio.Event()  # set while LISTEN is in place

    async def listen(self) -> None:
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self.url, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    while True:
                        # LISTEN first, then the row: an announcement between the two is
                        # read, never missed (also one made while we were away).
                        await self._sync(conn)
                        # notifies() holds the connection; any notification that arrives
                        # while _sync queries is kept by psycopg for the next call.
                        async for _ in conn.notifies(stop_after=1):
                            pass
            except psycopg.OperationalError as e:
                self.listening.clear()
                log.warning("reload listener %s: %s; reconnecting", self.replica, e)
                await asyncio.sleep(self.reconnect_delay)

    async def _sync(self, conn: psycopg.AsyncConnection) -> None:
        """Load the version the `serving` row names until it stops changing (the row is the
        truth; a notification only says "look now")."""
        while True:
            cur = await conn.execute("SELECT version FROM serving WHERE id = 1")
            row = await cur.fetchone()
            if row is None or row[0] == self.current:
                return
            await self._load(conn, row[0])

    async def _load(self, conn: psycopg.AsyncConnection, version: str) -> None:
        self.current = version
        error = None
        try:
            await self.on_version(version)
        except Exception as e:  # the replica keeps serving its old version; recorded, not fatal
            log.error("replica %s could not load %s: %s", self.replica, version, e)
            error = f"{type(e).__name__}: {e}"
        await conn.execute(
            "INSERT INTO replicas VALUES (%s, %s, %s, %s) ON CONFLICT (replica) DO UPDATE "
            "SET version = EXCLUDED.version, loaded_at = EXCLUDED.loaded_at, "
            "error = EXCLUDED.error",
            (self.replica, version, int(time.time()), error),
        )
