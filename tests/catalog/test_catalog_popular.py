"""Catalog.popular: most-voted titles, filters, exclusions (answers known by construction)."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog import Catalog, QueryError
from tests.catalog_helpers import write_processed

# ROWS by votes desc, then mean score desc; titles with no votes are never offered.
BY_VOTES = ["ns1", "hs2", "ds1", "ds2", "as2", "ns2", "as1", "ns5", "ns4", "as4", "as5"]


@pytest.fixture(scope="module")
def cat(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return Catalog.load(write_processed(tmp_path_factory.mktemp("popular")))


def ids(refs) -> list[str]:
    return [r.id for r in refs]


def test_most_voted_first_ties_by_score_unvoted_left_out(cat: Catalog) -> None:
    assert ids(cat.popular(100)) == BY_VOTES
    assert ids(cat.popular(3)) == BY_VOTES[:3]
    top = cat.popular(1)[0]
    assert (top.title, top.platform, top.release_year) == ("Amélie", "netflix", 2001)


def test_filters_by_platform_and_kind(cat: Catalog) -> None:
    assert ids(cat.popular(10, platform="Netflix")) == ["ns1", "ns2", "ns5", "ns4"]
    assert ids(cat.popular(10, platform="prime", kind="show")) == ["as4"]
    assert ids(cat.popular(10, kind="tv show")) == ["ns2", "as4"]
    assert cat.popular(10, platform="hulu", kind="series") == []


def test_exclude_is_case_insensitive_and_does_not_shorten_the_list(cat: Catalog) -> None:
    assert ids(cat.popular(3, exclude={"NS1", "ds1"})) == ["hs2", "ds2", "as2"]
    assert ids(cat.popular(2, exclude="ns1")) == ["hs2", "ds1"]  # one id, not its letters
    assert cat.popular(100, exclude=BY_VOTES) == []


@pytest.mark.parametrize(
    "kwargs", [{"n": 0}, {"n": 101}, {"n": "x"}, {"platform": "hbo"}, {"kind": "book"}]
)
def test_bad_arguments_are_query_errors(cat: Catalog, kwargs: dict) -> None:
    with pytest.raises(QueryError):
        cat.popular(**kwargs)


def test_a_duplicate_id_is_offered_once(tmp_path: Path) -> None:
    from tests.catalog_helpers import ROWS

    rows = [*ROWS, ("ns1", "Movie", "Amélie again", None, 2001, 122, "min", 4.2, 10)]
    cat = Catalog.load(write_processed(tmp_path, rows))
    assert ids(cat.popular(100)).count("ns1") == 1
