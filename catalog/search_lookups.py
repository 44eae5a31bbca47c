"""The name index's per-word lookups over its tables (catalog/search_tables.py): a word as
itself, as a prefix, as two words typed as one, or through a close vocabulary word (penalty =
edit distance); phrases in the sorted suffixes, and the whole-name similarity scan.
`WordLookups` is the base of catalog/search_match.py's `WordMatcher`."""

from __future__ import annotations

import bisect
import itertools

import numpy as np
from rapidfuzz import fuzz, process

from catalog.search_tables import NameTables
from catalog.search_words import (
    CLOSE_CACHE,
    FUZZY_CUTOFF,
    MAX_PREFIX_WORDS,
    MAX_WORD_ALTERNATIVES,
    MIN_PREFIX,
    PENALTY_SCALE,
    WORD_CUTOFF,
    Options,
)


class WordLookups(NameTables):
    """Lookups of one word (or phrase) in the tables; every answer is a list of Options."""

    def _joined(self, word: str) -> Options:
        """Names holding two adjacent words typed as one ('spiderman' -> 'spider man'), at a
        penalty of 1; [] when no name does. Looked up at query time: indexing every adjacent
        pair made each load slower (docs/benchmarks.md)."""
        if len(word) < 3 or word in self.postings:
            return []
        found: set[int] = set()
        spelt = ""
        for k in range(1, len(word)):
            first, second = word[:k], word[k:]
            if first not in self.postings or second not in self.postings:
                continue
            for i in self.postings[first] & self.postings[second]:
                if any(a == first and b == second for a, b in itertools.pairwise(self.words[i])):
                    found.add(i)
                    spelt = spelt or f"{first} {second}"
        return [(found, 1.0, spelt)] if found else []

    # ---------------------------------------------------------------- word options

    def _prefixed(self, prefix: str) -> set[int]:
        """Names holding a word that starts with `prefix` (bounded for very short prefixes)."""
        start = bisect.bisect_left(self.vocabulary, prefix)
        found: set[int] = set()
        for word in self.vocabulary[start : start + MAX_PREFIX_WORDS]:
            if not word.startswith(prefix):
                break
            found |= self.postings[word]
        return found

    def _exact_options(self, word: str, complete: bool) -> Options:
        """Names holding the word itself, or the word as a prefix (`complete`); no typos."""
        if complete and len(word) >= MIN_PREFIX:
            prefixed = self._prefixed(word)
            if prefixed:
                # 'walle' is 'Walled In' unfinished, or WALL-E: the exact-name tier decides.
                return [(prefixed, 0.0, word), *self._joined(word)]
        if word in self.postings:
            return [(self.postings[word], 0.0, word)]
        return self._joined(word)

    def _close_words(self, word: str) -> list[tuple[str, float]]:
        """Vocabulary words one edit away (SymSpell), or else within WORD_CUTOFF (a scan)."""
        if len(word) < 3:
            return []
        found = set(self._deleted_to(word))  # a letter dropped from the word
        for k in range(len(word)):
            shorter = word[:k] + word[k + 1 :]
            if shorter in self.postings:  # a letter added
                found.add(shorter)
            found.update(self._deleted_to(shorter))  # replaced or swapped
        if found:
            scored = [(w, fuzz.ratio(word, w)) for w in found]
        elif len(word) >= 6:
            # More edits than SymSpell's one: a scan of the words with the same first letter
            # (people seldom get the first letter wrong and two more). ratio >= 75 allows an
            # InDel distance of (a + b) / 4, more than 2 only from 6 letters, and only words of
            # 3/5 to 5/3 the length can get there.
            by_length, lengths = self.vocab_by_initial.get(word[0], ([], []))
            lo = bisect.bisect_left(lengths, len(word) * 3 / 5 - 1e-9)
            hi = bisect.bisect_right(lengths, len(word) * 5 / 3 + 1e-9)
            scored = [
                (w, s)
                for w, s, _ in process.extract(
                    word, by_length[lo:hi], scorer=fuzz.ratio,
                    limit=MAX_WORD_ALTERNATIVES, score_cutoff=WORD_CUTOFF,
                )
            ]  # fmt: skip
        else:
            return []
        scored = [(w, s) for w, s in scored if s >= WORD_CUTOFF]
        scored.sort(key=lambda ws: (-ws[1], -len(self.postings[ws[0]]), ws[0]))
        return [(w, 100.0 - s) for w, s in scored[:MAX_WORD_ALTERNATIVES]]

    def _fuzzy_options(self, word: str) -> Options:
        """Names holding a vocabulary word close to a misspelt one (penalty = edit distance)."""
        close = self._close_cache.get(word)
        if close is None:
            if len(self._close_cache) >= CLOSE_CACHE:  # bounded; a rebuild is cheap
                self._close_cache.clear()
            close = self._close_cache[word] = self._close_words(word)
        return [(self.postings[w], p, w) for w, p in close]

    def _options(self, word: str, last: bool, single: bool) -> Options:
        complete = last and (not single or len(word) >= MIN_PREFIX)
        return self._exact_options(word, complete) or self._fuzzy_options(word)

    @staticmethod
    def _merge(options: Options) -> dict[int, float]:
        """name -> least penalty over the options. Set operations and dict.fromkeys run in C:
        a stand-in such as 'the' (for 'thev') is in ~5,000 names."""
        merged: dict[int, float] = {}
        for names, penalty, _ in sorted(options, key=lambda o: o[1]):
            merged.update(dict.fromkeys(names - merged.keys() if merged else names, penalty))
        return merged

    @staticmethod
    def _narrow(result: dict[int, float], options: Options) -> dict[int, float]:
        """The names of `result` holding one of the options, their penalties added."""
        step: dict[int, float] = {}
        for names, penalty, _ in sorted(options, key=lambda o: o[1]):
            for i in result.keys() & names:  # the smaller side is iterated, in C
                if i not in step:
                    step[i] = result[i] + penalty
        return step

    def _suffix_range(self, phrase: str, whole_word: bool) -> tuple[np.ndarray, np.ndarray]:
        """(name index, at start) of suffixes starting with the phrase (as a whole word)."""
        if whole_word:
            lo = bisect.bisect_left(self.suffixes, phrase)
            hi = bisect.bisect_right(self.suffixes, phrase)
            lo2 = bisect.bisect_left(self.suffixes, phrase + " ")
            hi2 = bisect.bisect_left(self.suffixes, phrase + "!")  # '!' sorts right after ' '
            take = np.r_[lo:hi, lo2:hi2]
            return self.suffix_name[take], self.suffix_at_start[take]
        lo = bisect.bisect_left(self.suffixes, phrase)
        hi = bisect.bisect_left(self.suffixes, phrase + "\uffff")
        return self.suffix_name[lo:hi], self.suffix_at_start[lo:hi]

    def _whole_name(self, q: str) -> dict[int, float]:
        """Names within FUZZY_CUTOFF of the whole query (rapidfuzz QRatio), as penalties."""
        # QRatio >= cutoff c needs |len(a) - len(b)| <= (1 - c/100) * (len(a) + len(b)), so
        # only names in a length window can reach it: skip the rest (usually more than half).
        slack = 1.0 - FUZZY_CUTOFF / 100.0
        lo = bisect.bisect_left(self.sorted_lengths, len(q) * (1 - slack) / (1 + slack) - 1e-9)
        hi = bisect.bisect_right(self.sorted_lengths, len(q) * (1 + slack) / (1 - slack) + 1e-9)
        found: dict[int, float] = {}
        for _, score, k in process.extract(
            q, self.by_length[lo:hi], scorer=fuzz.QRatio, limit=None, score_cutoff=FUZZY_CUTOFF
        ):
            # Penalty 0 for QRatio 100, PENALTY_SCALE at the cutoff: the band is spread out.
            found[self.length_order[lo + k]] = (
                (100.0 - score) / (100.0 - FUZZY_CUTOFF) * PENALTY_SCALE
            )
        return found
