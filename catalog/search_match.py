"""Which names match the query's words (catalog/search.py ranks them): every word or a stand-in
for it (a typo fix, a joined pair, an unfinished last word), and, when no name holds them all,
names holding at least half of them. `WordMatcher` is the base of `NameIndex`."""

from __future__ import annotations

import bisect
import math
from collections import Counter

import numpy as np

from catalog.search_lookups import WordLookups
from catalog.search_words import (
    MAX_PREFIX_WORDS,
    PENALTY_SCALE,
    SCAN_LIMIT,
    SKIP_PENALTY,
    STOP_WORDS,
    Options,
)


class WordMatcher(WordLookups):
    """The word-level matching steps over the name tables (see catalog/search.py)."""

    def _all_words(self, words: list[str]) -> tuple[dict[int, float], list[Options]]:
        """name index -> penalty for names holding every query word (or a stand-in), and the
        options found for each word (for the phrase lookups)."""
        single = len(words) == 1
        *full, last = words
        per_word = [self._options(w, last=False, single=single) for w in full]
        if single:
            per_word.append(self._options(last, last=True, single=True))
        # A one- or two-letter word that no name has is a slip ('pride o the yankees', 'the ki
        # with the golden arm'): left out at a penalty, if at most a third of the words are
        # slips and a word of three letters or more is left ('ñ🙂' x 100 is 'n n n ...').
        skipped = [k for k, o in enumerate(per_word) if not o and len(words[k]) < 3]
        if len(skipped) > len(words) // 3 or max(map(len, words)) < 3:
            skipped = []
        if skipped:
            for k in skipped:
                per_word[k] = [(set(), SKIP_PENALTY, "")]
        if any(not options for options in per_word):
            return {}, []
        required = [o for k, o in enumerate(per_word) if k not in skipped]
        # The last word's names, when they can be had without scanning: then it joins the
        # intersection, which starts from the rarest word so that a common word ('the', or a
        # stand-in such as 'the' for 'thev') only costs set lookups.
        last_options = [] if single else self._last_word_options(last)
        result = self._intersect([*required, last_options] if last_options else required)
        if not result and last_options:  # the prefix may be a typo: try it the slow way
            last_options = []
            result = self._intersect(required)
        if not result:  # None only without any word to intersect, which slips cannot leave
            return {}, []
        if skipped:
            result = {i: p + SKIP_PENALTY * len(skipped) for i, p in result.items()}
        if not single and not last_options:
            # The last word may be unfinished: a prefix of the remaining names' words.
            last_options = self._last_word(last, result)
            if not last_options:
                return {}, []
            result = self._narrow(result, last_options)
        if not single:
            per_word.append(last_options)
        # A word typed twice must be there twice: 'n n n ...' is not every name with an 'n'.
        kept = [w for k, w in enumerate(words) if k not in skipped]
        repeated = [(w, c) for w, c in Counter(kept).items() if c > 1]
        if repeated:
            result = {
                i: p
                for i, p in result.items()
                if all(self.words[i].count(w) >= c for w, c in repeated)
            }
        return result, per_word

    def _intersect(self, groups: list[Options]) -> dict[int, float] | None:
        """Names holding one option of every group (None for no groups), penalties added."""
        result: dict[int, float] | None = None
        for options in sorted(groups, key=lambda g: sum(len(names) for names, _, _ in g)):
            result = self._merge(options) if result is None else self._narrow(result, options)
            if not result:
                return {}
        return result

    def _last_word_options(self, last: str) -> Options:
        """The last word's options over all names, if cheap: a prefix of at most
        MAX_PREFIX_WORDS vocabulary words, else the word, a joined pair or close words; []
        when the prefix is short or common (then the remaining names are scanned)."""
        if len(last) < 3:
            return []
        lo = bisect.bisect_left(self.vocabulary, last)
        hi = bisect.bisect_left(self.vocabulary, last + "\uffff")
        if hi - lo > MAX_PREFIX_WORDS:
            return []
        if hi > lo:
            return [(set().union(*(self.postings[w] for w in self.vocabulary[lo:hi])), 0.0, last)]
        return self._exact_options(last, complete=False) or self._fuzzy_options(last)

    def _last_word(self, last: str, result: dict[int, float]) -> Options:
        if len(result) <= SCAN_LIMIT or len(last) < 2:
            finished = {i for i in result if any(w.startswith(last) for w in self.words[i])}
        else:  # many names left ('the ...'): look the prefix up in the vocabulary instead
            finished = self._prefixed(last) & result.keys()
        if finished:
            return [(finished, 0.0, last)]
        joined = self._joined(last)  # 'walter mitty' typed as 'waltermitty'
        if joined and joined[0][0] & result.keys():
            return [(joined[0][0] & result.keys(), *joined[0][1:])]
        return self._fuzzy_options(last)

    def _partial(self, words: list[str]) -> dict[int, float]:
        """Names holding at least half the query's words, one of them not a stop word.

        The penalty sorts names covering more words first (PENALTY_SCALE per missing word,
        scaled to the query's length), then by typo distance. Counted with numpy over all
        names: stand-ins such as 'of' (for 'tof') are in thousands of names."""
        n = len(self.names)
        needed = max(1, math.ceil(len(words) / 2))
        covered = np.zeros(n, dtype=np.int64)  # query words each name holds (stop words too)
        real = np.zeros(n, dtype=bool)  # holds a word that is not a stop word
        penalty = np.full(n, np.inf)
        for word, count in Counter(words).items():
            options = self._options(word, last=word == words[-1], single=False)
            hit = np.zeros(n, dtype=bool)
            for names, p, stand_in in options:
                at = self.common.get(stand_in) if names is self.postings.get(stand_in) else None
                if at is None:
                    at = np.fromiter(names, dtype=np.int64, count=len(names))
                hit[at] = True
                if word not in STOP_WORDS and stand_in not in STOP_WORDS:
                    real[at] = True
                    penalty[at] = np.minimum(penalty[at], p)
            covered += hit
            # A word typed k times counts k times only if the name has it k times.
            for k in range(2, count + 1):
                again = set().union(*(self.repeats.get((o[2], k), ()) for o in options))
                if not again:
                    break
                covered[np.fromiter(again, dtype=np.int64, count=len(again))] += 1
        idx = np.flatnonzero(real & (covered >= needed))
        missing = (len(words) - covered[idx]) / len(words)
        pen = PENALTY_SCALE * missing + np.minimum(penalty[idx], 10.0) / 10.0
        return dict(zip(idx.tolist(), pen.tolist(), strict=True))
