"""The name index's tables (catalog/search.py ranks with them; the per-word lookups over them
are in catalog/search_lookups.py).

Built once per catalogue load: unique folded names with their rows, name variants, popularity
ranks, sorted word suffixes, word postings and a SymSpell deletion index for one-letter typos.
A word of a query is looked up as itself, as a prefix, as two words typed as one, or through a
close vocabulary word (penalty = edit distance).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence

import numpy as np

from catalog.search_words import (
    ARTICLES,
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
