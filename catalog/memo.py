"""Answers already computed from one catalogue, kept for the next time they are asked.

A catalogue never changes after it is loaded (catalog/core.py), so an answer stays right for
as long as that catalogue serves; a reload builds a new catalogue with empty memos. Used where
the same computation comes back: a title's similar list is computed whole (50 titles, to
count its pages) and asked again for each page a person turns to and from every card of that
title; a where-to-watch page is asked again when the same words come from many people (a new
film's name) or a person turns back with «. Bounded (least recently used goes first) and safe
across the API's worker threads.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Memo(Generic[K, V]):
    """A bounded map from a question's parsed arguments to its (immutable) answer."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._answers: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: K, compute: Callable[[], V]) -> V:
        """The answer kept for `key`, else `compute()`'s (kept). Two threads missing the same
        key at once both compute it: the same answer, kept once."""
        with self._lock:
            try:
                found = self._answers[key]
            except KeyError:
                self.misses += 1
            else:
                self._answers.move_to_end(key)
                self.hits += 1
                return found
        value = compute()
        with self._lock:
            self._answers[key] = value
            if len(self._answers) > self.size:
                self._answers.popitem(last=False)
        return value

    def find(self, key: K) -> V | None:
        """The answer kept for `key` (now the most recently used), or None."""
        with self._lock:
            found = self._answers.get(key)
            if found is None:
                self.misses += 1
            else:
                self._answers.move_to_end(key)
                self.hits += 1
            return found

    def put(self, key: K, value: V) -> None:
        """Keep `value` for `key`, replacing what was kept (a longer answer to the same
        question)."""
        with self._lock:
            self._answers[key] = value
            self._answers.move_to_end(key)
            if len(self._answers) > self.size:
                self._answers.popitem(last=False)

    def __len__(self) -> int:
        return len(self._answers)
