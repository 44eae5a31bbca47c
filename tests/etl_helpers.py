"""Small builders for crafted raw files used by the ETL tests."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from domain.vocabulary import PLATFORM_LETTERS
from etl.demo import make_ratings, make_titles, taste_tags
from etl.schema import TITLE_COLUMNS

HEADER = ",".join(TITLE_COLUMNS)


def title_row(show_id: str = "s1", **cells: str) -> dict[str, str]:
    row = {
        "show_id": show_id,
        "type": "Movie",
        "title": "The Grand Seduction",
        "director": "Don McKellar",
        "cast": "Brendan Gleeson, Taylor Kitsch",
        "country": "Canada",
        "date_added": "March 30, 2021",
        "release_year": "2014",
        "rating": "PG",
        "duration": "113 min",
        "listed_in": "Comedy, Drama",
        "description": "A small fishing village.",
    }
    row.update(cells)
    return row


def write_titles(path: Path, rows: list[dict[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=TITLE_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return path


def write_ratings(
    path: Path, lines: list[str], header: str = "userId,rating,timestamp,movieId"
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + "\n" + "".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def minimal_raw(raw: Path) -> Path:
    """A valid raw folder: one title per platform and a few ratings."""
    for platform, name in (
        ("amazon", "amazon_prime_titles.csv"),
        ("disney", "disney_plus_titles.csv"),
        ("hulu", "hulu_titles.csv"),
        ("netflix", "netflix_titles.csv"),
    ):
        write_titles(
            raw / "titles" / name, [title_row("s1", title=f"{platform} film"), title_row("s2")]
        )
    write_ratings(
        raw / "ratings" / "1.csv",
        ["1,4.5,1425941529,as1", "1,3.0,1425941530,ns1", "2,5.0,1425941531,as1"],
    )
    return raw


def calibrated(n_titles: int, n_ratings: int, seed: int = 42) -> pd.DataFrame:
    """Demo ratings for `make_titles(n_titles)`, the same code path as the CLI."""
    rows = make_titles(n_titles, seed)
    ids = [PLATFORM_LETTERS[p] + r[0] for p, rs in rows.items() for r in rs]
    # what the CLI passes: genre keys, director and country tags (etl/demo.py)
    genres = [taste_tags(r[10], r[3], r[5]) for rs in rows.values() for r in rs]
    df = make_ratings(ids, genres, n_ratings, seed).to_pandas()
    df["rating"] = df.rating.astype(float)
    return df
