"""People's state on the command line: the export for training, and the move from SQLite to
PostgreSQL:

    python -m people export [--out FILE]
    python -m people copy --database-url postgresql://... [--db FILE]

export reads the store DATABASE_URL names (the environment or .env; unset: the SQLite file
under DATA_DIR), or `--db FILE` (a SQLite file) / `--database-url URL`. copy copies the SQLite
file (`--db`, default the one under DATA_DIR) into an empty PostgreSQL database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from . import DEFAULT_USER_ID_BASE, PeopleStore, StoreError, StoreFailure, open_store, sqlite_path
from .settings import StoreSettings
from .transfer import copy_sqlite_to_postgres
from .urls import safe_url


def _source(db: str | None, url: str | None) -> tuple[str | None, Path]:
    """(DATABASE_URL or None, the SQLite file used when it is None)."""
    if db:
        return None, Path(db)
    if url:
        return url, Path()
    settings = StoreSettings()
    return settings.database_url_value, settings.ratings_db


async def _export(store: PeopleStore, out: str, base: int) -> int:
    try:
        return await store.export_csv_async(out, base)
    finally:
        await store.aclose()


def _copy(db: str | None, url: str | None) -> int:
    if not url or not url.startswith(("postgresql://", "postgres://")):
        print("copy needs the target: --database-url postgresql://... (or DATABASE_URL)")
        return 2
    sqlite_file = Path(db) if db else _source(None, None)[1]
    if not sqlite_file.exists():
        print(f"no ratings database at {sqlite_file}")
        return 1
    try:
        counts = copy_sqlite_to_postgres(sqlite_file, url)
    except StoreError as e:
        print(e)
        return 1
    done = ", ".join(f"{n} {table}" for table, n in counts.items())
    print(f"copied {done} from {sqlite_file} to {safe_url(url)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Export the chat ratings for training")
    parser.add_argument("command", choices=["export", "copy"])
    parser.add_argument("--db", help="a SQLite ratings file (wins over DATABASE_URL)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or None)
    parser.add_argument("--out", default="data/raw/ratings/telegram_ratings.csv")
    parser.add_argument("--user-id-base", type=int, default=DEFAULT_USER_ID_BASE)
    args = parser.parse_args(argv)
    try:
        url, sqlite_file = _source(args.db, args.database_url)
    except ValueError as e:  # pydantic's ValidationError: a bad setting in the environment
        print(f"bad settings: {e}")
        return 2
    if args.command == "copy":
        return _copy(args.db, args.database_url or _source(None, None)[0])
    if url and url.startswith("sqlite:///"):
        sqlite_file = sqlite_path(url)
        url = None
    if url is None and not sqlite_file.exists():
        # Opening would create an empty database: say there is none instead.
        print(f"no ratings database at {sqlite_file}")
        return 1
    try:
        store = open_store(url, sqlite_file)
        n = asyncio.run(_export(store, args.out, args.user_id_base))
    except (StoreError, StoreFailure) as e:
        print(e)
        return 1
    print(f"wrote {n} ratings to {args.out} from {safe_url(url) if url else sqlite_file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
