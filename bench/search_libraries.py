"""Search libraries against the hand-made NameIndex, on the same names (issue 14).

`python -m bench catalog --compare-search-libraries` runs this after the catalogue benchmark when
bm25s and/or tantivy are importable (they are not project dependencies: install them by hand,
e.g. `pip install bm25s tantivy`, to rerun). Every engine indexes the same unique folded names
(roman numerals as digits) and returns its ten best name indices for a query; relevance is
measured on tests/catalog/test_catalog_relevance.py's queries (the expected first title,
garbage that must match nothing) and speed on the catalogue benchmark's query mix, one thread.

Engines, each given its fair chance at typos:
- handmade: catalog/search/ (NameIndex).
- bm25s: BM25 over the words (its own scoring, exact tokens only; it has no typo tolerance).
- tantivy: a RAM index, each query word a FuzzyTermQuery (Levenshtein 1, a swap costs 1, the
  last word also as a prefix), OR-ed, plus the words as a phrase boosted x3.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from catalog.search.index import NameIndex
from catalog.search.words import canonical_words
from domain.text import fold

Engine = Callable[[str], list[int]]


def handmade(index: NameIndex, rebuild: Callable[[], NameIndex] | None = None) -> Engine:
    built = rebuild() if rebuild is not None else index  # timed like the libraries' builds
    return lambda q: [i for i, _ in built.search(q, 0, 10).hits]


def bm25s_engine(index: NameIndex) -> Engine | None:
    try:
        import bm25s
    except ImportError:
        return None
    vocab: dict[str, int] = {}
    corpus_ids = [[vocab.setdefault(w, len(vocab)) for w in words] for words in index.tables.words]
    model = bm25s.BM25()
    model.index(bm25s.tokenization.Tokenized(ids=corpus_ids, vocab=vocab), show_progress=False)

    def search(q: str) -> list[int]:
        ids = [vocab[w] for w in canonical_words(fold(q)) if w in vocab]
        if not ids:
            return []
        # get_scores + argpartition: retrieve()'s batching costs ~5 ms a query on its own.
        scores = model.get_scores(ids)
        top = np.argpartition(-scores, 10)[:10]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [int(d) for d in top if scores[d] > 0]

    return search


def tantivy_engine(index: NameIndex) -> Engine | None:
    try:
        import tantivy
    except ImportError:
        return None
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("name", stored=False)
    builder.add_integer_field("idx", stored=True)
    schema = builder.build()
    idx = tantivy.Index(schema)
    writer = idx.writer(heap_size=50_000_000, num_threads=1)
    for i, words in enumerate(index.tables.words):
        writer.add_document(tantivy.Document(name=" ".join(words), idx=i))
    writer.commit()
    writer.wait_merging_threads()
    idx.reload()
    searcher = idx.searcher()
    Q, Occur = tantivy.Query, tantivy.Occur

    def search(q: str) -> list[int]:
        words = canonical_words(fold(q))[:20]  # tantivy rejects huge boolean queries
        if not words:
            return []
        clauses: list[tuple[Any, Any]] = [
            (Occur.Should, Q.fuzzy_term_query(schema, "name", w, distance=1,
                                              transposition_cost_one=True,
                                              prefix=k == len(words) - 1))
            for k, w in enumerate(words)
        ]  # fmt: skip
        if len(words) > 1:
            clauses.append((Occur.Should, Q.boost_query(Q.phrase_query(schema, "name", words), 3)))
        hits = searcher.search(Q.boolean_query(clauses), 10).hits
        return [searcher.doc(address)["idx"][0] for _, address in hits]

    return search


def compare(
    index: NameIndex,
    cases: list[tuple[str, str]],
    garbage: list[str],
    mix: list[str],
    rebuild: Callable[[], NameIndex] | None = None,
) -> list[dict[str, Any]]:
    """Per engine: build seconds, top-1 hits on `cases`, garbage answered with nothing, and
    p50/p99 (wall, thread CPU) milliseconds over the query `mix`. `rebuild` makes a new
    NameIndex like `index`, so that its build is timed too."""
    rows = []
    builders: dict[str, Callable[[NameIndex], Engine | None]] = {
        "handmade": lambda ix: handmade(ix, rebuild),
        "bm25s": bm25s_engine,
        "tantivy": tantivy_engine,
    }
    for name, build in builders.items():
        started = time.perf_counter()
        engine = build(index)
        built = time.perf_counter() - started
        if engine is None:
            rows.append({"engine": name, "missing": True})
            continue
        top1 = sum(
            bool(found) and fold(index.names[found[0]]) == fold(first)
            for found, first in ((engine(q), first) for q, first in cases)
        )
        empty = sum(not engine(q) for q in garbage)
        for q in mix[:50]:  # warm up
            engine(q)
        wall, cpu = [], []
        for q in mix:
            c, t = time.thread_time_ns(), time.perf_counter_ns()
            engine(q)
            wall.append((time.perf_counter_ns() - t) / 1e6)
            cpu.append((time.thread_time_ns() - c) / 1e6)
        rows.append(
            {
                "engine": name,
                "build_s": built,
                "top1": top1,
                "cases": len(cases),
                "garbage_empty": empty,
                "garbage": len(garbage),
                "p50": statistics.median(wall),
                "p99": sorted(wall)[int(0.99 * (len(wall) - 1))],
                "cpu_p99": sorted(cpu)[int(0.99 * (len(cpu) - 1))],
            }
        )
    return rows
