"""PostgresStore's language, platforms, watchlist, /mydata and /deletemydata (issue 15): a
mixin, so postgres.py keeps the pool and retry handling and this file the SQL (the alert outbox
is in postgres_outbox.py).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Collection
from typing import Any, TypeVar

import psycopg

from .records import (
    FORGET_KINDS,
    WATCHLIST_CAP,
    PersonData,
    Watcher,
    WatchlistFull,
    check_language,
    check_platforms,
)
from .sqlite_people import PERSON_TABLES

T = TypeVar("T")
Conn = psycopg.AsyncConnection
WATCH_LOCK = 0x5741  # pg_advisory_xact_lock(WATCH_LOCK, person): one watch_add per person at once


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
