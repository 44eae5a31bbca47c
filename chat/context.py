"""What every feature works with: the catalogue holder, the ratings store, the counters, the
reloader and the chart service, and the few helpers they share."""

from __future__ import annotations

import logging
import time
import weakref
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, TypeVar

from people import StoreFailure

from .callbacks import tokens_of
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
# A person found writing is not asked to be unblocked again within this long (one store write
# per person per RECHECK, not one per message). The sender's own 403 forgets it at once; one
# seen by another replica's sender is noticed after at most this long, or at their next /start.
REACHABLE_RECHECK_S = 600.0
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
    # people seen writing to the bot in private (monotonic time): not blocked then (wrote)
    reachable: Bounded[int, float] = field(default_factory=lambda: Bounded(PEOPLE_KEPT))
    # per catalogue: the title tokens of its ids that callback data cannot carry as they are
    # (chat/callbacks.py), built on the first press that needs one
    _tokens: weakref.WeakKeyDictionary[Catalog, dict[str, str | None]] = field(
        default_factory=weakref.WeakKeyDictionary, repr=False
    )

    @property
    def catalog(self) -> Catalog:
        # Read once per use: a /reload may swap it between two updates, never within one.
        return self.holder.current

    def title_of_token(self, token: str) -> str | None:
        """The id of the served catalogue's title written as `token` in callback data."""
        catalog = self.catalog
        known = self._tokens.get(catalog)
        if known is None:
            known = self._tokens[catalog] = tokens_of(catalog.index.rows.ids)
        return known.get(token)

    async def wrote(self, user_id: int, always: bool = False) -> None:
        """The person wrote to the bot in their private chat, so they do not block it (again):
        their alerts may reach them, those held back at a block too (store.unblock_async). At
        most once per REACHABLE_RECHECK_S per person, unless `always` (/start: what Telegram
        sends when someone restarts a bot they had blocked): a read, and a write only for a
        person marked blocked. A store failure only logs: the answer matters more, and the next
        message tries again."""
        now = time.monotonic()
        seen = self.reachable.get(user_id)
        if not always and seen is not None and now - seen < REACHABLE_RECHECK_S:
            return
        try:
            # A read first (it never waits for SQLite's write lock): almost nobody is blocked,
            # and a write per new person would hold their answer behind any other write.
            blocked = (await self.store.describe_async(user_id)).blocked
            if blocked and await self.store.unblock_async(user_id):
                log.info("user %s writes to the bot again: unblocked, alerts resume", user_id)
        except StoreFailure as e:  # either database: the store says so in one type
            log.warning("unblocking %s failed (tried again at the next message): %s", user_id, e)
            return
        self.reachable.put(user_id, now)

    def unreachable(self, user_id: int) -> None:
        """A send to the person was refused as blocked: their next message unblocks them."""
        self.reachable.pop(user_id, None)

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
