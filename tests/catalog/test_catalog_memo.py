"""catalog/memo.py and where the catalogue uses it: an answer kept is the answer computed
fresh, callers cannot change what is kept, the memo is bounded, and a reloaded catalogue starts
empty."""

from __future__ import annotations

import threading

import pytest

from catalog import Catalog, recommend, titles
from catalog.memo import Memo
from tests.fakes.botdata import demo_data


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(demo_data())


def test_memo_computes_once_keeps_the_recent_and_stays_bounded() -> None:
    calls: list[int] = []
    memo: Memo[int, str] = Memo(3)

    def compute(k: int) -> str:
        calls.append(k)
        return f"answer {k}"

    for k in (1, 2, 3, 1, 4):  # 1 is used again before 4 arrives: 2 is the one dropped
        assert memo.get(k, lambda k=k: compute(k)) == f"answer {k}"
    assert calls == [1, 2, 3, 4] and len(memo) == 3
    memo.get(2, lambda: compute(2))
    memo.get(1, lambda: compute(1))
    assert calls == [1, 2, 3, 4, 2]  # 2 was computed again, 1 was still kept
    assert (memo.hits, memo.misses) == (2, 5)


def test_memo_under_threads_gives_every_caller_the_answer() -> None:
    memo: Memo[int, int] = Memo(50)
    wrong: list[tuple[int, int]] = []

    def work() -> None:
        for i in range(2000):
            k = i % 80
            got = memo.get(k, lambda k=k: k * k)
            if got != k * k:
                wrong.append((k, got))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert wrong == [] and len(memo) <= 50


def test_similar_kept_equals_similar_computed_and_is_not_shared(catalog: Catalog) -> None:
    ids = [ref.id for ref in catalog.popular(n=30)]
    for title_id in ids:
        first = catalog.similar(title_id, n=50)
        fresh = list(catalog._similar(catalog._ref(title_id), 50))
        assert first == fresh
        first.clear()  # a caller's list is its own
        assert catalog.similar(title_id, n=50) == fresh
    assert catalog._similar_lists.hits >= len(ids)


def test_where_to_watch_pages_kept_equal_the_pages_computed(catalog: Catalog) -> None:
    for query in ("the", "love", "star wars", "zzzzzz", "el"):
        for start in (0, 10, 20):
            kept = catalog.where_to_watch_page(query, start, 10)
            again = catalog.where_to_watch_page(f"  {query} ", start, 10)  # same parsed query
            assert kept == again == titles.watch_page(catalog.index, query, start, 10)
    assert catalog._watch_pages.hits >= 15


def test_a_new_catalogue_keeps_nothing_of_the_old(catalog: Catalog) -> None:
    catalog.where_to_watch_page("the", 0, 10)
    other = Catalog.load(demo_data())
    assert len(other._watch_pages) == 0 and len(other._similar_lists) == 0


def test_walking_similar_pages_grows_one_list_per_title(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every page of /similar, 10 at a time: each page is the page computed fresh, and the
    ranking is computed a few times (the kept list doubles), not once per page."""
    fresh = Catalog.load(demo_data())  # its own memo
    title = fresh.popular(1)[0]
    ref = fresh._ref(title.id)
    computed: list[int] = []
    compute = fresh._similar

    def counted(r: object, count: int) -> object:
        computed.append(count)
        return compute(r, count)  # type: ignore[arg-type]

    monkeypatch.setattr(fresh, "_similar", counted)
    total = fresh.similar_page(title.id, 10, 0).total
    assert total > 200
    pages = 0
    for offset in range(0, total + 10, 10):
        page = fresh.similar_page(title.id, 10, offset)
        assert page.items == compute(ref, min(offset + 10, total))[offset:], offset
        pages += 1
    assert len(computed) <= total.bit_length() + 2 < pages // 4, computed
    assert len(fresh._similar_lists) == 1


def test_a_deep_top_page_asks_the_model_once(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page of /top far down the ranking is the same slice of the whole ranking, from one
    call of the model (the spare covers the ids the catalogue does not serve), building only
    its own titles (a deep page built every title before it: 1.9 s at offset 20,000 of the
    real catalogue)."""
    model = catalog.recommender
    assert model is not None
    whole = catalog.top_page(1, 100, offset=0).total
    everything = [x.title.id for o in range(0, whole, 100)
                  for x in catalog.top_page(1, 100, offset=o).items]  # fmt: skip
    assert len(everything) == whole
    calls: list[int] = []
    top_n = model.top_n

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return top_n(*args, **kwargs)  # type: ignore[arg-type]

    built: list[object] = []
    real = recommend.RecommendedTitle

    def building(*args: object, **kwargs: object) -> object:
        built.append(args[0])
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(model, "top_n", counted)
    monkeypatch.setattr(recommend, "RecommendedTitle", building)
    for offset in (whole // 2, whole - 7):
        page = catalog.top_page(1, 10, offset=offset)
        assert [x.title.id for x in page.items] == everything[offset : offset + 10]
    assert len(calls) == 2
    assert len(built) == 10 + 7  # the pages' own titles, none of the thousands before them
