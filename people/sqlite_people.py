"""RatingsStore's language, platforms, watchlist, /mydata and /deletemydata (issue 15): a
mixin, so sqlite.py keeps the connection handling and this file the SQL (the alert outbox is in
sqlite_outbox.py). The `*_async` wrappers run the plain methods like the ratings ones: writes
and wide reads in worker threads, one person's rows on the loop's connection (sqlite.py).
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Collection, Iterator
from typing import Any, TypeVar

from .records import (
    FORGET_KINDS,
    WATCHLIST_CAP,
    PersonData,
    Watcher,
    WatchlistFull,
    check_language,
    check_platforms,
)

T = TypeVar("T")
CHUNK = 500  # ids per IN (...) list, well under SQLite's bound-parameter limit

# Every table a person has rows in, by their Telegram id (forget_async, describe_async).
PERSON_TABLES = {
    "ratings": "ratings",
    "skips": "skips",
    "language": "person_language",
    "platforms": "person_platforms",
    "watchlist": "watchlist",
    "alerts": "alert_outbox",
    "blocked": "blocked_people",
}


def _chunks(items: list[Any]) -> Iterator[list[Any]]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


class SqlitePeople:
    """Mixed into RatingsStore, which provides the connection, transactions and threads."""

    watchlist_cap: int = WATCHLIST_CAP

    # provided by RatingsStore
    @property
    def _db(self) -> sqlite3.Connection:
        raise NotImplementedError

    def _transaction(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    async def _run(self, write: bool, fn: Callable[..., T], *args: Any) -> T:
        raise NotImplementedError

    async def _read(self, fn: Callable[..., T], *args: Any) -> T:
        raise NotImplementedError

    # ----- language and platforms ------------------------------------------------------------
    def set_language(self, telegram_id: int, lang: str) -> None:
        self._db.execute(
            "INSERT INTO person_language VALUES (?, ?) "
            "ON CONFLICT (telegram_id) DO UPDATE SET lang = excluded.lang",
            (telegram_id, check_language(lang)),
        )

    def language(self, telegram_id: int) -> str | None:
        row = self._db.execute(
            "SELECT lang FROM person_language WHERE telegram_id = ?", (telegram_id,)
        ).fetchone()
        return row[0] if row else None

    def set_platforms(self, telegram_id: int, platforms: set[str] | frozenset[str]) -> None:
        keys = check_platforms(platforms)
        with self._transaction() as db:
            db.execute("DELETE FROM person_platforms WHERE telegram_id = ?", (telegram_id,))
            db.executemany(
                "INSERT INTO person_platforms VALUES (?, ?)", [(telegram_id, p) for p in keys]
            )

    def platforms(self, telegram_id: int) -> set[str]:
        rows = self._db.execute(
            "SELECT platform FROM person_platforms WHERE telegram_id = ?", (telegram_id,)
        )
        return {r[0] for r in rows}

    # ----- watchlist -------------------------------------------------------------------------
    def watch_add(self, telegram_id: int, title_id: str) -> bool:
        """True when added, False when already there; WatchlistFull past the cap."""
        with self._transaction() as db:  # the write lock makes count-then-insert exact
            if db.execute(
                "SELECT 1 FROM watchlist WHERE telegram_id = ? AND title_id = ?",
                (telegram_id, title_id),
            ).fetchone():
                return False
            (n,) = db.execute(
                "SELECT count(*) FROM watchlist WHERE telegram_id = ?", (telegram_id,)
            ).fetchone()
            if n >= self.watchlist_cap:
                raise WatchlistFull(telegram_id, self.watchlist_cap)
            db.execute(
                "INSERT INTO watchlist VALUES (?, ?, ?)", (telegram_id, title_id, time.time())
            )
        return True

    def watch_remove(self, telegram_id: int, title_id: str) -> bool:
        cur = self._db.execute(
            "DELETE FROM watchlist WHERE telegram_id = ? AND title_id = ?", (telegram_id, title_id)
        )
        return cur.rowcount > 0

    def watchlist(self, telegram_id: int) -> list[str]:
        rows = self._db.execute(
            "SELECT title_id FROM watchlist WHERE telegram_id = ? ORDER BY added_at, rowid",
            (telegram_id,),
        )
        return [r[0] for r in rows]

    def watchers(self, title_ids: Collection[str]) -> list[Watcher]:
        """People (not blocked) watching any of title_ids, with their platforms."""
        watched: dict[int, list[str]] = {}
        for chunk in _chunks(sorted(set(title_ids))):
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT telegram_id, title_id FROM watchlist w WHERE title_id IN ({marks}) "
                "AND NOT EXISTS (SELECT 1 FROM blocked_people b "
                "WHERE b.telegram_id = w.telegram_id) ORDER BY added_at, rowid",
                chunk,
            )
            for tid, title in rows:
                watched.setdefault(tid, []).append(title)
        platforms: dict[int, set[str]] = {}
        for chunk in _chunks(sorted(watched)):
            marks = ",".join("?" * len(chunk))
            query = "SELECT telegram_id, platform FROM person_platforms WHERE telegram_id IN "
            for tid, p in self._db.execute(f"{query} ({marks})", chunk):
                platforms.setdefault(tid, set()).add(p)
        return [
            Watcher(tid, tuple(titles), frozenset(platforms.get(tid, ())))
            for tid, titles in sorted(watched.items())
        ]

    # ----- /mydata and /deletemydata ---------------------------------------------------------
    def describe(self, telegram_id: int) -> PersonData:
        db = self._db
        db.execute("BEGIN")  # one snapshot for every table
        try:
            ratings = {
                title: rating
                for title, rating in db.execute(
                    "SELECT title_id, rating FROM ratings WHERE telegram_id = ? "
                    "ORDER BY ts, title_id",
                    (telegram_id,),
                )
            }
            (skips,) = db.execute(
                "SELECT count(*) FROM skips WHERE telegram_id = ?", (telegram_id,)
            ).fetchone()
            alerts = dict(
                db.execute(
                    "SELECT status, count(*) FROM alert_outbox WHERE telegram_id = ? "
                    "GROUP BY status",
                    (telegram_id,),
                ).fetchall()
            )
            blocked = db.execute(
                "SELECT 1 FROM blocked_people WHERE telegram_id = ?", (telegram_id,)
            ).fetchone()
            return PersonData(
                telegram_id,
                ratings,
                skips,
                self.language(telegram_id),
                frozenset(self.platforms(telegram_id)),
                tuple(self.watchlist(telegram_id)),
                alerts.get("pending", 0),
                alerts.get("sent", 0),
                blocked is not None,
            )
        finally:
            db.execute("COMMIT")

    def forget(self, telegram_id: int) -> dict[str, int]:
        """Delete every row of the person, in one transaction; the rows deleted per kind."""
        counts = dict.fromkeys(FORGET_KINDS, 0)
        with self._transaction() as db:
            for kind, table in PERSON_TABLES.items():
                cur = db.execute(f"DELETE FROM {table} WHERE telegram_id = ?", (telegram_id,))
                counts[kind] = cur.rowcount
            cur = db.execute(
                "UPDATE people SET telegram_id = -local_id WHERE telegram_id = ?", (telegram_id,)
            )
            counts["people"] = cur.rowcount
        return counts

    # ----- off the event loop ----------------------------------------------------------------
    async def set_language_async(self, telegram_id: int, lang: str) -> None:
        await self._run(True, self.set_language, telegram_id, lang)

    async def language_async(self, telegram_id: int) -> str | None:
        return await self._read(self.language, telegram_id)

    async def set_platforms_async(self, telegram_id: int, platforms: set[str]) -> None:
        await self._run(True, self.set_platforms, telegram_id, platforms)

    async def platforms_async(self, telegram_id: int) -> set[str]:
        return await self._read(self.platforms, telegram_id)

    async def watch_add_async(self, telegram_id: int, title_id: str) -> bool:
        return await self._run(True, self.watch_add, telegram_id, title_id)

    async def watch_remove_async(self, telegram_id: int, title_id: str) -> bool:
        return await self._run(True, self.watch_remove, telegram_id, title_id)

    async def watchlist_async(self, telegram_id: int) -> list[str]:
        return await self._read(self.watchlist, telegram_id)

    async def watchers_async(self, title_ids: Collection[str]) -> list[Watcher]:
        return await self._run(False, self.watchers, title_ids)

    async def describe_async(self, telegram_id: int) -> PersonData:
        return await self._run(False, self.describe, telegram_id)

    async def forget_async(self, telegram_id: int) -> dict[str, int]:
        return await self._run(True, self.forget, telegram_id)
