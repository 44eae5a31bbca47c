"""The genre vocabulary (domain/genres.py): every label of the real files has a genre or is
known to be none, names in both languages, and typed words in either language."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from domain.genres import (
    GENRE_INFO,
    GENRES,
    NOT_GENRES,
    genre_key,
    genre_keys,
    genre_name,
    genre_of_word,
)
from domain.vocabulary import LANGUAGES


def test_every_genre_has_a_name_in_every_language() -> None:
    for key in GENRES:
        names = [genre_name(key, lang) for lang in LANGUAGES]
        assert all(names) and names[0] != key, key
    assert genre_name("comedy", "es") == "Comedia" and genre_name("nope") == "nope"


def test_labels_of_every_platform_meet() -> None:
    assert {genre_key(x) for x in ("Comedies", "TV Comedies", "Comedy", "Sitcom")} == {"comedy"}
    assert {genre_key(x) for x in ("Drama", "Dramas", "TV Dramas")} == {"drama"}
    assert genre_key("Movies") is None and genre_key(None) is None
    assert genre_keys("Arts, Entertainment, and Culture") == ("arts",)
    assert genre_keys("Dramas, International Movies, Dramas") == ("drama", "international")


@pytest.mark.parametrize(
    ("typed", "key"),
    [("comedias", "comedy"), ("Ciencia ficción", "scifi"), ("sci-fi", "scifi"),
     ("TERROR", "horror"), ("kids & family", "kids"), ("documentales", "documentary")],
)  # fmt: skip
def test_typed_words(typed: str, key: str) -> None:
    assert genre_of_word(typed) == key


def test_no_word_names_two_genres() -> None:
    seen: dict[str, str] = {}
    for g in GENRE_INFO.values():
        for label in g.labels:
            assert seen.setdefault(label, g.key) == g.key, label


@pytest.mark.realdata
def test_every_real_label_is_known(real_titles_dir: Path) -> None:
    unknown = set()
    for path in real_titles_dir.glob("*_titles.csv"):
        for cell in pd.read_csv(path).listed_in.dropna():
            for label in cell.split(","):
                if genre_key(label) is None and label.strip().lower() not in NOT_GENRES:
                    unknown.add(label.strip())
    assert not unknown
