"""The cross-platform genre vocabulary (domain/genres.py): the platforms' spellings meet in one
key, every key is named in both languages, labels that are no genre have none, unknown labels
degrade to their own key, people's typed words in either language find the genre, and every
label of the real titles is mapped by the table (not by the fallback)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from domain import genres as g
from domain.vocabulary import LANGUAGES


@pytest.mark.parametrize(
    ("labels", "key"),
    [
        (("Dramas", "Drama", "TV Dramas"), "drama"),
        (("Comedies", "Comedy", "TV Comedies", "Sitcom"), "comedy"),
        (("Documentaries", "Documentary", "Docuseries"), "documentary"),
        (
            ("Sci-Fi & Fantasy", "TV Sci-Fi & Fantasy", "Science Fiction", "Fantasy"),
            "scifi_fantasy",
        ),
        (("Horror Movies", "TV Horror", "Horror"), "horror"),
        (("Crime TV Shows", "Crime"), "crime"),
    ],
)
def test_platform_spellings_meet_in_one_key(labels: tuple[str, ...], key: str) -> None:
    assert {g.genre_key(lbl) for lbl in labels} == {key}
    assert g.genre_key(f"  {labels[0].upper()} ") == key  # case and spaces do not matter


def test_every_genre_is_named_in_every_language_and_labels_are_unique() -> None:
    seen: set[str] = set()
    for genre in g.GENRE_INFO.values():
        assert set(genre.names) == set(LANGUAGES)
        assert all(genre.name(lang).strip() for lang in LANGUAGES)
        assert not seen & set(genre.labels), genre.key
        seen |= set(genre.labels)
    assert tuple(g.GENRE_INFO) == g.GENRES
    assert g.genre_name("comedy", "es") == "Comedia"
    assert g.genre_name("crime", "es") == "Crimen"
    assert g.genre_name("drama", "en") == "Drama"


def test_labels_that_are_no_genre_have_none() -> None:
    assert g.genre_key("Movies") is None and g.genre_key("TV Shows") is None
    assert g.genre_key("") is None and g.genre_key(None) is None
    assert g.genre_keys("Movies, Dramas, Special Interest") == ("drama",)


def test_unknown_labels_fall_back_to_their_own_key() -> None:
    assert g.genre_key("Telenovela TV Shows") == "telenovela"
    assert g.genre_key("Thriller Movies") == "thriller"  # the suffix off, then the table
    assert g.genre_name("telenovela", "es") == "Telenovela"
    assert g.genre_keys(None) == ()
    assert g.genre_keys(" , ") == ()


def test_a_label_holding_commas_stays_one_label() -> None:
    cell = "Arts, Entertainment, and Culture, Documentary"
    assert g.split_labels(cell) == ["Arts, Entertainment, and Culture", "Documentary"]
    assert g.genre_keys(cell) == ("arts", "documentary")
    assert g.genre_keys("Dramas, TV Dramas, International Movies") == ("drama", "international")


@pytest.mark.parametrize(
    ("typed", "key"),
    [("comedias", "comedy"), ("Ciencia ficción", "scifi_fantasy"), ("sci-fi", "scifi_fantasy"),
     ("TERROR", "horror"), ("kids", "family"), ("documentales", "documentary"),
     ("Comedia", "comedy"), ("TV Comedies", "comedy")],
)  # fmt: skip
def test_typed_words_in_either_language(typed: str, key: str) -> None:
    assert g.genre_of_word(typed) == key


def test_unknown_words_find_no_genre() -> None:
    assert g.genre_of_word("cartoonz") is None and g.genre_of_word(None) is None


def test_every_label_of_the_real_titles_is_in_the_table(real_titles_dir: Path) -> None:
    labels: set[str] = set()
    for path in sorted(real_titles_dir.glob("*_titles.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                labels.update(g.split_labels(row.get("listed_in")))
    assert len(labels) > 100  # the four files hold about 118 distinct labels
    unmapped = sorted(
        lbl
        for lbl in labels
        if " ".join(lbl.lower().split()) not in g.known_labels()
        and lbl.strip().lower() not in g.NOT_GENRES
    )
    assert unmapped == []
    assert {g.genre_key(lbl) for lbl in labels} - {None} <= set(g.GENRE_INFO)
