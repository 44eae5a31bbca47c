"""Watchlist alerts (issue 15): after a release is published, one alert per person and watched
title that became available on one of their platforms (anywhere, if they chose none), queued in
the store's durable outbox; `alerts/sender.py` delivers them. docs/alerts.md.

What arrived is read from the release's `changes.parquet` (refresh/changes.py, docs/refresh.md):
the `by = "name"` rows whose change is added, moved or also_on, keyed by normalised title +
release year, so a title watched under its Hulu id is recognised when it arrives on Disney+
under another id. "Became available" is exact: the title is now on one of the person's
platforms and was on none of them before (an also_on arrival on Netflix says nothing to someone
who already had it on Hulu; for someone with no platforms only a title new everywhere counts).

Queueing is idempotent (keys `<release>:<person>:<title>`), so every replica, or a restarted
bot, may call `alerts_for_release` for the same release: each alert is stored once.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from domain.text import fold
from domain.vocabulary import PLATFORMS
from people.base import PeopleStore
from people.records import Alert

ARRIVALS = ("added", "moved", "also_on")  # the name changes that make a title available
CHANGES_FILE = "changes.parquet"
TITLES_FILE = Path("processed") / "titles.parquet"
PER_PERSON_SPACING = 1.0  # seconds between one person's alerts: Telegram's 1 message/s per chat


def name_key(title: str | None, release_year: Any) -> str:
    """The key changes.parquet names a title by: refresh makes it with the same fold."""
    return f"{fold(title)}|{release_year}"


@dataclass(frozen=True)
class Arrival:
    """A title that arrived on `platform` in this release (`title_id` is its id there)."""

    name_key: str
    platform: str
    title_id: str
    title: str
    release_year: int | None
    change: str  # added, moved, also_on
    from_platform: str | None


@dataclass(frozen=True)
class QueueResult:
    release: str
    arrivals: int  # (title, platform) arrivals in the release
    watchers: int  # people watching one of the arrived titles
    alerts: int  # alerts due to them
    queued: int  # of which new in the outbox (the rest were queued by an earlier call)


def release_version(release_dir: Path | str) -> str:
    """The release's version: its folder's name (`current` resolved)."""
    return Path(release_dir).resolve().name


def _changes(release_dir: Path) -> list[dict[str, Any]]:
    path = release_dir / CHANGES_FILE
    if not path.exists():  # the first release has nothing to compare with
        return []
    rows: list[dict[str, Any]] = pq.read_table(path).to_pylist()
    return rows


def arrivals(release_dir: Path | str) -> list[Arrival]:
    """What arrived in this release, per platform (also what /new lists)."""
    out = []
    for r in _changes(Path(release_dir)):
        if r["by"] == "name" and r["change"] in ARRIVALS:
            out.append(
                Arrival(
                    r["name_key"],
                    r["platform"],
                    r["id"],
                    r["title"],
                    r["release_year"],
                    r["change"],
                    r["from_platform"],
                )
            )
    return out


@dataclass
class _Title:
    """One arrived title (by name): where it is now, where it arrived, where it left."""

    now: set[str]
    gained: dict[str, str]  # platform -> the title's id there
    lost: set[str]

    def news_for(self, platforms: frozenset[str]) -> list[str]:
        """The person's platforms it arrived on, if it was on none of theirs before."""
        mine = platforms or frozenset(PLATFORMS)
        before = (self.now - set(self.gained)) | self.lost
        if before & mine:
            return []
        return sorted(set(self.gained) & mine)


def _arrived_titles(release_dir: Path) -> tuple[dict[str, _Title], dict[str, str]]:
    """(name key -> _Title, watched id -> name key) for the titles that arrived."""
    changes = _changes(release_dir)
    titles: dict[str, _Title] = {}
    for r in changes:
        if r["by"] == "name" and r["change"] in ARRIVALS:
            t = titles.setdefault(r["name_key"], _Title(set(), {}, set()))
            t.gained.setdefault(r["platform"], r["id"])
    if not titles:
        return {}, {}
    ids: dict[str, str] = {}
    for r in changes:
        key = r["name_key"]
        if r["by"] == "name" and key in titles:
            if r["change"] == "moved":
                titles[key].lost.add(r["from_platform"])
            elif r["change"] == "left":
                titles[key].lost.add(r["platform"])
        elif r["by"] == "id" and r["change"] == "removed":
            ids[r["id"]] = name_key(r["title"], r["release_year"])  # the old id of a move
    table = pq.read_table(
        release_dir / TITLES_FILE, columns=["id", "platform", "title", "release_year"]
    )
    for tid, platform, title, year in zip(
        *(table[c].to_pylist() for c in table.column_names), strict=True
    ):
        key = name_key(title, year)
        if key in titles:
            titles[key].now.add(platform)
            ids[tid] = key
    for key, t in titles.items():
        for tid in t.gained.values():
            ids[tid] = key
    return titles, {tid: key for tid, key in ids.items() if key in titles}


async def alerts_for_release(
    release_dir: Path | str, store: PeopleStore, now: float | None = None
) -> QueueResult:
    """Queue the release's watchlist alerts in the store's outbox (idempotent: see module).
    One person's alerts are due PER_PERSON_SPACING apart, so people interleave in the queue."""
    release_dir = Path(release_dir).resolve()
    release = release_dir.name
    titles, ids = _arrived_titles(release_dir)
    watchers = await store.watchers_async(ids) if ids else []
    start = time.time() if now is None else now
    queue: list[Alert] = []
    for w in watchers:
        seen: set[str] = set()
        for watched in w.title_ids:
            key = ids[watched]
            news = titles[key].news_for(w.platforms)
            if not news or key in seen:  # two watched ids of one title: one alert
                continue
            seen.add(key)
            due = start + PER_PERSON_SPACING * len(seen) - PER_PERSON_SPACING
            arrived = titles[key].gained[news[0]]
            queue.append(Alert(w.telegram_id, arrived, release, tuple(news), watched, due))
    queued = await store.enqueue_alerts_async(queue) if queue else 0
    count = sum(len(t.gained) for t in titles.values())
    return QueueResult(release, count, len(watchers), len(queue), queued)


def grouped_arrivals(release_dir: Path | str) -> dict[str, list[Arrival]]:
    """Arrivals per platform, sorted by title (a helper for /new)."""
    out: dict[str, list[Arrival]] = defaultdict(list)
    for a in sorted(arrivals(release_dir), key=lambda a: (a.platform, fold(a.title))):
        out[a.platform].append(a)
    return dict(out)
