"""Ratings people give in the chat, kept in SQLite so they survive restarts.

WAL mode lets the export (or a backup) read while the bot writes; synchronous=FULL plus an
explicit commit before we answer "saved" means an acknowledged rating is on disk. Telegram
user ids can exceed the int32 `userId` of the ratings files, so each person also gets a small
local number, and the export writes `user_id_base + local` (disjoint from the dataset's ids).
"""

from __future__ import annotations

import csv
import sqlite3
import time
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS people (
    local_id INTEGER PRIMARY KEY,
    telegram_id INTEGER NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS ratings (
    telegram_id INTEGER NOT NULL,
    title_id TEXT NOT NULL,
    rating REAL NOT NULL CHECK (rating BETWEEN 0.5 AND 5),
    ts INTEGER NOT NULL,
    PRIMARY KEY (telegram_id, title_id)
);
CREATE TABLE IF NOT EXISTS skips (
    telegram_id INTEGER NOT NULL,
    title_id TEXT NOT NULL,
    PRIMARY KEY (telegram_id, title_id)
);
"""
DEFAULT_USER_ID_BASE = 1_000_000_000


class RatingsStore:
    """One connection, used from the event loop thread only (each call is well under 1 ms)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    def add(self, telegram_id: int, title_id: str, rating: float) -> int:
        """Store (or replace) one rating, committed when this returns; returns how many the
        person has now."""
        with self._db:  # BEGIN ... COMMIT
            # A person's local number never changes, so exports stay comparable over time.
            self._db.execute(
                "INSERT INTO people (telegram_id) SELECT ? "
                "WHERE NOT EXISTS (SELECT 1 FROM people WHERE telegram_id = ?)",
                (telegram_id, telegram_id),
            )
            self._db.execute(
                "INSERT OR REPLACE INTO ratings VALUES (?, ?, ?, ?)",
                (telegram_id, title_id, float(rating), int(time.time())),
            )
            self._db.execute(
                "DELETE FROM skips WHERE telegram_id = ? AND title_id = ?", (telegram_id, title_id)
            )
        return self.count(telegram_id)

    def skip(self, telegram_id: int, title_id: str) -> None:
        with self._db:
            self._db.execute("INSERT OR IGNORE INTO skips VALUES (?, ?)", (telegram_id, title_id))

    def ratings(self, telegram_id: int) -> dict[str, float]:
        rows = self._db.execute(
            "SELECT title_id, rating FROM ratings WHERE telegram_id = ? ORDER BY ts, title_id",
            (telegram_id,),
        )
        return {title_id: rating for title_id, rating in rows}

    def seen(self, telegram_id: int) -> set[str]:
        """Titles the person rated or skipped: the rating flow does not offer them again."""
        rows = self._db.execute(
            "SELECT title_id FROM ratings WHERE telegram_id = ? "
            "UNION SELECT title_id FROM skips WHERE telegram_id = ?",
            (telegram_id, telegram_id),
        )
        return {r[0] for r in rows}

    def count(self, telegram_id: int | None = None) -> int:
        if telegram_id is None:
            return self._db.execute("SELECT COUNT(*) FROM ratings").fetchone()[0]
        return self._db.execute(
            "SELECT COUNT(*) FROM ratings WHERE telegram_id = ?", (telegram_id,)
        ).fetchone()[0]

    def people(self) -> int:
        return self._db.execute("SELECT COUNT(DISTINCT telegram_id) FROM ratings").fetchone()[0]

    def export_csv(self, out: Path | str, user_id_base: int = DEFAULT_USER_ID_BASE) -> int:
        """Write every rating in the raw ratings format (userId,rating,timestamp,movieId) so the
        next training can include it; returns the number of rows."""
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        rows = self._db.execute(
            "SELECT p.local_id, r.rating, r.ts, r.title_id FROM ratings r "
            "JOIN people p USING (telegram_id) ORDER BY p.local_id, r.ts, r.title_id"
        ).fetchall()
        tmp = out.with_suffix(out.suffix + ".tmp")
        with tmp.open("w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["userId", "rating", "timestamp", "movieId"])
            for local_id, rating, ts, title_id in rows:
                writer.writerow([user_id_base + local_id, f"{rating:g}", ts, title_id])
        tmp.replace(out)  # atomic: a reader never sees half a file
        return len(rows)


def main(argv: list[str] | None = None) -> int:
    """`python -m bot.ratings_store export --db data/state/ratings.sqlite3 --out FILE`."""
    import argparse

    parser = argparse.ArgumentParser(description="Export the chat ratings for training")
    parser.add_argument("command", choices=["export"])
    parser.add_argument("--db", default="data/state/ratings.sqlite3")
    parser.add_argument("--out", default="data/raw/ratings/telegram_ratings.csv")
    parser.add_argument("--user-id-base", type=int, default=DEFAULT_USER_ID_BASE)
    args = parser.parse_args(argv)
    if not Path(args.db).exists():
        print(f"no ratings database at {args.db}")
        return 1
    store = RatingsStore(args.db)
    n = store.export_csv(args.out, args.user_id_base)
    store.close()
    print(f"wrote {n} ratings to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
