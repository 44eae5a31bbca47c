"""What every feature works with: the catalogue holder, the ratings store, the counters, the
reloader and the chart service, and the few helpers they share."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, TypeVar

from people import StoreFailure

from .chart_service import ChartService
from .pending import Bounded, PendingQuestions, RecentQueries
from .stats import Stats

if TYPE_CHECKING:
    from catalog.core import Catalog
    from people import PeopleStore

    from .operations import Reloader

log = logging.getLogger(__name__)
T = TypeVar("T")

PEOPLE_KEPT = 100_000  # people whose languages are kept in memory (the rest are read again)
ECHO_MAX = 50  # characters of a person's text we quote back in an answer


class Holder(Protocol):
    """catalog.holder.CatalogHolder as the bot sees it: the catalogue now in service."""

    @property
    def current(self) -> Catalog: ...


class StoreUnavailable(Exception):
    """The ratings database failed (locked too long, damaged, disk full): commands that need
    it say so; every other command keeps working."""


@dataclass
class Context:
    holder: Holder
    store: PeopleStore
    stats: Stats = field(default_factory=Stats)
    reloader: Reloader | None = None
    charts: ChartService = field(default_factory=ChartService)
    pending: PendingQuestions = field(default_factory=PendingQuestions)
    queries: RecentQueries = field(default_factory=RecentQueries)
    # the language each person chose with /language (None: none chosen), read once from the store
    languages: Bounded[int, str | None] = field(default_factory=lambda: Bounded(PEOPLE_KEPT))
    # the language each person's Telegram app reported last (alerts are written in it when
    # they chose none)
    seen_langs: Bounded[int, str] = field(default_factory=lambda: Bounded(PEOPLE_KEPT))

    @property
    def catalog(self) -> Catalog:
        # Read once per use: a /reload may swap it between two updates, never within one.
        return self.holder.current

    async def stored(self, call: Awaitable[T]) -> T:
        """Await a ratings-store call; a database that fails is StoreUnavailable (logged)."""
        try:
            return await call
        except StoreFailure as e:  # locked, damaged, disk full, server away (either database)
            log.error("ratings store unavailable: %s", e)
            raise StoreUnavailable(str(e)) from e


def echo(text: str, limit: int = ECHO_MAX) -> str:
    """What we quote back of a person's text: at most `limit` characters, then "…" (4,000
    "<" quoted in full once became four messages)."""
    return text if len(text) <= limit else text[:limit].rstrip() + "…"
