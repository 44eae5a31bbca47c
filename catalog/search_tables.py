"""The name index's tables and its per-word lookups (catalog/search.py ranks with them).

Built once per catalogue load: unique folded names with their rows, name variants, popularity
ranks, sorted word suffixes, word postings and a SymSpell deletion index for one-letter typos.
A word of a query is looked up as itself, as a prefix, as two words typed as one, or through a
close vocabulary word (penalty = edit distance).
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from collections.abc import Sequence

import numpy as np
from rapidfuzz import fuzz, process

from catalog.search_words import (
    ARTICLES,
    CLOSE_CACHE,
    FUZZY_CUTOFF,
    MAX_PREFIX_WORDS,
    MAX_WORD_ALTERNATIVES,
    MIN_PREFIX,
    PENALTY_SCALE,
    WORD_CUTOFF,
    Options,
    base_name,
    canonical_words,
)


class NameTables:
    """Unique folded names, each with the catalogue rows that carry it."""

    def __init__(
        self,
        folded: Sequence[str],
        votes: Sequence[int] | None = None,
        titles: Sequence[str] | None = None,
    ) -> None:
        """`folded[r]` is row r's folded title; `votes[r]` its number of ratings (popularity);
        `titles[r]` its display title (for 'Name (tail)' variants). Python loops only where
        needed: the build is part of Catalog.load's budget (docs/benchmarks.md)."""
        rows_by_name: dict[str, list[int]] = {}
        for row, name in enumerate(folded):
            rows = rows_by_name.get(name)
            if rows is None:
                rows_by_name[name] = [row]
            else:
                rows.append(row)
        self.names: list[str] = list(rows_by_name)
        self.rows: list[list[int]] = list(rows_by_name.values())
        self.words: list[tuple[str, ...]] = [tuple(canonical_words(s)) for s in self.names]
        canon = [" ".join(w) for w in self.words]
        self.exact: dict[str, list[int]] = {}
        for i, name in enumerate(canon):
            self.exact.setdefault(name, []).append(i)
        self._build_variants(canon, titles)
        self._build_rank(votes, len(folded))
        self._build_suffixes()
        self._build_postings()
        self._build_typos()
        self.length_order: list[int] = np.argsort(self.lengths, kind="stable").tolist()
        self.by_length = [self.names[i] for i in self.length_order]
        self.sorted_lengths = [len(name) for name in self.by_length]

    def _build_variants(self, canon: list[str], titles: Sequence[str] | None) -> None:
        """'Name (tail)' and 'The Name' under 'name' (the VARIANT tier)."""
        self.variants: dict[str, list[int]] = {}
        for i, words in enumerate(self.words):
            if len(words) > 1 and words[0] in ARTICLES:
                self.variants.setdefault(" ".join(words[1:]), []).append(i)
        if titles is None:
            return
        for i, rows in enumerate(self.rows):
            title = titles[rows[0]]
            if title.rstrip().endswith(")"):  # not every title: folding is the costly part
                base = base_name(title)
                if base and base != canon[i]:
                    self.variants.setdefault(base, []).append(i)

    def _build_rank(self, votes: Sequence[int] | None, n_rows: int) -> None:
        """Popularity rank of every name: most votes first, then shorter, then first seen."""
        n = len(self.names)
        name_votes = np.zeros(n, dtype=np.int64)
        if votes is not None:
            name_of_row = np.empty(n_rows, dtype=np.int64)
            for i, rows in enumerate(self.rows):
                name_of_row[rows] = i
            np.add.at(name_votes, name_of_row, np.asarray(votes, dtype=np.int64))
        self.lengths = np.array([len(s) for s in self.names], dtype=np.int64)
        order = np.lexsort((np.arange(n), self.lengths, -name_votes))
        self.rank = np.empty(n, dtype=np.int64)
        self.rank[order] = np.arange(n)

    def _build_suffixes(self) -> None:
        """Every name's word suffixes, sorted: a phrase is a binary search (suffix 0 = prefix;
        so is suffix 1 after a leading article)."""
        strings = [" ".join(ws[k:]) for ws in self.words for k in range(len(ws))]
        name = np.repeat(np.arange(len(self.words)), [len(ws) for ws in self.words])
        position = np.concatenate([np.arange(len(ws)) for ws in self.words])
        article = np.array([len(ws) > 1 and ws[0] in ARTICLES for ws in self.words], dtype=bool)
        order = sorted(range(len(strings)), key=strings.__getitem__)
        self.suffixes = [strings[o] for o in order]
        self.suffix_name = name[order]
        at = position[order]
        self.suffix_at_start = (at == 0) | ((at == 1) & article[self.suffix_name])

    def _build_postings(self) -> None:
        postings: dict[str, set[int]] = {}
        for i, words in enumerate(self.words):
            for word in words:
                names = postings.get(word)  # not setdefault: it builds a set every time
                if names is None:
                    postings[word] = {i}
                else:
                    names.add(i)
        self.postings = postings
        self.vocabulary: list[str] = sorted(postings)
        # The names of common words as arrays too, for the numpy counting in _partial.
        self.common = {
            w: np.fromiter(names, dtype=np.int64, count=len(names))
            for w, names in postings.items()
            if len(names) >= 100
        }
        # (word, k) -> names holding the word at least k times (k >= 2): 'the ... the'.
        self.repeats: dict[tuple[str, int], set[int]] = {}
        for i, words in enumerate(self.words):
            if len(words) > len(set(words)):
                for word, count in Counter(words).items():
                    for k in range(2, count + 1):
                        self.repeats.setdefault((word, k), set()).add(i)

    def _build_typos(self) -> None:
        # SymSpell deletion index: every vocabulary word under each one-letter deletion of it.
        # Most deletions belong to one word: a str value, a list only for the rest (a dict of
        # lists was four times slower to build, docs/benchmarks.md).
        deletes: dict[str, str] = {}
        shared: dict[str, list[str]] = {}
        for word in self.vocabulary:
            if len(word) >= 3:
                for k in range(len(word)):
                    key = word[:k] + word[k + 1 :]
                    other = deletes.setdefault(key, word)
                    if other is not word:
                        shared.setdefault(key, [other]).append(word)
        self.deletes = deletes
        self.deletes_shared = shared
        # Vocabulary by first letter, each sorted by length (the slow path of _close_words).
        self.vocab_by_initial: dict[str, tuple[list[str], list[int]]] = {}
        for initial, group in itertools.groupby(self.vocabulary, key=lambda w: w[0]):
            ordered = sorted(group, key=len)
            self.vocab_by_initial[initial] = (ordered, [len(w) for w in ordered])
        # Close words of recently misspelt words: a query looks a word up twice when it falls
        # back to partial matches, and people retype the same slip.
        self._close_cache: dict[str, list[tuple[str, float]]] = {}

    def _deleted_to(self, key: str) -> list[str]:
        """Vocabulary words that become `key` when one letter is deleted."""
        if key in self.deletes_shared:
            return self.deletes_shared[key]
        word = self.deletes.get(key)
        return [] if word is None else [word]

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
