"""The catalogue over the real Kaggle titles, checked against a few lines of pandas on the raw CSVs.

The ETL runs once per session on ../shared/data/raw/titles with a small demo ratings set for the
real ids; the expected answers below are computed from the raw files, not from the ETL output.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from catalog import Catalog

pytestmark = pytest.mark.realdata
ROOT = Path(__file__).resolve().parents[2]
LETTER = {"amazon": "a", "disney": "d", "hulu": "h", "netflix": "n"}
CASES = [("netflix", 2020), ("amazon", 2014), ("disney", 2019), ("hulu", 2021), ("netflix", 2001)]


@pytest.fixture(scope="session")
def real_data(real_titles_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("catalog_real")
    py = sys.executable
    steps = [
        [py, "-m", "etl.demo", "--out", str(base / "raw"), "--titles-from", str(real_titles_dir),
         "--ratings", "60000", "--seed", "7"],
        [py, "-m", "etl", "--titles", str(real_titles_dir),
         "--ratings", str(base / "raw" / "ratings"), "--out", str(base / "data" / "processed"),
         "-q"],
    ]  # fmt: skip
    for cmd in steps:
        subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True)
    return base


@pytest.fixture(scope="session")
def real_cat(real_data: Path) -> Catalog:
    return Catalog.load(real_data / "data")


@pytest.fixture(scope="session")
def raw(real_titles_dir: Path) -> pd.DataFrame:
    frames = []
    for path in sorted(real_titles_dir.glob("*_titles.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            df = pd.DataFrame(list(csv.DictReader(f)))
        platform = path.name.split("_")[0]
        df["platform"] = platform
        df["id"] = LETTER[platform] + df["show_id"].str.lower()
        frames.append(df)
    df = pd.concat(frames, ignore_index=True)
    df["year"] = pd.to_numeric(df["release_year"], errors="coerce")
    return df


def test_counts_per_platform_by_type(real_cat: Catalog, raw: pd.DataFrame) -> None:
    expected = raw.groupby(["platform", "type"]).size()
    for c in real_cat.count_platform():
        assert c.movies == expected[(c.platform, "Movie")]
        assert c.shows == expected[(c.platform, "TV Show")]
        assert c.total == (raw.platform == c.platform).sum()
    assert real_cat.info.titles == len(raw) == 22998


@pytest.mark.parametrize(("platform", "year"), CASES)
def test_longest_movie_of_a_year_on_a_platform(
    real_cat: Catalog, raw: pd.DataFrame, platform: str, year: int
) -> None:
    minutes = raw.duration.str.extract(r"^(\d+) min$")[0].astype(float)
    movies = raw[(raw.type == "Movie") & (raw.platform == platform) & (raw.year == year)]
    longest = minutes[movies.index].max()
    expected = set(movies[minutes[movies.index] == longest].id)
    got = real_cat.max_duration(year, platform)
    assert got.duration == longest
    assert {t.id for t in got.titles} == expected
    assert {t.title for t in got.titles} == set(raw.set_index("id").loc[sorted(expected)].title)


def test_longest_overall_and_most_seasons(real_cat: Catalog, raw: pd.DataFrame) -> None:
    minutes = raw.duration.str.extract(r"^(\d+) min$")[0].astype(float)
    seasons = raw.duration.str.extract(r"^(\d+) Seasons?$")[0].astype(float)
    movie, show = raw.type == "Movie", raw.type == "TV Show"
    assert real_cat.max_duration().duration == minutes[movie].max()
    assert {t.id for t in real_cat.max_duration().titles} == set(
        raw[movie & (minutes == minutes[movie].max())].id
    )
    hulu = show & (raw.platform == "hulu")
    got = real_cat.max_duration(platform="hulu", duration_type="seasons")
    assert got.duration == seasons[hulu].max()
    assert {t.id for t in got.titles} == set(raw[hulu & (seasons == seasons[hulu].max())].id)


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@pytest.mark.parametrize(("platform", "year"), CASES)
def test_most_frequent_actor(
    real_cat: Catalog, raw: pd.DataFrame, platform: str, year: int
) -> None:
    rows = raw[(raw.platform == platform) & (raw.year == year)]
    members = rows.cast.str.lower().str.split(",").explode().str.strip()
    members = members[members.notna() & (members != "")]
    per_title = members.reset_index().drop_duplicates()  # one count per title, not per mention
    counts = per_title.groupby("cast").size()
    got = real_cat.actor(platform, year)
    assert got.titles == len(rows)
    if counts.empty:  # hulu lists almost no casts: no titles of 2021 have one
        assert (got.actor, got.count, got.tied, got.titles_with_cast) == (None, 0, (), 0)
        return
    best = counts.max()
    expected = set(counts[counts == best].index)
    assert got.count == best
    assert {name.lower() for name in got.tied} == expected
    assert got.actor == got.tied[0]
    assert list(got.tied) == sorted(got.tied, key=lambda n: (_fold(n).casefold(), n.lower()))
    # Display casing comes from the raw cast, not from the lower-cased titles.parquet.
    raw_names = set(rows.cast.str.split(",").explode().str.strip().dropna())
    assert set(got.tied) <= raw_names


def test_score_count_matches_mean_of_raw_ratings(
    real_cat: Catalog, real_data: Path, raw: pd.DataFrame
) -> None:
    ratings = pd.concat(
        pd.read_csv(p) for p in sorted((real_data / "raw" / "ratings").glob("*.csv"))
    )
    mean = ratings.groupby("movieId").rating.mean()
    for platform, year in CASES:
        movies = raw[(raw.type == "Movie") & (raw.platform == platform) & (raw.year == year)]
        scores = mean.reindex(movies.id)
        for scored in (0, 2.5, 3.5, 4.5):
            got = real_cat.score_count(platform, scored, year)
            assert got.count == (scores > scored).sum(), (platform, year, scored)
            assert got.movies == len(movies)


def test_where_to_watch_finds_a_film_on_several_platforms(
    real_cat: Catalog, raw: pd.DataFrame
) -> None:
    key = raw.title.str.lower().str.strip() + "|" + raw.release_year
    shared = raw[key.map(key.value_counts()) >= 3].iloc[
        0
    ]  # e.g. '21' (2008): amazon, hulu, netflix
    same = raw[key == key[shared.name]]
    got = real_cat.where_to_watch(shared.title)
    match = [w for w in got if w.release_year == int(shared.release_year)]
    assert match and {o.id for o in match[0].offers} == set(same.id)


def test_search_finds_real_titles_with_typos_and_accents(real_cat: Catalog) -> None:
    assert real_cat.search("stranger thngs")[0].title == "Stranger Things"
    assert real_cat.search("breaking bad")[0].title == "Breaking Bad"
    assert real_cat.search("pokemon")[0].title.startswith("Pokémon")
    assert real_cat.search("la casa de papel")[0].platform == "netflix"


@pytest.mark.slow
def test_real_model_recommendations_are_catalogue_titles(real_data: Path) -> None:
    pytest.importorskip("surprise")
    subprocess.run(
        [sys.executable, "-m", "model", "train", "--data-dir", str(real_data / "data"),
         "--epochs", "5", "--quiet"],
        check=True, cwd=ROOT, capture_output=True,
    )  # fmt: skip
    cat = Catalog.load(real_data / "data")
    assert cat.recommender is not None, cat.model_error
    assert cat.info.model_version
    r = cat.recommend(1, "ns5941")
    assert r.title.title == "Breaking Bad" and 0.5 <= r.estimate <= 5
    top = cat.top(1, 5, platform="netflix", kind="movie")
    assert len(top) == 5 and all(t.title.platform == "netflix" for t in top)
    assert all(t.title.type == "movie" for t in top)
    known = next(t for t in cat.recommender.title_ids if cat.title(t) is not None)
    assert len(cat.similar(known, 3)) == 3
    assert len(cat.for_ratings({"ns5941": 5.0, "ns1": 1.0}, 4)) == 4


def test_similar_titles_by_content_on_the_real_catalogue(real_cat: Catalog) -> None:
    """No model here (like a title nobody rated): The Irishman's neighbours are Scorsese's and
    De Niro's films, not random dramas."""
    names = {x.title.title for x in real_cat.similar("The Irishman", 6)}
    assert {"GoodFellas", "Raging Bull", "Mean Streets"} & names, names


def test_every_real_title_card_is_valid_telegram_html_within_the_limit(real_cat: Catalog) -> None:
    """The bot's title card (chat/cards.py) for each of the ~23k real titles, in both languages:
    Telegram must parse it (descriptions carry &, <, quotes) and it must fit one message."""
    from catalog.results import Offer
    from chat.cards import card_keyboard, card_text
    from chat.replies import MAX_TEXT, utf16_len
    from tests.fakes.telegram_server import parse_html

    checked = 0
    for title_id in real_cat.index.rows.row_of_id:
        info = real_cat.title(title_id)
        assert info is not None
        offers = [Offer(info.platform, info.id)]
        for lang in ("en", "es"):
            text = card_text(lang, info, offers)
            assert utf16_len(parse_html(text)) <= MAX_TEXT, title_id
            links = [b for row in card_keyboard(lang, info, offers) for b in row if b.url]
            assert len(links) == 1 and links[0].url.startswith("https://"), title_id
        checked += 1
    assert checked > 20_000
