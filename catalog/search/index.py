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

import bisect
import itertools
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from catalog.search.tables import NameTables
from catalog.search.words import (
    BANDS,
    CLOSE_CACHE,
    EXACT,
    FIXED,
    FUZZY,
    FUZZY_CUTOFF,
    MAX_PHRASES,
    MAX_PREFIX_WORDS,
    MAX_WORD_ALTERNATIVES,
    MIN_PREFIX,
    PARTIAL,
    PENALTY_SCALE,
    PHRASE,
    PREFIX,
    SCAN_LIMIT,
    SKIP_PENALTY,
    STOP_WORDS,
    VARIANT,
    WORD_CUTOFF,
    WORDS,
    Options,
    canonical_words,
)
from domain.text import fold


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


class NameIndex:
    """The name index: its tables (built with the release) and the lookups and ranking over
    them; `search` ranks names for a query."""

    def __init__(self, tables: NameTables) -> None:
        self.tables = tables
        t = tables
        # Views derived in a few milliseconds at load (sorts and groupings of the tables).
        # Vocabulary by first letter, each sorted by length (the slow path of _close_words).
        self.vocab_by_initial: dict[str, tuple[list[str], list[int]]] = {}
        for initial, group in itertools.groupby(t.vocabulary, key=lambda w: w[0]):
            ordered = sorted(group, key=len)
            self.vocab_by_initial[initial] = (ordered, [len(w) for w in ordered])
        self.length_order: list[int] = np.argsort(t.lengths, kind="stable").tolist()
        self.by_length = [t.names[i] for i in self.length_order]
        self.sorted_lengths = [len(name) for name in self.by_length]
        # Close words of recently misspelt words: a query looks a word up twice when it falls
        # back to partial matches, and people retype the same slip.
        self._close_cache: dict[str, list[tuple[str, float]]] = {}

    @property
    def names(self) -> Sequence[str]:
        return self.tables.names

    # ---------------------------------------------------------------- one word's lookups

    def _joined(self, word: str) -> Options:
        """Names holding two adjacent words typed as one ('spiderman' -> 'spider man'), at a
        penalty of 1; [] when no name does. Looked up at query time: indexing every adjacent
        pair made each load slower (docs/benchmarks.md)."""
        if len(word) < 3 or word in self.tables.postings:
            return []
        found: set[int] = set()
        spelt = ""
        for k in range(1, len(word)):
            first, second = word[:k], word[k:]
            if first not in self.tables.postings or second not in self.tables.postings:
                continue
            t = self.tables
            for i in t.postings[first] & t.postings[second]:
                if any(a == first and b == second for a, b in itertools.pairwise(t.words[i])):
                    found.add(i)
                    spelt = spelt or f"{first} {second}"
        return [(found, 1.0, spelt)] if found else []

    # ---------------------------------------------------------------- word options

    def _prefixed(self, prefix: str) -> set[int]:
        """Names holding a word that starts with `prefix` (bounded for very short prefixes)."""
        start = bisect.bisect_left(self.tables.vocabulary, prefix)
        found: set[int] = set()
        for word in self.tables.vocabulary[start : start + MAX_PREFIX_WORDS]:
            if not word.startswith(prefix):
                break
            found |= self.tables.postings[word]
        return found

    def _exact_options(self, word: str, complete: bool) -> Options:
        """Names holding the word itself, or the word as a prefix (`complete`); no typos."""
        if complete and len(word) >= MIN_PREFIX:
            prefixed = self._prefixed(word)
            if prefixed:
                # 'walle' is 'Walled In' unfinished, or WALL-E: the exact-name tier decides.
                return [(prefixed, 0.0, word), *self._joined(word)]
        if word in self.tables.postings:
            return [(self.tables.postings[word], 0.0, word)]
        return self._joined(word)

    def _close_words(self, word: str) -> list[tuple[str, float]]:
        """Vocabulary words one edit away (SymSpell), or else within WORD_CUTOFF (a scan)."""
        if len(word) < 3:
            return []
        found = set(self.tables.deleted_to(word))  # a letter dropped from the word
        for k in range(len(word)):
            shorter = word[:k] + word[k + 1 :]
            if shorter in self.tables.postings:  # a letter added
                found.add(shorter)
            found.update(self.tables.deleted_to(shorter))  # replaced or swapped
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
        scored.sort(key=lambda ws: (-ws[1], -len(self.tables.postings[ws[0]]), ws[0]))
        return [(w, 100.0 - s) for w, s in scored[:MAX_WORD_ALTERNATIVES]]

    def _fuzzy_options(self, word: str) -> Options:
        """Names holding a vocabulary word close to a misspelt one (penalty = edit distance)."""
        close = self._close_cache.get(word)
        if close is None:
            if len(self._close_cache) >= CLOSE_CACHE:  # bounded; a rebuild is cheap
                self._close_cache.clear()
            close = self._close_cache[word] = self._close_words(word)
        return [(self.tables.postings[w], p, w) for w, p in close]

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
            suffixes = self.tables.suffixes
            lo = bisect.bisect_left(suffixes, phrase)
            hi = bisect.bisect_right(suffixes, phrase)
            lo2 = bisect.bisect_left(suffixes, phrase + " ")
            hi2 = bisect.bisect_left(suffixes, phrase + "!")  # '!' sorts right after ' '
            take = np.r_[lo:hi, lo2:hi2]
            return self.tables.suffix_name[take], self.tables.suffix_at_start[take]
        lo = bisect.bisect_left(self.tables.suffixes, phrase)
        hi = bisect.bisect_left(self.tables.suffixes, phrase + "\uffff")
        return self.tables.suffix_name[lo:hi], self.tables.suffix_at_start[lo:hi]

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

    # ---------------------------------------------------------------- which names match

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
                if all(self.tables.words[i].count(w) >= c for w, c in repeated)
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
        lo = bisect.bisect_left(self.tables.vocabulary, last)
        hi = bisect.bisect_left(self.tables.vocabulary, last + "\uffff")
        if hi - lo > MAX_PREFIX_WORDS:
            return []
        if hi > lo:
            postings = self.tables.postings
            return [(set().union(*(postings[w] for w in self.tables.vocabulary[lo:hi])), 0.0, last)]
        return self._exact_options(last, complete=False) or self._fuzzy_options(last)

    def _last_word(self, last: str, result: dict[int, float]) -> Options:
        if len(result) <= SCAN_LIMIT or len(last) < 2:
            finished = {i for i in result if any(w.startswith(last) for w in self.tables.words[i])}
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
        n = len(self.tables.names)
        needed = max(1, math.ceil(len(words) / 2))
        covered = np.zeros(n, dtype=np.int64)  # query words each name holds (stop words too)
        real = np.zeros(n, dtype=bool)  # holds a word that is not a stop word
        penalty = np.full(n, np.inf)
        for word, count in Counter(words).items():
            options = self._options(word, last=word == words[-1], single=False)
            hit = np.zeros(n, dtype=bool)
            for names, p, stand_in in options:
                own = names is self.tables.postings.get(stand_in)  # a word's own names
                at = self.tables.common.get(stand_in) if own else None
                if at is None:
                    at = np.fromiter(names, dtype=np.int64, count=len(names))
                hit[at] = True
                if word not in STOP_WORDS and stand_in not in STOP_WORDS:
                    real[at] = True
                    penalty[at] = np.minimum(penalty[at], p)
            covered += hit
            # A word typed k times counts k times only if the name has it k times.
            for k in range(2, count + 1):
                again = set().union(*(self.tables.repeats.get((o[2], k), ()) for o in options))
                if not again:
                    break
                covered[np.fromiter(again, dtype=np.int64, count=len(again))] += 1
        idx = np.flatnonzero(real & (covered >= needed))
        missing = (len(words) - covered[idx]) / len(words)
        pen = PENALTY_SCALE * missing + np.minimum(penalty[idx], 10.0) / 10.0
        return dict(zip(idx.tolist(), pen.tolist(), strict=True))

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
            exact = self.tables.exact.get(phrase, [])
            if exact:
                tiers.append((EXACT if penalty == 0 else FIXED, np.array(exact),
                              np.full(len(exact), penalty)))  # fmt: skip
            variants = self.tables.variants.get(phrase, [])
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
        key = np.round(penalty, 3) * (len(self.tables.rank) + 1) + self.tables.rank[idx]
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
            found = np.zeros(len(self.tables.names), dtype=bool)
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
        seen = np.zeros(len(self.tables.names), dtype=bool)
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
