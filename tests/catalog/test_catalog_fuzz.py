"""Whatever a user types, the catalogue answers or raises QueryError — never anything else."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog import Catalog, QueryError
from domain.text import fold
from tests.catalog_helpers import write_processed

anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["netflix", "n", "Prime", "2020", "3,5", "seasons", "min", "", " "]),
)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def cat(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return Catalog.load(write_processed(tmp_path_factory.mktemp("small")))


def _ask(call, *args) -> None:
    try:
        call(*args)
    except QueryError as e:
        assert str(e)  # always says what was wrong


@FUZZ
@given(a=anything, b=anything, c=anything)
def test_questions_answer_or_raise_query_error(cat: Catalog, a, b, c) -> None:
    _ask(cat.max_duration, a, b, c)
    _ask(cat.score_count, a, b, c)
    _ask(cat.count_platform, a)
    _ask(cat.actor, a, b)
    _ask(cat.years, a)


@FUZZ
@given(text=st.text(max_size=60), limit=st.integers(-5, 150))
def test_search_and_friends_answer_or_raise_query_error(
    cat: Catalog, text: str, limit: int
) -> None:
    _ask(cat.search, text, limit)
    _ask(cat.where_to_watch, text)
    _ask(cat.resolve_title, text)
    assert cat.title(text) is None or cat.title(text).id == text.strip().lower()


@FUZZ
@given(text=st.text(max_size=60))
def test_fold_is_idempotent_and_plain(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded
    assert folded == folded.strip() and "  " not in folded
