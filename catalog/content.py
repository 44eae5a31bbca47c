"""Similar titles by what they are made of -- genres, cast, director -- for titles the model has
no factors for (nobody rated them in training) or when no model is loaded: /similar must not
be a dead end for most of a catalogue whose ratings cover a part of it.

Each shared feature counts by its rarity (inverse document frequency: sharing a director says
more than sharing "Dramas"), a title of the same kind counts a little more, and the similarity
shown is the share of the asked title's own weight that the other one shares (0..1)."""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from catalog.rows import TitleRows
from domain.genres import genre_keys

SAME_KIND = 1.25  # a film for a film, a show for a show, all else equal
KIND_WEIGHT = {"g": 1.0, "c": 1.5, "d": 2.0}  # genre, cast member, director


@dataclass(frozen=True, eq=False)
class ContentIndex:
    features: Sequence[tuple[tuple[str, str], ...]]  # per row: its (kind, value) features
    rows_of: dict[tuple[str, str], np.ndarray]  # feature -> rows carrying it (int32)
    weight: dict[tuple[str, str], float]  # feature -> its weight (kind weight x idf)
    kind: np.ndarray  # per row: its kind's code, to favour the same kind
    tiebreak: np.ndarray  # per row: a tiny bonus by votes, so equal scores go to the known


def _split(text: str | None) -> list[str]:
    return [p.strip().lower() for p in (text or "").split(",") if p.strip()]


def build_content(rows: TitleRows) -> ContentIndex:
    listed_in = rows.display_text.get("listed_in") or [None] * len(rows)
    features: list[tuple[tuple[str, str], ...]] = []
    carrying: dict[tuple[str, str], list[int]] = defaultdict(list)
    for r in range(len(rows)):
        if rows.test[r]:
            features.append(())
            continue
        # cross-platform genre keys: Netflix's "Dramas" and Amazon's "Drama" are one genre
        found = {("g", g) for g in genre_keys(listed_in[r])}
        found |= {("c", c) for c in _split(rows.cast[r])}
        found |= {("d", d) for d in _split(rows.display_director[r])}
        features.append(tuple(found))
        for f in found:
            carrying[f].append(r)
    n = max(1, len(rows))
    rows_of = {f: np.asarray(rs, dtype=np.int32) for f, rs in carrying.items()}
    weight = {f: KIND_WEIGHT[f[0]] * math.log(1 + n / len(rs)) for f, rs in carrying.items()}
    codes = {k: i for i, k in enumerate(sorted(set(rows.kind)))}
    kind = np.fromiter((codes[k] for k in rows.kind), dtype=np.int8, count=len(rows))
    tiebreak = 1e-6 * np.log1p(np.asarray(rows.votes, dtype=np.float64))
    return ContentIndex(features, rows_of, weight, kind, tiebreak)


class ContentSimilarity:
    """Built on first use (a catalogue that is never asked pays nothing), once."""

    def __init__(self, rows: TitleRows) -> None:
        self.rows = rows
        self._index: ContentIndex | None = None
        self._lock = threading.Lock()
        # row -> total (ints; two threads may both count one, with the same result)
        self._totals: dict[int, int] = {}

    def index(self) -> ContentIndex:
        if self._index is None:
            with self._lock:
                if self._index is None:
                    self._index = build_content(self.rows)
        return self._index

    def total(self, row: int) -> int:
        """How many titles `similar` can list for `row`: those sharing anything with it, other
        than its own film (same name) and test rows (kept per row, asked again per page)."""
        found = self._totals.get(row)
        if found is None:
            found = self._totals[row] = self._count(row)
        return found

    def _count(self, row: int) -> int:
        ix = self.index()
        if not any(ix.weight[f] > 0 for f in ix.features[row]):
            return 0
        shares = np.zeros(len(self.rows), dtype=bool)
        for f in ix.features[row]:
            if ix.weight[f] > 0:
                shares[ix.rows_of[f]] = True
        name = self.rows.folded[row]
        return sum(
            1
            for r in np.flatnonzero(shares).tolist()
            if self.rows.folded[r] != name and not self.rows.test[r]
        )

    def similar(self, row: int, count: int) -> list[tuple[int, float]]:
        """(row, similarity 0..1) of the `count` titles most like `row`, best first; another
        row of the same film (same name on another platform) is left out."""
        ix = self.index()
        own = ix.features[row]
        total = sum(ix.weight[f] for f in own)
        if not own or total <= 0:
            return []
        rows = self.rows
        scores = np.zeros(len(rows), dtype=np.float64)
        for f in own:
            scores[ix.rows_of[f]] += ix.weight[f]
        shared = scores / total
        ranked = shared * np.where(ix.kind == ix.kind[row], SAME_KIND, 1.0) + ix.tiebreak
        ranked[shared <= 0] = 0.0
        ranked[row] = 0.0
        name = rows.folded[row]
        picked: list[tuple[int, float]] = []
        # Every title sharing something, best first and equal scores by row: a page of n and
        # the first n of a longer list must agree (a partial sort picked among ties at its edge
        # differently for different lengths, so paged answers skipped or repeated titles).
        candidates = np.flatnonzero(ranked > 0)
        for r in candidates[np.lexsort((candidates, -ranked[candidates]))]:
            if rows.folded[r] == name or rows.test[r]:
                continue
            picked.append((int(r), float(min(1.0, shared[r]))))
            if len(picked) == count:
                break
        return picked
