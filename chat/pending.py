"""The question the bot last asked each person ("Which title?"), kept for a while, so that
the next plain message answers it: a command tapped in Telegram's menu arrives with no
arguments, and the person's next message is its argument, not a new search.

Kept in memory: a restart or a second replica forgets it, and the person's next message is then
a title search, which is what it would have been without the question (docs/bot.md).
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")
TTL_SECONDS = 15 * 60  # a question older than this is forgotten
MAX_PEOPLE = 50_000  # the oldest questions go first past this (memory stays bounded)


class Bounded(OrderedDict[K, V]):
    """A dict that forgets its oldest entries past `limit`: what the bot remembers per person
    in memory stays bounded however many people write."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def put(self, key: K, value: V) -> None:
        """Set `key` as the newest entry, dropping the oldest past the limit."""
        self.pop(key, None)
        self[key] = value
        while len(self) > self.limit:
            self.popitem(last=False)


@dataclass(frozen=True)
class Question:
    """A question asked in words ("Which title?": the answer goes to `command`), or with
    buttons (`state`: the callback data of the menu as asked, whose typed answer goes to the
    registry's answer handler for its action, as a press of the matching button would), or a
    "Which one?" (`choices`: each button's label and data; a typed reply naming exactly one
    of them presses it, chat/choices.py, and any other is what it would have been unasked)."""

    command: str = ""  # the registry name of the command the answer goes to
    state: str = ""  # a button question: the callback data of the menu as it was asked
    choices: tuple[tuple[str, str], ...] = ()  # a "Which one?": (label, data) per button


class PendingQuestions:
    """One open question per person, forgotten after `ttl` seconds or when answered."""

    def __init__(
        self,
        ttl: float = TTL_SECONDS,
        max_people: int = MAX_PEOPLE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.clock = clock
        self._open: Bounded[int, tuple[float, Question]] = Bounded(max_people)

    def ask(self, user_id: int, question: Question) -> None:
        self._open.put(user_id, (self.clock() + self.ttl, question))

    def take(self, user_id: int) -> Question | None:
        """The person's open question (now closed), or None when there is none or it expired."""
        entry = self._open.pop(user_id, None)
        if entry is None or entry[0] < self.clock():
            return None
        return entry[1]

    def drop(self, user_id: int) -> None:
        """A new command replaces whatever was asked before."""
        self._open.pop(user_id, None)

    def __len__(self) -> int:
        return len(self._open)


class RecentQueries:
    """The texts of recent searches by a short token, so a pager's buttons (64 bytes of
    callback data) can turn the pages of a query of any length. Bounded; a forgotten token is
    an expired menu. A token belongs to the chat it was made in: pressed (or forged) in another
    chat it is unknown, so no chat can page through another's searches."""

    def __init__(self, max_queries: int = 20_000) -> None:
        self._texts: Bounded[tuple[int, str], str] = Bounded(max_queries)

    def token(self, text: str, chat_id: int = 0) -> str:
        token = hashlib.blake2s(f"{chat_id}\n{text}".encode(), digest_size=4).hexdigest()
        self._texts.put((chat_id, token), text)
        return token

    def text(self, token: str, chat_id: int = 0) -> str | None:
        return self._texts.get((chat_id, token))
