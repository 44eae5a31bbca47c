"""Name index for title search that people can trust: whole titles and phrases before loose words.

Every name that holds all the query's words (a misspelt word may stand for a close vocabulary
word, the last word may be unfinished) is a match; the matches are ranked in tiers (docs/
architecture.md, "Search"):

    exact name (100) > the exact name plus a parenthesised tail, 'The Office (U.S.)', or less
    a leading article, 'The Lion King' for 'lion king' (99)
    > an exact name reached through a typo fix (95-98) > names that start with the query (90-95)
    > names that hold the query as a phrase (85-90) > the words in any order (80-85)

and inside a tier by typo distance, then popularity (votes summed over the name's rows), then
shorter names. Only when no name holds every word, names holding at least half of them (one not
a stop word such as 'the'/'el') are offered (60-80), and only when not even that, whole-name
edit similarity (rapidfuzz QRatio >= FUZZY_CUTOFF) for names typed badly as a whole: a query
with no real word in common with any name and only weak similarity matches nothing.

Speed (figures in docs/benchmarks.md): a misspelt word is looked up in a deletion index
(SymSpell, edit distance 1: a dropped, doubled, swapped or replaced letter) instead of scanning
the vocabulary, exact names and phrases are binary searches in a sorted list of every name's
word suffixes, and a tier is ranked with numpy (argpartition) over precomputed popularity ranks;
the whole-name scan, the slowest step, only runs for queries that match no word at all.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from catalog.search_match import WordMatcher
from catalog.search_words import (
    BANDS,
    EXACT,
    FIXED,
    FUZZY,
    MAX_PHRASES,
    MAX_WORD_ALTERNATIVES,
    MIN_PREFIX,
    PARTIAL,
    PENALTY_SCALE,
    PHRASE,
    PREFIX,
    VARIANT,
    WORDS,
    Options,
    canonical_words,
)
from catalog.text import fold


@dataclass(frozen=True)
class Ranked:
    """A search: `found` = every matching name's index (unordered), `hits` = the best
    (name index, match) pairs in order, from the `offset` asked for."""

    found: np.ndarray
    hits: list[tuple[int, float]]

    @property
    def total(self) -> int:
        return len(self.found)


NOTHING = Ranked(np.empty(0, dtype=np.int64), [])


class NameIndex(WordMatcher):
    """Unique folded names, each with the catalogue rows that carry it; `search` ranks them."""

    # the word matching (_all_words, _last_word, _partial) is WordMatcher's: search_match.py

    # ---------------------------------------------------------------- phrases

    def _phrase_tiers(
        self, words: list[str], per_word: list[Options]
    ) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """(tier, name idx, penalty) of the names that are, or start with, or hold the query
        spelt with each word's best stand-ins (least penalty first)."""
        keep = MAX_WORD_ALTERNATIVES if len(per_word) == 1 else 2
        best = [sorted(options, key=lambda o: o[1])[:keep] for options in per_word]
        spelt = [
            (" ".join(o[2] for o in combo if o[2]), sum(o[1] for o in combo), combo[-1][2])
            for combo in itertools.product(*best)
        ]
        spelt.sort(key=lambda sp: sp[1])
        short = len(words) == 1 and len(words[0]) < MIN_PREFIX
        tiers: list[tuple[int, np.ndarray, np.ndarray]] = []
        for phrase, penalty, last in spelt[:MAX_PHRASES]:
            exact = self.exact.get(phrase, [])
            if exact:
                tiers.append((EXACT if penalty == 0 else FIXED, np.array(exact),
                              np.full(len(exact), penalty)))  # fmt: skip
            variants = self.variants.get(phrase, [])
            if variants:
                tiers.append((VARIANT if penalty == 0 else FIXED, np.array(variants),
                              np.full(len(variants), penalty)))  # fmt: skip
            # The typed last word may be unfinished; a stand-in for it is a whole word.
            names, at_start = self._suffix_range(phrase, short or last != words[-1])
            for tier, sel in ((PREFIX, at_start), (PHRASE, ~at_start)):
                if sel.any():
                    tiers.append((tier, names[sel], np.full(int(sel.sum()), penalty)))
        return tiers

    # ---------------------------------------------------------------- ranking

    def _top(self, idx: np.ndarray, penalty: np.ndarray, need: int) -> np.ndarray:
        """Positions of the `need` best of idx by (penalty, popularity rank), in order."""
        key = np.round(penalty, 3) * (len(self.rank) + 1) + self.rank[idx]
        if len(key) > need:
            part = np.argpartition(key, need - 1)[:need]
            return part[np.argsort(key[part], kind="stable")]
        return np.argsort(key, kind="stable")

    def search(self, query: str, offset: int = 0, limit: int = 10) -> Ranked:
        """The `limit` best names from `offset` for the raw query text, and how many match."""
        words = canonical_words(fold(query))
        if not words:
            return NOTHING
        need = offset + limit
        everything: dict[int, float] | None = None
        if len(words) == 1:
            # One word: every name holding it (or a stand-in) holds it as a phrase, so the
            # suffix lookups below find them all; no set of every match is built ('the' is in
            # ~5,000 names).
            per_word = [self._options(words[0], last=True, single=True)]
            matched = bool(per_word[0])
        else:
            everything, per_word = self._all_words(words)
            matched = bool(everything)
        if matched:
            tiers = self._phrase_tiers(words, per_word)
            if everything is not None:
                idx = np.fromiter(everything.keys(), dtype=np.int64, count=len(everything))
                pen = np.fromiter(everything.values(), dtype=np.float64, count=len(everything))
                tiers.append((WORDS, idx, pen))
            tiers.sort(key=lambda t: t[0])
            # Phrase lookups complete the last word without the bound of _prefixed: count them.
            found = np.zeros(len(self.names), dtype=bool)
            for t in tiers:
                found[t[1]] = True
            return Ranked(np.flatnonzero(found), self._page(tiers, offset, need))
        partial = self._partial(words) if len(words) > 1 else {}
        if partial:
            idx = np.fromiter(partial.keys(), dtype=np.int64, count=len(partial))
            pen = np.fromiter(partial.values(), dtype=np.float64, count=len(partial))
            return Ranked(idx, self._page([(PARTIAL, idx, pen)], offset, need))
        fuzzy = self._whole_name(" ".join(words)) if max(map(len, words)) >= 2 else {}
        idx = np.fromiter(fuzzy.keys(), dtype=np.int64, count=len(fuzzy))
        pen = np.fromiter(fuzzy.values(), dtype=np.float64, count=len(fuzzy))
        return Ranked(idx, self._page([(FUZZY, idx, pen)], offset, need))

    def _page(
        self, tiers: list[tuple[int, np.ndarray, np.ndarray]], offset: int, need: int
    ) -> list[tuple[int, float]]:
        out: list[tuple[int, float]] = []
        seen = np.zeros(len(self.names), dtype=bool)
        for tier, idx, pen in tiers:
            if len(out) >= need:
                break
            keep = ~seen[idx]
            idx, pen = idx[keep], pen[keep]
            top, width = BANDS[tier]
            # A name may come twice within a tier (two phrases, or the phrase twice in it).
            for k in self._top(idx, pen, need - len(out) + 8).tolist():
                i = int(idx[k])
                if seen[i]:
                    continue
                seen[i] = True
                out.append((i, top - width * min(float(pen[k]), PENALTY_SCALE) / PENALTY_SCALE))
                if len(out) >= need:
                    break
            seen[idx] = True
        # Match never rises down the list (a penalty capped at PENALTY_SCALE ties, not flips).
        for k in range(1, len(out)):
            if out[k][1] > out[k - 1][1]:
                out[k] = (out[k][0], out[k - 1][1])
        return out[offset:need]
