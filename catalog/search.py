"""Name index for typo- and accent-forgiving title search.

Scoring a folded name against a folded query (0..100):
- 100 for the exact name;
- 80..99 when every query word is a word of the name (the last query word may be unfinished,
  so search-as-you-type works; 'ironman' also finds 'iron man'), more for names the query covers
  more of and for names that start with the query; a misspelt query word is replaced by close
  vocabulary words at a penalty of its edit distance;
- rapidfuzz's QRatio (whole-name edit similarity) for typos in short names ('the ofice').
QRatio over ~22k names costs ~1.5 ms, far less than WRatio/token_set_ratio (~10-25 ms), which is
why containment is done with an inverted word index instead of partial scorers.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

import numpy as np
from rapidfuzz import fuzz, process

from catalog.text import fold

FUZZY_CUTOFF = 70.0  # below this a whole-name QRatio match is noise
WORD_CUTOFF = 75.0  # how close a misspelt query word must be to a vocabulary word
MAX_WORD_ALTERNATIVES = 3
MAX_PREFIX_WORDS = 200  # bound on vocabulary words one unfinished word may stand for
MIN_PREFIX = 4  # a lone query word is completed as a prefix only from this length
SCAN_LIMIT = 300  # up to this many names, test an unfinished word against each name's words
START_BONUS = 4.0  # the name starts with the query: 'pokemon' prefers 'Pokémon the Series'

Options = list[tuple[set[int], float]]  # (names holding a stand-in word, penalty)


class NameIndex:
    """Unique folded names, each with the catalogue rows that carry it."""

    def __init__(self, folded: Sequence[str]) -> None:
        rows_by_name: dict[str, list[int]] = {}
        for row, name in enumerate(folded):
            rows_by_name.setdefault(name, []).append(row)
        self.names: list[str] = list(rows_by_name)
        self.rows: list[list[int]] = list(rows_by_name.values())
        self.position: dict[str, int] = {name: i for i, name in enumerate(self.names)}
        self.words: list[tuple[str, ...]] = [tuple(name.split()) for name in self.names]
        self.lengths = np.array([len(name) for name in self.names], dtype=np.int64)
        self.names_array = np.array(self.names, dtype=np.str_)  # for vectorised startswith
        self.length_order: list[int] = np.argsort(self.lengths, kind="stable").tolist()
        self.by_length = [self.names[i] for i in self.length_order]
        self.sorted_lengths = [len(name) for name in self.by_length]
        postings: dict[str, set[int]] = {}
        joined: dict[str, set[int]] = {}  # adjacent word pairs written as one: 'spiderman'
        for i, words in enumerate(self.words):
            for k, word in enumerate(words):
                postings.setdefault(word, set()).add(i)
                if k:
                    joined.setdefault(words[k - 1] + word, set()).add(i)
        self.postings = postings
        self.joined = joined
        self.vocabulary: list[str] = sorted(postings)

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
                return [(prefixed, 0.0)]
        if word in self.postings:
            return [(self.postings[word], 0.0)]
        if word in self.joined:
            return [(self.joined[word], 1.0)]
        return []

    def _fuzzy_options(self, word: str) -> Options:
        """Names holding a vocabulary word close to a misspelt one (penalty = edit distance)."""
        if len(word) < 3:
            return []
        return [
            (self.postings[other], 100.0 - score)
            for other, score, _ in process.extract(
                word,
                self.vocabulary,
                scorer=fuzz.ratio,
                limit=MAX_WORD_ALTERNATIVES,
                score_cutoff=WORD_CUTOFF,
            )
        ]

    def _fuzzy_within(self, word: str, result: dict[int, float]) -> dict[int, float]:
        """Keep the names of `result` holding a word close to `word`, adding its distance."""
        if len(word) < 3:
            return {}
        step: dict[int, float] = {}
        for i, prior in result.items():
            best = process.extractOne(
                word, self.words[i], scorer=fuzz.ratio, score_cutoff=WORD_CUTOFF
            )
            if best is not None:
                step[i] = prior + 100.0 - best[1]
        return step

    @staticmethod
    def _merge(options: Options) -> dict[int, float]:
        if len(options) == 1:  # the usual case, done in C: 'the' is in ~5,000 names
            return dict.fromkeys(options[0][0], options[0][1])
        merged: dict[int, float] = {}
        for names, penalty in options:
            for i in names:
                merged[i] = min(penalty, merged.get(i, penalty))
        return merged

    @staticmethod
    def _narrow(result: dict[int, float], options: Options) -> dict[int, float]:
        step: dict[int, float] = {}
        for names, penalty in options:
            for i in names if len(names) < len(result) else result:
                if i in names and i in result:
                    total = result[i] + penalty
                    step[i] = min(total, step.get(i, total))
        return step

    def _contained(self, words: list[str]) -> dict[int, float]:
        """name index -> penalty, for names that contain every query word (or a stand-in)."""
        if len(words) == 1:
            options = self._exact_options(words[0], complete=True) or self._fuzzy_options(words[0])
            return self._merge(options)
        *full, last = words
        known = [(w, self._exact_options(w, complete=False)) for w in full]
        misspelt = [w for w, options in known if not options]
        groups = [options for _, options in known if options]
        # Intersect from the rarest word, so a common word ('the') only costs set lookups.
        groups.sort(key=lambda g: sum(len(names) for names, _ in g))
        result: dict[int, float] | None = None
        for group in groups:
            result = self._merge(group) if result is None else self._narrow(result, group)
            if not result:
                return {}
        # Misspelt words: against the few names left, or else against the whole vocabulary.
        for word in misspelt:
            if result is not None and len(result) <= SCAN_LIMIT:
                result = self._fuzzy_within(word, result)
            else:
                options = self._fuzzy_options(word)
                result = self._merge(options) if result is None else self._narrow(result, options)
            if not result:
                return {}
        assert result is not None
        # The last word may be unfinished: test it as a prefix of the remaining names' words.
        if len(result) <= SCAN_LIMIT or len(last) < 2:
            finished = {
                i: p for i, p in result.items() if any(w.startswith(last) for w in self.words[i])
            }
        else:  # many names left ('the ...'): look the prefix up in the vocabulary instead
            prefixed = self._prefixed(last)
            finished = {i: p for i, p in result.items() if i in prefixed}
        if finished:
            return finished
        if len(result) <= SCAN_LIMIT:
            return self._fuzzy_within(last, result)
        return self._narrow(result, self._fuzzy_options(last))

    def score(self, query: str, limit: int) -> list[tuple[int, float]]:
        """Best (name index, score) pairs for the raw query text, best first."""
        q = fold(query)
        if not q:
            return []
        scores: dict[int, float] = {}
        exact = self.position.get(q)
        if exact is not None:
            scores[exact] = 100.0
        contained = self._contained(q.split())
        if exact is not None:
            contained.pop(exact, None)
        if contained:
            # Vectorised: a common word ('the') can be contained in thousands of names.
            idx = np.fromiter(contained.keys(), dtype=np.int64, count=len(contained))
            penalty = np.fromiter(contained.values(), dtype=np.float64, count=len(contained))
            lengths = self.lengths[idx]
            coverage = np.minimum(lengths, len(q)) / np.maximum(lengths, len(q))
            starts = np.strings.startswith(self.names_array[idx], q)
            value = np.minimum(80.0 + 15.0 * coverage + START_BONUS * starts - penalty, 99.0)
            keep = np.lexsort((idx, lengths, -value))[: limit + 5]  # deterministic on ties
            for i, s in zip(idx[keep].tolist(), value[keep].tolist(), strict=True):
                scores[i] = s
        # QRatio >= cutoff c needs |len(a) - len(b)| <= (1 - c/100) * (len(a) + len(b)), so only
        # names in a length window can reach it: skip the rest (usually more than half).
        slack = 1.0 - FUZZY_CUTOFF / 100.0
        lo = bisect.bisect_left(self.sorted_lengths, len(q) * (1 - slack) / (1 + slack) - 1e-9)
        hi = bisect.bisect_right(self.sorted_lengths, len(q) * (1 + slack) / (1 - slack) + 1e-9)
        for _, fuzzy, k in process.extract(
            q,
            self.by_length[lo:hi],
            scorer=fuzz.QRatio,
            limit=limit + 5,
            score_cutoff=FUZZY_CUTOFF,
        ):
            i = self.length_order[lo + k]
            if i != exact:
                scores[i] = max(scores.get(i, 0.0), min(float(fuzzy), 99.0))
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], len(self.names[kv[0]]), kv[0]))
        return ranked[:limit]
