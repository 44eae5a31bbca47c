"""Argument checks: every alias accepted, every wrong value named with what is accepted."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from catalog import Catalog, QueryError
from catalog import validate as v
from tests.catalog_helpers import write_processed

ALIASES = {
    "amazon": ["amazon", "Amazon", "AMAZON", "a", "A", "prime", "Prime", "amazon prime",
               "Amazon Prime", "amazon  prime", "amazon prime video", "Amazon Prime Video",
               "prime video", " amazon "],
    "disney": ["disney", "Disney", "d", "D", "disney+", "Disney+", "disney plus", "Disney Plus",
               "disneyplus"],
    "hulu": ["hulu", "Hulu", "HULU", "h", "H"],
    "netflix": ["netflix", "Netflix", "NETFLIX", "n", "N", "\tnetflix\n"],
}  # fmt: skip


@pytest.mark.parametrize(("alias", "canonical"), [(a, p) for p, al in ALIASES.items() for a in al])
def test_every_platform_alias(alias: str, canonical: str) -> None:
    assert v.parse_platform(alias) == canonical


@pytest.mark.parametrize("bad", ["netflixx", "hbo", "", "x", "amazon video prime", None, 3, ["n"]])
def test_wrong_platform_names_value_and_lists_valid_ones(bad: object) -> None:
    with pytest.raises(QueryError) as e:
        v.parse_platform(bad)
    msg = str(e.value)
    assert repr(bad) in msg
    assert "amazon, disney, hulu, netflix" in msg


def test_optional_platform() -> None:
    assert v.parse_optional_platform(None) is None
    assert v.parse_optional_platform("  ") is None
    assert v.parse_optional_platform("N") == "netflix"


@pytest.mark.parametrize(("value", "year"), [(2020, 2020), ("2020", 2020), (" 1999 ", 1999),
                                             (2001.0, 2001), (1920, 1920)])  # fmt: skip
def test_years_accepted(value: object, year: int) -> None:
    assert v.parse_year(value) == year
    assert isinstance(v.parse_year(value), int)


@pytest.mark.parametrize("bad", ["20x0", "twenty", 2020.5, 1800, 3000, -2020, True, None, "",
                                 math.nan, [2020]])  # fmt: skip
def test_wrong_years(bad: object) -> None:
    with pytest.raises(QueryError, match=r"invalid year .*whole number between \d{4} and \d{4}"):
        v.parse_year(bad)


@pytest.mark.parametrize(("value", "score"), [(0, 0.0), (5, 5.0), (3.5, 3.5), ("4", 4.0),
                                              ("3,5", 3.5), (" 2.25 ", 2.25)])  # fmt: skip
def test_scores_accepted(value: object, score: float) -> None:
    assert v.parse_score(value) == score


@pytest.mark.parametrize("bad", [-0.1, 5.01, "abc", "", None, math.nan, math.inf, True, "6"])
def test_wrong_scores(bad: object) -> None:
    with pytest.raises(QueryError, match=r"invalid score .*from 0 to 5"):
        v.parse_score(bad)


@pytest.mark.parametrize(
    ("value", "dtype"),
    [(None, "min"), ("", "min"), ("min", "min"), ("minutes", "min"), ("Minutes", "min"),
     ("mins", "min"), ("season", "season"), ("seasons", "season"), ("SEASONS", "season")],
)  # fmt: skip
def test_duration_types(value: object, dtype: str) -> None:
    assert v.parse_duration_type(value) == dtype


@pytest.mark.parametrize("bad", ["hours", "m", "episodes", 5])
def test_wrong_duration_type(bad: object) -> None:
    with pytest.raises(QueryError, match=r"invalid duration type .*min, season \(also .*minutes"):
        v.parse_duration_type(bad)


def test_kinds_limits_user_ids_ratings() -> None:
    assert v.parse_kind("Movies") == "movie"
    assert v.parse_kind("tv show") == v.parse_kind("series") == "tv show"
    assert v.parse_kind(None) is None
    with pytest.raises(QueryError, match=r"movie, tv show \(also .*series"):
        v.parse_kind("documentary")
    assert v.parse_limit("7") == 7
    for bad in (0, 101, "ten", 2.5):
        with pytest.raises(QueryError, match="1 to 100"):
            v.parse_limit(bad)
    assert v.parse_user_id("42") == 42
    for bad in (-1, "x", None, True):
        with pytest.raises(QueryError, match="user id"):
            v.parse_user_id(bad)
    assert v.parse_ratings({"NS1": 4, "as2": "3,5"}) == {"ns1": 4.0, "as2": 3.5}
    for bad in ({"ns1": 0}, {"ns1": 5.5}, {"ns1": "good"}, [("ns1", 4)]):
        with pytest.raises(QueryError, match=r"0\.5"):
            v.parse_ratings(bad)


def test_catalog_methods_raise_query_error_naming_the_argument(tmp_path: Path) -> None:
    cat = Catalog.load(write_processed(tmp_path))
    with pytest.raises(QueryError, match="'netflixx'"):
        cat.count_platform("netflixx")
    with pytest.raises(QueryError, match="'20x0'"):
        cat.max_duration(year="20x0")
    with pytest.raises(QueryError, match="'hours'"):
        cat.max_duration(duration_type="hours")
    with pytest.raises(QueryError, match="'7'"):
        cat.score_count("netflix", "7", 2020)
    with pytest.raises(QueryError, match="invalid year None"):
        cat.score_count("netflix", 3, None)  # the year is required here
    with pytest.raises(QueryError, match="unknown platform None"):
        cat.actor(None, 2020)
    with pytest.raises(QueryError, match="give some text"):
        cat.search("   ")
    with pytest.raises(QueryError, match=r"too long .*at most 200"):
        cat.where_to_watch("a" * 201)
    assert cat.search("a " * 100) is not None  # 200 characters are fine
    with pytest.raises(QueryError):
        cat.years("nowhere")
    # A query error is a ValueError too, for callers that only know the built-ins.
    assert issubclass(QueryError, ValueError)
