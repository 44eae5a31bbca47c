"""The name index's tables: what the release builds once and every search reads.

Unique folded names with their rows, name variants, popularity ranks, sorted word suffixes,
word postings and a SymSpell deletion index for one-letter typos. `build_tables` makes them from
the served titles (at ETL time, or at load for a processed/ folder written without them,
catalog/stored.py); catalog/search/index.py looks words up in them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from catalog.search.words import ARTICLES, base_name, canonical_words

COMMON_NAMES = 100  # a word in at least this many names also has its names as an array


@dataclass(frozen=True, eq=False)
class NameTables:
    """Every table of the name index; nothing here changes after the build."""

    names: Sequence[str]  # unique folded names
    rows: Sequence[Sequence[int]]  # per name: the rows (of the titles indexed) carrying it
    words: Sequence[Sequence[str]]  # per name: its canonical words
    exact: Mapping[str, Sequence[int]]  # the canonical words joined -> names
    variants: Mapping[str, Sequence[int]]  # 'Name (tail)' and 'The Name' under 'name'
    lengths: np.ndarray  # int64 per name: its length in characters
    rank: np.ndarray  # int64 per name: popularity rank (most votes, shorter, first seen)
    suffixes: Sequence[str]  # every name's word suffixes, sorted (phrases: binary search)
    suffix_name: np.ndarray  # per suffix: its name
    suffix_at_start: np.ndarray  # per suffix: it starts the name (or follows an article)
    postings: Mapping[str, set[int]]  # word -> names holding it
    vocabulary: Sequence[str]  # every word, sorted
    common: Mapping[str, np.ndarray]  # word in COMMON_NAMES names or more -> names (numpy)
    repeats: Mapping[tuple[str, int], set[int]]  # (word, k >= 2) -> names holding it k times
    deletes: Mapping[str, str]  # one-letter deletion -> the one vocabulary word giving it
    deletes_shared: Mapping[str, Sequence[str]]  # a deletion several words give -> them all

    def deleted_to(self, key: str) -> Sequence[str]:
        """Vocabulary words that become `key` when one letter is deleted."""
        if key in self.deletes_shared:
            return self.deletes_shared[key]
        word = self.deletes.get(key)
        return [] if word is None else [word]


def build_tables(
    folded: Sequence[str],
    votes: Sequence[int] | None = None,
    titles: Sequence[str] | None = None,
) -> NameTables:
    """`folded[r]` is row r's folded title; `votes[r]` its number of ratings (popularity);
    `titles[r]` its display title (for 'Name (tail)' variants). Python loops only where
    needed: a processed/ folder without stored tables builds them at load."""
    rows_by_name: dict[str, list[int]] = {}
    for row, name in enumerate(folded):
        found = rows_by_name.get(name)
        if found is None:
            rows_by_name[name] = [row]
        else:
            found.append(row)
    names = list(rows_by_name)
    rows = list(rows_by_name.values())
    words = [tuple(canonical_words(s)) for s in names]
    canon = [" ".join(w) for w in words]
    exact: dict[str, list[int]] = {}
    for i, name in enumerate(canon):
        exact.setdefault(name, []).append(i)
    lengths, rank = _rank(names, rows, votes, len(folded))
    suffixes, suffix_name, suffix_at_start = _suffixes(words)
    postings, common, repeats = _postings(words)
    deletes, shared = _deletions(sorted(postings))
    return NameTables(
        names=names,
        rows=rows,
        words=words,
        exact=exact,
        variants=_variants(words, canon, rows, titles),
        lengths=lengths,
        rank=rank,
        suffixes=suffixes,
        suffix_name=suffix_name,
        suffix_at_start=suffix_at_start,
        postings=postings,
        vocabulary=sorted(postings),
        common=common,
        repeats=repeats,
        deletes=deletes,
        deletes_shared=shared,
    )


def _variants(
    words: list[tuple[str, ...]],
    canon: list[str],
    rows: list[list[int]],
    titles: Sequence[str] | None,
) -> dict[str, list[int]]:
    """'Name (tail)' and 'The Name' under 'name' (the VARIANT tier)."""
    variants: dict[str, list[int]] = {}
    for i, ws in enumerate(words):
        if len(ws) > 1 and ws[0] in ARTICLES:
            variants.setdefault(" ".join(ws[1:]), []).append(i)
    if titles is None:
        return variants
    for i, found in enumerate(rows):
        title = titles[found[0]]
        if title.rstrip().endswith(")"):  # not every title: folding is the costly part
            base = base_name(title)
            if base and base != canon[i]:
                variants.setdefault(base, []).append(i)
    return variants


def _rank(
    names: list[str], rows: list[list[int]], votes: Sequence[int] | None, n_rows: int
) -> tuple[np.ndarray, np.ndarray]:
    """(length, popularity rank) of every name: most votes first, then shorter, then first seen."""
    n = len(names)
    name_votes = np.zeros(n, dtype=np.int64)
    if votes is not None:
        name_of_row = np.empty(n_rows, dtype=np.int64)
        for i, found in enumerate(rows):
            name_of_row[found] = i
        np.add.at(name_votes, name_of_row, np.asarray(votes, dtype=np.int64))
    lengths = np.array([len(s) for s in names], dtype=np.int64)
    order = np.lexsort((np.arange(n), lengths, -name_votes))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    return lengths, rank


def _suffixes(words: list[tuple[str, ...]]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Every name's word suffixes, sorted: a phrase is a binary search (suffix 0 = prefix; so
    is suffix 1 after a leading article)."""
    strings = [" ".join(ws[k:]) for ws in words for k in range(len(ws))]
    name = np.repeat(np.arange(len(words)), [len(ws) for ws in words])
    position = np.concatenate([np.arange(len(ws)) for ws in words])
    article = np.array([len(ws) > 1 and ws[0] in ARTICLES for ws in words], dtype=bool)
    order = sorted(range(len(strings)), key=strings.__getitem__)
    suffix_name = name[order]
    at = position[order]
    return [strings[o] for o in order], suffix_name, (at == 0) | ((at == 1) & article[suffix_name])


def _postings(
    words: list[tuple[str, ...]],
) -> tuple[dict[str, set[int]], dict[str, np.ndarray], dict[tuple[str, int], set[int]]]:
    postings: dict[str, set[int]] = {}
    for i, ws in enumerate(words):
        for word in ws:
            names = postings.get(word)  # not setdefault: it builds a set every time
            if names is None:
                postings[word] = {i}
            else:
                names.add(i)
    # The names of common words as arrays too, for the numpy counting of partial matches.
    common = {
        w: np.fromiter(names, dtype=np.int64, count=len(names))
        for w, names in postings.items()
        if len(names) >= COMMON_NAMES
    }
    # (word, k) -> names holding the word at least k times (k >= 2): 'the ... the'.
    repeats: dict[tuple[str, int], set[int]] = {}
    for i, ws in enumerate(words):
        if len(ws) > len(set(ws)):
            for word, count in Counter(ws).items():
                for k in range(2, count + 1):
                    repeats.setdefault((word, k), set()).add(i)
    return postings, common, repeats


def _deletions(vocabulary: list[str]) -> tuple[dict[str, str], dict[str, list[str]]]:
    # SymSpell deletion index: every vocabulary word under each one-letter deletion of it.
    # Most deletions belong to one word: a str value, a list only for the rest (a dict of
    # lists was four times slower to build, docs/benchmarks.md).
    deletes: dict[str, str] = {}
    shared: dict[str, list[str]] = {}
    for word in vocabulary:
        if len(word) >= 3:
            for k in range(len(word)):
                key = word[:k] + word[k + 1 :]
                other = deletes.setdefault(key, word)
                if other is not word:
                    shared.setdefault(key, [other]).append(word)
    return deletes, shared
