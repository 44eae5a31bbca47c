"""Browsing (catalog/browse.py): filters, sorts, paging and typed words, on a hand-made catalogue
whose answers are known by construction, and on the real titles checked against pandas."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from catalog import Catalog, QueryError
from catalog.browse import BrowseQuery, parse_decade, parse_words
from tests.catalog_helpers import write_processed

ROOT = Path(__file__).resolve().parents[2]
# The platforms' own labels for each row of catalog_helpers.ROWS, as the raw files write them.
LABELS = {
    "as1": "Comedy, Drama", "as2": "Action, Comedy", "as3": "Documentary", "as4": "Comedy",
    "as5": "Drama, International", "as6": "Drama", "ns1": "Comedies, International Movies",
    "ns2": "TV Comedies", "ns3": "TV Dramas", "ns4": "Comedies", "ns5": "Dramas",
    "ds1": "Animation, Family", "ds2": "Action-Adventure, Family", "hs1": "Sitcom",
    "hs2": "Action, Superhero",
}  # fmt: skip


@pytest.fixture(scope="module")
def cat(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    base = write_processed(tmp_path_factory.mktemp("browse"))
    path = base / "processed" / "display.parquet"
    display = pq.read_table(path)
    labels = [LABELS[i] for i in display.column("id").to_pylist()]
    at = display.column_names.index("listed_in")
    pq.write_table(display.set_column(at, "listed_in", pa.array(labels, pa.string())), path)
    return Catalog.load(base)


def ids(page: object) -> list[str]:
    return [i.title.id for i in page.items]  # type: ignore[attr-defined]


def test_genre_joins_every_platforms_label(cat: Catalog) -> None:
    # Amazon's "Comedy", Netflix's "Comedies" and "TV Comedies", Hulu's "Sitcom": one genre.
    page = cat.browse(genre="comedy", limit=100)
    assert set(ids(page)) == {"as1", "as2", "as4", "ns1", "ns2", "ns4", "hs1"}
    assert page.total == 7
    assert cat.browse(genre="Comedia", limit=100).total == 7  # the Spanish name
    assert cat.browse(genre="TV Comedies", limit=100).total == 7  # a platform's label


def test_browse_years_are_those_of_the_matching_titles(cat: Catalog) -> None:
    """What /browse's menu offers as decades and years: only those with titles to show."""
    kids = cat.browse(genre="kids", decade=1990).query
    for q in (BrowseQuery(), BrowseQuery(platform="netflix", genre="comedy"),
              BrowseQuery(kind="tv show"), kids):  # fmt: skip
        titles = cat.browse_query(q, 0, 100).items
        known = {i.title.release_year for i in titles} - {None}  # a year unknown is no button
        assert cat.browse_years(q) == sorted(known), q
    assert cat.browse_years(BrowseQuery(platform="netflix", year=1900)) == []


def test_filters_combine(cat: Catalog) -> None:
    assert ids(cat.browse(platform="netflix", genre="comedy", year=2019)) == ["ns4", "ns2"]
    assert ids(cat.browse(platform="n", kind="series", genre="comedies")) == ["ns2"]
    assert set(ids(cat.browse(decade="2010s", limit=50))) == {"ns2", "ns3", "ns4", "ns5", "ds2"}
    assert set(ids(cat.browse(genre="kids", decade=1990))) == {"ds1"}
    # min_score: the plain mean, at least; unrated titles never pass it
    assert set(ids(cat.browse(min_score=4.5, limit=50))) == {"ns4", "as4", "ds1"}


def test_all_is_every_platform(cat: Catalog) -> None:
    assert cat.browse(platform="all", limit=100).total == cat.browse(limit=100).total == 15


def test_sort_by_score_shrinks_few_votes_and_puts_unrated_last(cat: Catalog) -> None:
    order = ids(cat.browse(genre="comedy", limit=100))
    # ns1: 4.2 from 10 votes before ns4: 5.0 from one vote; as3-like unrated titles last
    assert order.index("ns1") < order.index("ns4")
    assert order[-1] == "hs1"  # nobody rated it
    scores = [i.score for i in cat.browse(genre="comedy", limit=100).items]
    assert scores[-1] is None and all(s is not None for s in scores[:-1])


def test_sort_newest(cat: Catalog) -> None:
    years = [i.title.release_year for i in cat.browse(sort="newest", limit=100).items]
    known = [y for y in years if y is not None]
    assert known == sorted(known, reverse=True) and years[0] == 2021
    assert years[-1] is None  # as6 has no release year: last
    assert ids(cat.browse(sort="recientes", limit=1)) == ["hs1"]


def test_paging_has_total_and_offset(cat: Catalog) -> None:
    whole = ids(cat.browse(limit=100))
    pages = [cat.browse(offset=k, limit=4) for k in range(0, 16, 4)]
    assert [p.offset for p in pages] == [0, 4, 8, 12]
    assert all(p.total == 15 for p in pages)
    assert [i for p in pages for i in ids(p)] == whole
    again = cat.browse_query(pages[0].query, 4, 4)  # the next page of a parsed query
    assert ids(again) == ids(pages[1])


def test_items_carry_genres_and_scores(cat: Catalog) -> None:
    item = cat.browse(platform="netflix", genre="comedy", year=2001).items[0]
    assert item.title.id == "ns1" and item.genres == ("comedy", "international")
    assert item.score == pytest.approx(4.2) and item.votes == 10


@pytest.mark.parametrize(
    ("words", "want"),
    [
        ("netflix comedy 2020", BrowseQuery("netflix", None, "comedy", 2020)),
        (
            "comedies on amazon prime from the 90s",
            BrowseQuery("amazon", None, "comedy", None, 1990),
        ),
        ("series 1990s drama best", BrowseQuery(None, "tv show", "drama", None, 1990)),
        (
            "películas de terror 4+ recientes",
            BrowseQuery(None, "movie", "horror", None, None, 4.0, "newest"),
        ),
        ("all science fiction >3,5", BrowseQuery(None, None, "scifi_fantasy", min_score=3.5)),
        ("Disney+ kids & family newest", BrowseQuery("disney", None, "family", sort="newest")),
        ("ciencia ficción tv shows", BrowseQuery(None, "tv show", "scifi_fantasy")),
        # a platform's label holding a kind is that genre and that kind, not the genre alone
        ("horror movies", BrowseQuery(None, "movie", "horror")),
        ("TV Comedies", BrowseQuery(None, "tv show", "comedy")),
        ("", BrowseQuery()),
    ],
)
def test_typed_words(words: str, want: BrowseQuery) -> None:
    assert parse_words(words) == want


def test_browse_words_answers_the_same_as_keywords(cat: Catalog) -> None:
    assert ids(cat.browse_words("netflix comedies 2019")) == ids(
        cat.browse(platform="netflix", genre="comedy", year=2019)
    )


@pytest.mark.parametrize(
    ("call", "code", "arg"),
    [
        (lambda c: c.browse_words("netflix blah"), "unknown_word", "words"),
        (lambda c: c.browse_words("netflix hulu"), "unknown_word", "words"),
        (lambda c: c.browse_words("2019 2020"), "unknown_word", "words"),
        (lambda c: c.browse(genre="cartoonz"), "unknown_genre", "genre"),
        (lambda c: c.browse(platform="hbo"), "unknown_platform", "platform"),
        (lambda c: c.browse(decade="1995"), "invalid_year", "decade"),
        (lambda c: c.browse(sort="worst"), "invalid_sort", "sort"),
        (lambda c: c.browse(min_score=7), "invalid_score", "score"),
        (lambda c: c.browse(offset=-1), "invalid_offset", "offset"),
        (lambda c: c.browse(limit=0), "invalid_limit", "limit"),
    ],
)
def test_bad_filters_are_query_errors(cat: Catalog, call, code: str, arg: str) -> None:
    with pytest.raises(QueryError) as e:
        call(cat)
    assert (e.value.code, e.value.arg) == (code, arg) and str(e.value)


def test_decades() -> None:
    assert [parse_decade(x) for x in ("1990s", "90s", "90's", 1980, "2010", "20s")] == [
        1990, 1990, 1990, 1980, 2010, 2020,
    ]  # fmt: skip


@pytest.mark.realdata
def test_real_titles_netflix_comedies_2020_against_pandas(
    real_titles_dir: Path, tmp_path: Path
) -> None:
    """The count of "comedy" on Netflix in 2020 is the raw file's rows carrying one of Netflix's
    comedy labels, counted with pandas on the CSV (test entries and repeated ids aside)."""
    py = sys.executable
    for cmd in (
        [py, "-m", "etl.demo", "--out", str(tmp_path / "raw"), "--titles-from",
         str(real_titles_dir), "--ratings", "20000", "--seed", "3"],
        [py, "-m", "etl", "--data-dir", str(tmp_path), "--titles", str(real_titles_dir), "-q"],
    ):  # fmt: skip
        subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True)
    cat = Catalog.load(tmp_path)
    raw = pd.read_csv(real_titles_dir / "netflix_titles.csv")
    labels = raw.listed_in.fillna("").str.split(",").map(lambda ls: {x.strip() for x in ls})
    comedy = labels.map(lambda ls: bool(ls & {"Comedies", "TV Comedies"}))
    want = raw[comedy & (raw.release_year == 2020)].drop_duplicates("show_id")
    page = cat.browse_words("netflix comedy 2020", limit=100)
    assert page.total == len(want) > 100
    assert {i.title.id for i in page.items} <= {"n" + s for s in want.show_id}
    drama = labels.map(lambda ls: bool(ls & {"Dramas", "TV Dramas"}))
    assert cat.browse(platform="netflix", genre="drama").total == int(drama.sum())
