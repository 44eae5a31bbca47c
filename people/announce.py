"""Reloads announced to every replica that shares the PostgreSQL store (LISTEN/NOTIFY).

`announce(version)` writes the version to serve in the `serving` row and NOTIFYs
`streamrec_reload` in the same transaction (PostgreSQL delivers the notification at commit, so
a listener that hears it also reads the row). Each replica runs `listen()`: one connection of
its own LISTENing; for each new version it awaits `on_version(version)` (load the catalogue and
model off the event loop, as /reload does) and records the outcome in `replicas` (the version
it serves now, when, the error if it kept the old one), then NOTIFYs `streamrec_replicas` so the
others refresh their view of that table (`ReloadListener.states`, what /status shows). A replica
that was disconnected -- starting, or the server restarting -- reads the `serving` row when it
(re)connects, so no announcement is lost to it.

A replica is live while its LISTEN connection is open: that connection carries the
application_name `streamrec-listen <replica>`, and `replicas()` looks it up in
pg_stat_activity, so a replica that crashed shows as gone without any heartbeat of ours. The
bot's side (who announces, what a version is) is people/replication.py.
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
STATES = "streamrec_replicas"  # "a replica recorded what it serves": refresh your view
APP_PREFIX = "streamrec-listen "
RECONNECT_DELAY = 1.0  # seconds between attempts while the server is away
REFRESH_EVERY = 30.0  # seconds: the view of the replicas table also notices crashed ones
CONNECT_TIMEOUT = 5

RECORD = (
    "INSERT INTO replicas VALUES (%s, %s, %s, %s) ON CONFLICT (replica) DO UPDATE "
    "SET version = EXCLUDED.version, loaded_at = EXCLUDED.loaded_at, error = EXCLUDED.error"
)
STATES_QUERY = (
    "SELECT r.replica, r.version, r.loaded_at, r.error, EXISTS (SELECT 1 FROM pg_stat_activity a "
    "WHERE a.application_name = left(%s || r.replica, 63)) FROM replicas r ORDER BY r.replica"
)


@dataclass(frozen=True)
class ReplicaState:
    replica: str
    version: str
    loaded_at: int
    error: str | None
    live: bool = True  # its LISTEN connection is open now


async def _connect(url: str, app: str = "streamrec") -> psycopg.AsyncConnection:
    return await psycopg.AsyncConnection.connect(
        url, autocommit=True, connect_timeout=CONNECT_TIMEOUT, application_name=app[:63]
    )


async def announce(url: str, version: str) -> None:
    """Make `version` the one every replica serves, and tell the listening ones now."""
    conn = await _connect(url)
    async with conn, conn.transaction():
        await conn.execute(
            "INSERT INTO serving VALUES (1, %s, %s) ON CONFLICT (id) DO UPDATE "
            "SET version = EXCLUDED.version, announced_at = EXCLUDED.announced_at",
            (version, int(time.time())),
        )
        await conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, version))


async def record(
    conn_or_url: psycopg.AsyncConnection | str, replica: str, version: str, error: str | None
) -> None:
    """Write what `replica` serves now in `replicas`, and tell the others to look."""

    async def run(conn: psycopg.AsyncConnection) -> None:
        await conn.execute(RECORD, (replica, version, int(time.time()), error))
        await conn.execute("SELECT pg_notify(%s, %s)", (STATES, replica))

    if isinstance(conn_or_url, str):
        async with await _connect(conn_or_url) as conn:
            await run(conn)
    else:
        await run(conn_or_url)


async def forget(url: str, replica: str) -> None:
    """A replica stopping cleanly takes its row out (/status lists the others)."""
    async with await _connect(url) as conn:
        await conn.execute("DELETE FROM replicas WHERE replica = %s", (replica,))
        await conn.execute("SELECT pg_notify(%s, %s)", (STATES, replica))


async def replicas(url: str) -> list[ReplicaState]:
    """What each replica last loaded, and whether it is listening now."""
    async with await _connect(url) as conn:
        return await _states(conn)


async def _states(conn: psycopg.AsyncConnection) -> list[ReplicaState]:
    cur = await conn.execute(STATES_QUERY, (APP_PREFIX,))
    return [ReplicaState(*row) for row in await cur.fetchall()]


class ReloadListener:
    """One replica's side: `await listen()` in a task; cancel it to stop.

    `on_version(version)` loads it and returns the version now served (None: the announced
    one); an exception keeps the old catalogue and is recorded as the error, with the version
    its `served` attribute names (else the announced one)."""

    def __init__(
        self,
        url: str,
        replica: str,
        on_version: Callable[[str], Awaitable[str | None]],
        reconnect_delay: float = RECONNECT_DELAY,
        refresh_every: float = REFRESH_EVERY,
    ) -> None:
        self.url = url
        self.replica = replica
        self.on_version = on_version
        self.reconnect_delay = reconnect_delay
        self.refresh_every = refresh_every
        self.current: str | None = None  # the version this replica last loaded (or tried)
        self.listening = asyncio.Event()  # set while LISTEN is in place
        self.states: list[ReplicaState] = []  # the replicas table, as last read

    async def listen(self) -> None:
        while True:
            try:
                async with await _connect(self.url, APP_PREFIX + self.replica) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    await conn.execute(f"LISTEN {STATES}")
                    self.listening.set()
                    while True:
                        # LISTEN first, then the row: an announcement between the two is
                        # read, never missed (also one made while we were away).
                        await self._sync(conn)
                        self.states = await _states(conn)
                        # notifies() holds the connection; any notification that arrives
                        # while _sync queries is kept by psycopg for the next call. The
                        # timeout re-reads the table now and then (a replica that crashed).
                        async for _ in conn.notifies(timeout=self.refresh_every, stop_after=1):
                            pass
            except (psycopg.Error, OSError) as e:  # away, restarting, or refusing: retry
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
        served = version
        try:
            served = await self.on_version(version) or version
        except Exception as e:  # the replica keeps serving its old version; recorded, not fatal
            log.error("replica %s could not load %s: %s", self.replica, version, e)
            error = f"{type(e).__name__}: {e}"
            served = getattr(e, "served", None) or version  # what it serves, when it knows
        await record(conn, self.replica, served, error)
