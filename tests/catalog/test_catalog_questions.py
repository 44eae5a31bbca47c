"""The four questions, titles and info on the hand-made catalogue (tests/catalog_helpers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog import (
    Catalog,
    CatalogHolder,
    CatalogLoadError,
    QueryError,
    get_actor,
    get_count_platform,
    get_max_duration,
    get_score_count,
)
from tests.catalog_helpers import write_processed


@pytest.fixture(scope="module")
def cat(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return Catalog.load(write_processed(tmp_path_factory.mktemp("small")))


def ids(refs) -> list[str]:
    return [r.id for r in refs]


# ---- max_duration ---------------------------------------------------------------------------


def test_max_duration_no_filters_is_longest_movie_even_without_year(cat: Catalog) -> None:
    r = cat.max_duration()
    assert (r.duration_type, r.duration, ids(r.titles)) == ("min", 200, ["as6"])
    assert r.title is not None and r.title.title == "Old Film"


def test_max_duration_ties_are_all_named_sorted_by_name(cat: Catalog) -> None:
    r = cat.max_duration(2020, "amazon")
    assert r.duration == 150
    assert [t.title for t in r.titles] == ["Another Long", "The Long Film"]


def test_max_duration_seasons_ties_and_aliases(cat: Catalog) -> None:
    for dtype in ("season", "seasons", "SEASONS", " Season "):
        r = cat.max_duration(duration_type=dtype)
        assert (r.duration_type, r.duration, ids(r.titles)) == ("season", 5, ["ns2", "ns3"])
    assert cat.max_duration(2020, "a", "season").titles[0].title == "Series A"


def test_max_duration_minutes_aliases_and_default(cat: Catalog) -> None:
    expected = cat.max_duration(2019, "netflix", "min")
    assert ids(expected.titles) == ["ns4"]  # the shows of 2019 do not count for minutes
    for dtype in (None, "", "min", "minutes", "MIN"):
        assert cat.max_duration(2019, "netflix", dtype) == expected


def test_max_duration_each_filter_alone(cat: Catalog) -> None:
    assert ids(cat.max_duration(year=2001).titles) == ["as5", "ns1"]  # a tie across platforms
    assert ids(cat.max_duration(platform="disney").titles) == ["ds2"]
    assert cat.max_duration(year="2019").duration == 118  # digit strings are years too


def test_max_duration_empty_is_an_empty_result(cat: Catalog) -> None:
    r = cat.max_duration(1999, "hulu")
    assert (r.year, r.platform, r.duration, r.titles, r.title) == (1999, "hulu", None, (), None)
    assert cat.max_duration(2021, "hulu", "min").titles == ()  # hulu 2021 has only a show


# ---- score_count ----------------------------------------------------------------------------


def test_score_count_is_strictly_greater_and_movies_only(cat: Catalog) -> None:
    r = cat.score_count("amazon", 3.5, 2020)
    assert (r.count, r.movies, r.rated) == (1, 3, 2)  # as2 scores exactly 3.5; as3 has no votes
    assert cat.score_count("amazon", 3.49, 2020).count == 2
    assert cat.score_count("amazon", 0, 2020).count == 2  # unscored movies never count
    assert cat.score_count("amazon", 5, 2020).count == 0
    assert cat.score_count("amazon", 4.0, 2020).count == 0  # as4 (4.5) is a show


def test_score_count_arguments_are_parsed(cat: Catalog) -> None:
    assert cat.score_count("Prime", "3,5", "2020").count == 1
    assert cat.score_count("n", 4.9, 2019).count == 1


def test_score_count_empty(cat: Catalog) -> None:
    r = cat.score_count("hulu", 1, 1990)
    assert (r.count, r.movies, r.rated) == (0, 0, 0)


# ---- count_platform -------------------------------------------------------------------------


def test_count_platform_movies_shows_total(cat: Catalog) -> None:
    got = {c.platform: (c.movies, c.shows, c.total) for c in cat.count_platform()}
    assert got == {
        "amazon": (5, 1, 6),
        "disney": (2, 0, 2),
        "hulu": (1, 1, 2),
        "netflix": (3, 2, 5),
    }
    assert [c.platform for c in cat.count_platform()] == ["amazon", "disney", "hulu", "netflix"]
    assert cat.count_platform("Disney+") == [cat.count_platform()[1]]


# ---- actor ----------------------------------------------------------------------------------


def test_actor_three_way_tie_alphabetical_in_display_casing(cat: Catalog) -> None:
    r = cat.actor("amazon", 2020)
    # Bob Stone appears twice in as2's cast: titles are counted, not mentions.
    assert (r.actor, r.count, r.tied) == ("Ana Pérez", 2, ("Ana Pérez", "Bob Stone", "Carl Diaz"))
    assert (r.titles, r.titles_with_cast) == (4, 4)


def test_actor_ties_sort_accents_with_their_base_letter(cat: Catalog) -> None:
    r = cat.actor("netflix", 2019)  # shows count too: Ana Pérez is in the show ns2
    assert r.tied == ("Ana Pérez", "Émile Hirsch", "Frank Ocean")
    assert r.count == 1


def test_actor_single_winner_and_empty_answers(cat: Catalog) -> None:
    assert cat.actor("disney", 1994).tied == ("Matthew Broderick",)
    none = cat.actor("hulu", 2021)  # one title, no cast
    assert (none.actor, none.count, none.tied, none.titles, none.titles_with_cast) == (
        None,
        0,
        (),
        1,
        0,
    )
    assert cat.actor("hulu", 1900).titles == 0


# ---- plain functions of the original brief ---------------------------------------------------


def test_plain_functions_match_methods(cat: Catalog, tmp_path: Path) -> None:
    assert get_max_duration(cat, 2020, "amazon", "min").title.title == "Another Long"
    assert get_max_duration(cat) == cat.max_duration()
    assert get_score_count(cat, "amazon", 3.5, 2020).count == 1
    assert get_count_platform(cat, "netflix").movies == 3
    assert get_actor(cat, "amazon", 2020).actor == "Ana Pérez"
    holder = CatalogHolder(tmp_path, catalog=cat)
    assert get_count_platform(holder, "n") == get_count_platform(cat, "netflix")
    with pytest.raises(QueryError):
        get_count_platform(cat, None)


# ---- titles and years -----------------------------------------------------------------------


def test_title_details_in_display_casing(cat: Catalog) -> None:
    t = cat.title("AS2")
    assert t is not None
    assert (t.title, t.platform, t.type, t.release_year) == (
        "Another Long",
        "amazon",
        "movie",
        2020,
    )
    assert t.cast == ("Bob Stone", "Carl Diaz", "Bob Stone")
    assert (t.score, t.votes, t.duration_int, t.duration_type) == (3.5, 4, 150, "min")
    assert cat.title("as3").score is None
    assert cat.title("nope") is None
    assert cat.title(42) is None


def test_years(cat: Catalog) -> None:
    assert cat.years() == [1994, 2001, 2002, 2015, 2019, 2020, 2021]
    assert cat.years("amazon") == [2001, 2020]  # as6 has no year
    assert cat.years("h") == [2002, 2021]


# ---- info and loading -----------------------------------------------------------------------


def test_info(cat: Catalog) -> None:
    info = cat.info
    assert info.titles == 15
    assert info.scored_titles == 11
    assert info.per_platform == {"amazon": 6, "disney": 2, "hulu": 2, "netflix": 5}
    assert [f.name for f in info.files] == ["titles.parquet", "scores.parquet", "display.parquet"]
    assert all(f.rows == 15 and f.bytes > 0 for f in info.files)
    assert len(info.version) == 12
    assert info.model_version is None and "no model" in (info.model_error or "")
    assert info.loaded_at.tzinfo is not None


def test_same_data_same_version_other_data_other_version(tmp_path: Path) -> None:
    from tests.catalog_helpers import ROWS

    a = Catalog.load(write_processed(tmp_path / "a")).info.version
    b = Catalog.load(write_processed(tmp_path / "b")).info.version
    c = Catalog.load(write_processed(tmp_path / "c", ROWS[:-1])).info.version
    assert a == b != c


def test_missing_processed_data_is_a_clear_load_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogLoadError, match=r"titles\.parquet is missing.*python -m etl"):
        Catalog.load(tmp_path)


def test_garbage_or_incomplete_parquet_is_a_clear_load_error(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    write_processed(tmp_path)
    (tmp_path / "processed" / "scores.parquet").write_bytes(b"not parquet")
    with pytest.raises(CatalogLoadError, match=r"scores\.parquet is not a readable parquet"):
        Catalog.load(tmp_path)
    write_processed(tmp_path)
    pq.write_table(pa.table({"id": ["as1"]}), tmp_path / "processed" / "display.parquet")
    with pytest.raises(CatalogLoadError, match=r"lacks column\(s\) title, director, cast"):
        Catalog.load(tmp_path)


def test_display_rows_in_another_order_are_joined_by_id(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    write_processed(tmp_path)
    path = tmp_path / "processed" / "display.parquet"
    table = pq.read_table(path)
    pq.write_table(table.take(list(reversed(range(table.num_rows)))), path)
    cat = Catalog.load(tmp_path)
    assert cat.title("as1").title == "The Long Film"
    assert cat.actor("amazon", 2020).actor == "Ana Pérez"
