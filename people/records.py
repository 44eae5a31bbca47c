"""The types of the watchlist and alert part of the store (issue 15), shared by both databases.

Alerts go through a durable outbox with **at-least-once** delivery: an alert is a row keyed
`"<release>:<telegram id>:<title id>"` (enqueued any number of times, stored once), claimed by
one sender at a time under a lease, and marked sent only after Telegram acknowledged the
message. A sender killed between the send and the mark leaves the row leased; when the lease
expires another (or the restarted) sender claims it and sends it again. So an alert is never
lost, and is sent twice only when a sender died in that window -- Telegram's sendMessage has no
idempotency key, so no design can make "sent" and "marked" one atomic step; we chose a rare
duplicate over a rare silence. docs/alerts.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.vocabulary import LANGUAGES, PLATFORMS

WATCHLIST_CAP = 500  # titles per person: a guard against a runaway client, not a product limit
ALERT_STATUSES = ("pending", "sent", "failed", "blocked")
# Telegram user ids are positive: a forgotten person's row in `people` keeps its local number
# (never reused, so training exports stay unambiguous) under telegram_id = -local_id.


class WatchlistFull(ValueError):
    """The person's watchlist already holds `limit` titles. Not a store failure (the bot
    answers it as "remove some first", not as "store unavailable")."""

    def __init__(self, telegram_id: int, limit: int) -> None:
        super().__init__(f"the watchlist of {telegram_id} is full ({limit} titles)")
        self.telegram_id = telegram_id
        self.limit = limit


def alert_key(release: str, telegram_id: int, title_id: str) -> str:
    """The outbox's idempotency key: one alert per release, person and arrived title."""
    return f"{release}:{telegram_id}:{title_id}"


@dataclass(frozen=True)
class Alert:
    """One outbox row. `title_id` is the title as it arrived (the card to show), `watched_id`
    the id the person put on their watchlist (the same, or the title's id on its old platform),
    `platforms` the person's platforms it arrived on (all arrivals when they chose none)."""

    telegram_id: int
    title_id: str
    release: str
    platforms: tuple[str, ...]
    watched_id: str = ""
    due_at: float = 0.0
    attempts: int = 0  # claims so far, this one included
    key: str = ""

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(
                self, "key", alert_key(self.release, self.telegram_id, self.title_id)
            )
        if not self.watched_id:
            object.__setattr__(self, "watched_id", self.title_id)

    @property
    def chat_id(self) -> int:
        """A private chat's id is the person's Telegram id."""
        return self.telegram_id


@dataclass(frozen=True)
class Watcher:
    """A person (not blocked) watching some of the titles asked about, with their platforms
    (empty: they chose none, so anywhere counts)."""

    telegram_id: int
    title_ids: tuple[str, ...]
    platforms: frozenset[str]


@dataclass(frozen=True)
class PersonData:
    """Everything the store holds about one person (/mydata)."""

    telegram_id: int
    ratings: dict[str, float] = field(default_factory=dict)  # oldest first
    skips: int = 0
    language: str | None = None
    platforms: frozenset[str] = frozenset()
    watchlist: tuple[str, ...] = ()  # oldest first
    alerts_pending: int = 0
    alerts_sent: int = 0
    blocked: bool = False

    @property
    def ratings_count(self) -> int:
        return len(self.ratings)

    @property
    def empty(self) -> bool:
        return not (
            self.ratings or self.skips or self.language or self.platforms or self.watchlist
        ) and not (self.alerts_pending or self.alerts_sent or self.blocked)


# forget_async's counts, one per kind of row (tests and /deletemydata's answer read them)
FORGET_KINDS = (
    "ratings",
    "skips",
    "language",
    "platforms",
    "watchlist",
    "alerts",
    "blocked",
    "people",  # the local number kept, the Telegram id replaced by -local_id
)


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; one of {', '.join(LANGUAGES)}")
    return lang


def check_platforms(platforms: set[str] | frozenset[str]) -> list[str]:
    """The platform keys sorted, or ValueError naming the unknown ones."""
    unknown = sorted(set(platforms) - set(PLATFORMS))
    if unknown:
        raise ValueError(f"unknown platforms {unknown}; keys are {', '.join(PLATFORMS)}")
    return sorted(platforms)


def join_platforms(platforms: tuple[str, ...]) -> str:
    return ",".join(platforms)


def split_platforms(text: str) -> tuple[str, ...]:
    return tuple(p for p in text.split(",") if p)
