"""What the people's-state store offers its callers, whichever database holds it: the
interface `PeopleStore` (the `*_async` methods: the bot never blocks its event loop on a
database), the errors, /status's view, and the export's file format.
"""

from __future__ import annotations

import csv
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from .records import Alert, PersonData, Watcher

DEFAULT_USER_ID_BASE = 1_000_000_000


class StoreError(Exception):
    """The store cannot be opened (a damaged file, a server that refuses us): the message says
    which and what to do."""


class StoreFailure(Exception):
    """One call the store could not complete, on either database: locked past the busy
    timeout, a damaged file, a full disk, a server unreachable past the retry budget, every
    pooled connection busy, a row that broke a constraint. Callers answer it as "the ratings
    store is unavailable" and keep every other command working; the message says which."""


class StoreBusy(StoreFailure):
    """Every connection of the pool stayed in use for the whole pool timeout."""


@dataclass(frozen=True)
class StoreStatus:
    """What /status shows of the store: counts when readable, and the database's own verdict."""

    ok: bool
    ratings: int | None
    people: int | None
    check: str  # "ok", or the first problems the check (or opening) reported


@runtime_checkable
class PeopleStore(Protocol):
    """People's state: ratings and skips (the titles not to offer again), the export for
    training, and the health /status shows. Every write is committed when its call returns."""

    schema_version: str | None  # the Alembic revision applied (people/migrations/versions/)

    @property
    def pending_writes(self) -> int:
        """Writes submitted and not finished (read on the event loop)."""
        ...

    async def add_async(self, telegram_id: int, title_id: str, rating: float) -> int:
        """Store (or replace) one rating; returns how many the person has now."""
        ...

    async def skip_async(self, telegram_id: int, title_id: str) -> None: ...

    async def ratings_async(self, telegram_id: int) -> dict[str, float]:
        """The person's ratings, oldest first."""
        ...

    async def seen_async(self, telegram_id: int) -> set[str]:
        """Titles the person rated or skipped: the rating flow does not offer them again."""
        ...

    async def count_async(self, telegram_id: int | None = None) -> int: ...

    async def people_async(self) -> int: ...

    async def status_async(self) -> StoreStatus:
        """Never raises: /status must answer even when the database is down or damaged."""
        ...

    async def export_csv_async(
        self, out: Path | str, user_id_base: int = DEFAULT_USER_ID_BASE
    ) -> int:
        """Every rating in the raw ratings format; returns the number of rows."""
        ...

    async def aclose(self) -> None: ...

    # ----- what a person chose, their watchlist, /mydata (issue 15; people/records.py) ----
    async def set_language_async(self, telegram_id: int, lang: str) -> None:
        """ValueError for a language not in domain.vocabulary.LANGUAGES."""
        ...

    async def language_async(self, telegram_id: int) -> str | None: ...

    async def set_platforms_async(self, telegram_id: int, platforms: set[str]) -> None:
        """Replace the person's platforms (keys of domain.vocabulary.PLATFORMS, else
        ValueError); an empty set means none chosen: alerts then come for any platform."""
        ...

    async def platforms_async(self, telegram_id: int) -> set[str]: ...

    async def watch_add_async(self, telegram_id: int, title_id: str) -> bool:
        """True when added, False when already there; raises WatchlistFull at the cap."""
        ...

    async def watch_remove_async(self, telegram_id: int, title_id: str) -> bool:
        """True when it was there."""
        ...

    async def watchlist_async(self, telegram_id: int) -> list[str]:
        """Title ids, oldest first."""
        ...

    async def watchers_async(self, title_ids: Collection[str]) -> list[Watcher]:
        """People (not blocked) watching any of title_ids, with their platforms."""
        ...

    async def describe_async(self, telegram_id: int) -> PersonData:
        """Everything stored about the person (/mydata), read in one snapshot."""
        ...

    async def forget_async(self, telegram_id: int) -> dict[str, int]:
        """Delete every row of the person in every table, in one transaction (the `people`
        row keeps its local number under telegram_id = -local_id); rows per kind."""
        ...

    # ----- the alert outbox: at-least-once, idempotent keys (people/records.py) ----------
    async def enqueue_alerts_async(self, alerts: Iterable[Alert]) -> int:
        """Store each alert once by its key (people who blocked the bot skipped); returns
        how many were new."""
        ...

    async def claim_alerts_async(
        self, limit: int, owner: str, lease_s: float, now: float | None = None
    ) -> list[Alert]:
        """Lease up to `limit` due, pending alerts to `owner` for `lease_s` seconds; no other
        claimer gets them until marked or the lease expires. Oldest due first."""
        ...

    async def mark_sent_async(self, key: str) -> None: ...

    async def mark_failed_async(self, key: str, error: str, retry_at: float | None) -> None:
        """Release the alert, due again at `retry_at` (epoch seconds); None gives up."""
        ...

    async def mark_blocked_async(self, telegram_id: int) -> int:
        """The person blocked the bot (403): skip their pending alerts (returned) and any
        enqueued later, until unblock_async."""
        ...

    async def unblock_async(self, telegram_id: int) -> bool:
        """The person talks to the bot again: alerts may reach them, and those held back at the
        block are due now. True if they were blocked."""
        ...

    async def outbox_counts_async(self) -> dict[str, int]:
        """Alerts per status (pending, sent, failed, blocked)."""
        ...


def write_ratings_csv(
    out: Path | str, rows: Iterable[tuple[int, float, int, str]], user_id_base: int
) -> int:
    """(local_id, rating, ts, title_id) rows as the raw ratings CSV (userId,rating,timestamp,
    movieId), written atomically: a reader never sees half a file."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    n = 0
    with tmp.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["userId", "rating", "timestamp", "movieId"])
        for local_id, rating, ts, title_id in rows:
            writer.writerow([user_id_base + local_id, f"{rating:g}", ts, title_id])
            n += 1
    tmp.replace(out)
    return n
