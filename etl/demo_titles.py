"""Demo titles: the four platforms' CSVs in exactly the raw format, with the real files' dirt
(`make_titles`, `write_titles`), and reading the ids and genres of titles already on disk.
`etl.demo` re-exports every name here."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from domain.vocabulary import PLATFORM_LETTERS
from etl.schema import PLATFORM_FILES, TITLE_COLUMNS

# Real row counts per platform, used as proportions.
REAL_SIZES = {"amazon": 9668, "disney": 1450, "hulu": 3073, "netflix": 8807}
MOVIE_SHARE = {"amazon": 0.81, "disney": 0.73, "hulu": 0.48, "netflix": 0.70}
GENRES = (
    "Action", "Comedy", "Drama", "Horror", "Documentary", "Animation", "Romance", "Thriller",
    "Science Fiction", "Family", "Kids", "Crime", "Fantasy", "Music", "Sports", "International",
)  # fmt: skip
PLATFORM_GENRES = {
    "amazon": ("Action", "Drama", "Thriller", "Comedy"),
    "disney": ("Family", "Animation", "Kids", "Fantasy"),
    "hulu": ("Comedy", "Drama", "Crime", "Documentary"),
    "netflix": ("International", "Drama", "Comedy", "Documentary"),
}
RATINGS_BY_PLATFORM = {
    "amazon": ("13+", "16+", "18+", "7+", "ALL", "R", "PG-13", "TV-MA", "TV-14", "NR"),
    "disney": ("G", "PG", "TV-G", "TV-PG", "TV-Y7", "PG-13", "TV-14"),
    "hulu": ("TV-MA", "TV-14", "R", "PG-13", "TV-PG", "PG", "NR"),
    "netflix": ("TV-MA", "TV-14", "TV-PG", "R", "PG-13", "NR", "TV-Y7", "PG"),
}
FIRST = (
    "James", "Maria", "José", "Zoë", "Søren", "Chloé", "Łukasz", "Jürgen", "Renée", "Björn",
    "Amélie", "Ryūichi", "Nuño", "Ana", "David", "Priya", "Kenji", "Fatima", "Olga", "Liam",
    "Emma", "Mateo", "Sofía", "Noah", "Aiko", "Omar", "Ingrid", "Raúl", "Beyoncé", "Chen",
)  # fmt: skip
LAST = (
    "Smith", "García", "Müller", "Nakamura", "O'Brien", "Núñez", "Kowalski", "Johansson",
    "Dubois", "Rossi", "Khan", "Silva", "Ivanova", "Park", "Brown", "López", "Søndergaard",
    "Ferrari", "Lévesque", "Okafor", "Wang", "Hernández", "Schmidt", "Kim", "Novák",
)  # fmt: skip
ADJ = (
    "Silent", "Last", "Golden", "Broken", "Hidden", "Wild", "Lost", "Secret", "Dark", "Bright",
    "Little", "Great", "Frozen", "Burning", "Café", "Señor", "Über", "Midnight", "Electric",
    "Forgotten",
)  # fmt: skip
NOUN = (
    "Harbor", "Kingdom", "Road", "Garden", "Summer", "Witness", "Empire", "River", "Storm",
    "Promise", "Island", "Night", "Heart", "Machine", "Niño", "Mirror", "Forest", "City",
    "Signal", "Dream", "Legacy", "Echo", "Frontier", "Carnival",
)  # fmt: skip
COUNTRIES = (
    "United States", "India", "United Kingdom", "Canada", "France", "Spain", "Japan",
    "South Korea", "Mexico", "Germany", "Argentina", "Brazil",
)  # fmt: skip
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


def split_sizes(total: int) -> dict[str, int]:
    """Split `total` titles across platforms in the real proportions (largest remainder)."""
    real = sum(REAL_SIZES.values())
    exact = {p: total * n / real for p, n in REAL_SIZES.items()}
    sizes = {p: math.floor(v) for p, v in exact.items()}
    for p in sorted(exact, key=lambda p: exact[p] - sizes[p], reverse=True)[
        : total - sum(sizes.values())
    ]:
        sizes[p] += 1
    return sizes


def _person(rng: np.random.Generator) -> str:
    return f"{FIRST[rng.integers(len(FIRST))]} {LAST[rng.integers(len(LAST))]}"


def _title_name(rng: np.random.Generator) -> str:
    name = f"{ADJ[rng.integers(len(ADJ))]} {NOUN[rng.integers(len(NOUN))]}"
    roll = rng.random()
    if roll < 0.3:
        name = "The " + name
    elif roll < 0.45:
        name += f": {NOUN[rng.integers(len(NOUN))]} {rng.integers(2, 6)}"
    elif roll < 0.5:
        name += ", Part II"
    return name


def _date(rng: np.random.Generator) -> str:
    return f"{MONTHS[rng.integers(12)]} {rng.integers(1, 29)}, {rng.integers(2015, 2022)}"


def make_titles(n: int, seed: int) -> dict[str, list[list[str]]]:
    """Rows per platform, raw strings in the Kaggle layout, dirt included."""
    rng = np.random.default_rng(seed)
    actors = [_person(rng) for _ in range(max(20, n // 3))]
    # Zipf-like popularity so some actors appear often, as in the real casts.
    actor_p = 1 / np.arange(1, len(actors) + 1) ** 0.8
    actor_p /= actor_p.sum()
    made: list[tuple[str, str, str, str]] = []  # (title, year, director, type) to reuse elsewhere
    out: dict[str, list[list[str]]] = {}
    for platform, size in split_sizes(n).items():
        rows = []
        for i in range(1, size + 1):
            is_movie = rng.random() < MOVIE_SHARE[platform]
            kind = "Movie" if is_movie else "TV Show"
            if made and rng.random() < 0.04:
                # The same film often sits on two platforms under different ids.
                title, year, director, kind = made[rng.integers(len(made))]
                is_movie = kind == "Movie"
            else:
                title = _title_name(rng)
                year = str(int(np.clip(2022 - rng.exponential(12), 1920, 2021)))
                director = _person(rng) if rng.random() < 0.7 else ""
                made.append((title, year, director, kind))
            cast = ""
            if rng.random() < 0.85:
                k = int(rng.integers(1, 9))
                cast = ", ".join(
                    dict.fromkeys(actors[j] for j in rng.choice(len(actors), k, p=actor_p))
                )
            country = ""
            if rng.random() < 0.8:
                country = COUNTRIES[rng.integers(len(COUNTRIES))]
                if rng.random() < 0.1:
                    country += ", " + COUNTRIES[rng.integers(len(COUNTRIES))]
            date_added = ""
            if not (platform == "amazon" and rng.random() < 0.98) and rng.random() > 0.01:
                date_added = _date(rng)
                if platform == "netflix" and rng.random() < 0.01:
                    date_added = " " + date_added  # Netflix's stray leading space
            rating = RATINGS_BY_PLATFORM[platform][rng.integers(len(RATINGS_BY_PLATFORM[platform]))]
            if rng.random() < 0.1:
                rating = ""
            if is_movie:
                duration = f"{int(np.clip(rng.normal(95, 25), 3, 240))} min"
                if rng.random() < 0.002:
                    duration = f"{int(rng.integers(250, 600))} min"  # the odd outlier
            else:
                seasons = int(min(1 + rng.geometric(0.55) - 1, 30))
                duration = "1 Season" if seasons == 1 else f"{seasons} Seasons"
            if (platform == "hulu" and rng.random() < 0.09) or (
                platform == "netflix" and rng.random() < 0.0005
            ):
                rating, duration = duration, ""  # a duration sitting in the rating column
            if platform == "hulu" and not duration and rng.random() < 0.5:
                rating = ""
            pool = PLATFORM_GENRES[platform] if rng.random() < 0.6 else GENRES
            genres = ", ".join(
                dict.fromkeys(pool[j] for j in rng.integers(0, len(pool), rng.integers(1, 4)))
            )
            description = (
                f"A story of {title.lower()} and {NOUN[rng.integers(len(NOUN))].lower()}s."
            )
            if rng.random() < 0.02:
                description += '\nA "second" line, with a comma.'
            rows.append(
                [f"s{i}", kind, title, director, cast, country, date_added, year, rating, duration,
                 genres, description]
            )  # fmt: skip
        out[platform] = rows
    return out


def write_titles(rows: dict[str, list[list[str]]], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for platform, platform_rows in rows.items():
        with (folder / PLATFORM_FILES[platform]).open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(TITLE_COLUMNS)
            w.writerows(platform_rows)


def read_title_genres(folder: Path) -> tuple[list[str], list[list[str]]]:
    """Ids and genre lists of titles already on disk (demo or real), for --titles-from."""
    ids, genres = [], []
    for path in sorted(folder.glob("*.csv")):
        letter = PLATFORM_LETTERS.get(path.name.split("_", 1)[0].lower())
        if letter is None:
            continue
        with path.open(encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                ids.append(letter + row["show_id"].lower())
                genres.append(
                    [g.strip().lower() for g in (row["listed_in"] or "").split(",") if g.strip()]
                )
    return ids, genres


def read_title_content(folder: Path) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Ids and (listed_in, director, country) of titles already on disk, for --titles-from:
    what the demo ratings' taste depends on (etl/demo_ratings.py taste_tags)."""
    ids, content = [], []
    for path in sorted(folder.glob("*.csv")):
        letter = PLATFORM_LETTERS.get(path.name.split("_", 1)[0].lower())
        if letter is None:
            continue
        with path.open(encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                ids.append(letter + row["show_id"].lower())
                content.append(
                    (row["listed_in"] or "", row["director"] or "", row["country"] or "")
                )
    return ids, content
