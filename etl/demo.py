"""Demo data: titles and ratings CSVs in exactly the raw formats, with the real files' dirt.

`python -m etl.demo --out data/raw --titles N --ratings M --seed S`; --out defaults to
DATA_DIR/raw. Same seed, same bytes.
Ratings behave like real explicit ratings (calibrated to MovieLens 100k's published facts, see
`make_ratings` and docs/model.md): mostly noise around user and title effects, a modest genre
taste part, skewed activity and popularity, half stars. With
`--titles-from DIR` only ratings are written, for the titles already in DIR (e.g. the real ones).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from config import resolve_data_dir
from domain.vocabulary import PLATFORM_LETTERS
from etl.report import SYNTHETIC_MARKER
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
RATINGS_PER_USER = 96  # real data: ~11M ratings from ~115k users
ROWS_PER_RATINGS_FILE = 1_400_000  # the real ratings come as 8 files of about this size
TS_FROM, TS_TO = 1_420_070_400, 1_640_995_199  # 2015-01-01 .. 2021-12-31
FACTORS = len(GENRES)


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


# Calibration of the demo ratings to published facts about real explicit ratings (MovieLens
# 100k, the set issue 12 measured on; docs/model.md "Demo ratings"). The variance components are
# in star units of the latent score before it is cut into half stars.
STAR_SHARES = (0.061, 0.114, 0.271, 0.342, 0.212)  # 1..5 stars in MovieLens 100k
HALF_STEP_SHARE = 0.15  # of each whole star's raters, this share gives the half star below/above
MIN_PER_USER = 20  # MovieLens keeps people with at least 20 ratings
MAX_USER_SHARE = 0.44  # the heaviest MovieLens rater rated 737 of 1,682 films
USER_SD, TITLE_SD = 0.42, 0.53  # true user / title effects (sd of observed means 0.45 / 0.53)
LOW_RANK_VAR = 0.24  # variance of the taste part (genres), a modest share of the total
NOISE_SD = 0.77  # what no model can predict
POPULARITY_SD = 1.2  # log-normal title popularity ...
OBSCURE_SHARE, OBSCURE_DROP = 0.35, 3.0  # ... plus a tail of rarely rated titles (20% < 5)
POPULAR_IS_BETTER = 0.35  # correlation of title effect and log popularity


def half_star_shares() -> np.ndarray:
    """Shares of 0.5, 1.0, ..., 5.0: each whole star keeps 70% and gives 15% to each neighbouring
    half star (5 stars keeps the share it cannot give away), so the whole-star shares, mean and
    sd of MovieLens 100k survive on the raw format's half-star scale."""
    out = np.zeros(10)
    for k, share in enumerate(STAR_SHARES):  # star k + 1 sits at index 2k + 1
        out[2 * k + 1] += share * (1 - 2 * HALF_STEP_SHARE)
        out[2 * k] += share * HALF_STEP_SHARE
        out[min(2 * k + 2, 9)] += share * HALF_STEP_SHARE
    return out


def _user_counts(n: int, n_users: int, max_count: int, rng: np.random.Generator) -> np.ndarray:
    """Ratings per person: at least MIN_PER_USER (when the data allows), a log-normal long tail
    (MovieLens 100k: median 65, mean 106, max 737), summing to exactly n."""
    floor = min(MIN_PER_USER, n // n_users, max_count)
    extra = rng.lognormal(0.0, 1.0, n_users)
    counts = floor + np.floor(extra / extra.sum() * (n - floor * n_users)).astype(np.int64)
    counts = np.minimum(counts, max_count)
    short = n - int(counts.sum())
    while short > 0:  # hand out what rounding and the cap left over, heaviest first
        room = np.flatnonzero(counts < max_count)
        take = room[np.argsort(-extra[room], kind="stable")][:short]
        counts[take] += 1
        short -= len(take)
    return counts


def _pick_titles(
    counts: np.ndarray, popularity: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Each person's titles: counts[u] distinct titles drawn one after another in proportion
    to popularity (sampling without replacement, vectorised by drawing with replacement and
    dropping repeats, then topping up the people still short)."""
    n_titles = len(popularity)
    p = popularity / popularity.sum()
    users = np.empty(0, dtype=np.int64)
    titles = np.empty(0, dtype=np.int64)
    need = counts.astype(np.int64).copy()
    while need.sum() > 0:
        who = np.flatnonzero(need)
        draws = np.repeat(who, need[who] + need[who] // 2 + 4)
        t = rng.choice(n_titles, len(draws), p=p)
        key = np.concatenate([users * n_titles + titles, draws * n_titles + t])
        _, first = np.unique(key, return_index=True)
        first = np.sort(first[first >= len(users)]) - len(users)
        u_new, t_new = draws[first], t[first]
        # keep at most need[u] per person, in draw order (draws are grouped by person)
        start = np.searchsorted(u_new, u_new, side="left")
        keep = (np.arange(len(u_new)) - start) < need[u_new]
        users = np.concatenate([users, u_new[keep]])
        titles = np.concatenate([titles, t_new[keep]])
        need -= np.bincount(u_new[keep], minlength=len(need))
    return users, titles


def make_ratings(ids: list[str], genres: list[list[str]], n: int, seed: int) -> pa.Table:
    """n (user, title) ratings that behave like real explicit ratings; no pair is rated twice.

    A latent score = user effect + title effect + a modest genre-taste part (users love one to
    three genres and dislike one) + noise, cut into half stars at the quantiles that give
    MovieLens' star shares. Sizes of the parts, activity and popularity follow the constants
    above; tests/etl/test_etl_demo.py pins the resulting statistics and RMSE band.
    """
    rng = np.random.default_rng(seed + 1)
    n_titles = len(ids)
    n_users = max(2, n // RATINGS_PER_USER)
    max_count = max(1, min(int(MAX_USER_SHARE * n_titles), n_titles - 1))
    n = min(n, n_users * max_count)
    vocab = sorted({g for gs in genres for g in gs})
    # Each genre gets its own direction; titles are the mean of their genres' directions.
    genre_vec = rng.normal(0, 1, (len(vocab), FACTORS)) / math.sqrt(FACTORS)
    index = {g: i for i, g in enumerate(vocab)}
    q = np.zeros((n_titles, FACTORS))
    for t, gs in enumerate(genres):
        if gs:
            q[t] = genre_vec[[index[g] for g in gs]].mean(axis=0)
    q = q * 2.2 + rng.normal(0, 0.15, q.shape)
    p = rng.normal(0, 0.2, (n_users, FACTORS))
    common = np.argsort([-sum(g in gs for gs in genres[:5000]) for g in vocab])[
        : min(20, len(vocab))
    ]
    for u in range(n_users):
        for g in rng.choice(common, size=rng.integers(1, min(3, len(common)) + 1), replace=False):
            p[u] += genre_vec[g] * 2.2
        p[u] -= genre_vec[rng.choice(common)] * 1.5
    pop_z = rng.normal(0, 1, n_titles)
    obscure = rng.random(n_titles) < OBSCURE_SHARE
    popularity = np.exp(POPULARITY_SD * pop_z - OBSCURE_DROP * obscure)
    log_pop = np.log(popularity)
    log_pop = (log_pop - log_pop.mean()) / (log_pop.std() or 1.0)
    title_bias = TITLE_SD * (
        POPULAR_IS_BETTER * log_pop
        + math.sqrt(1 - POPULAR_IS_BETTER**2) * rng.normal(0, 1, n_titles)
    )
    user_bias = rng.normal(0, USER_SD, n_users)
    counts = _user_counts(n, n_users, max_count, rng)
    users, titles = _pick_titles(counts, popularity, rng)
    taste = np.einsum("ij,ij->i", p[users], q[titles])
    taste = (taste - taste.mean()) * math.sqrt(LOW_RANK_VAR) / (taste.std() or 1.0)
    latent = user_bias[users] + title_bias[titles] + taste + rng.normal(0, NOISE_SD, n)
    # Cut at the quantiles that give the target share of each half star (ties broken by order).
    bounds = np.round(np.cumsum(half_star_shares())[:-1] * n).astype(np.int64)
    ranks = np.empty(n, dtype=np.int64)
    ranks[np.argsort(latent, kind="stable")] = np.arange(n)
    halves = 1 + np.searchsorted(bounds, ranks, side="right")  # 1..10 = 0.5..5
    stamps = rng.integers(TS_FROM, TS_TO, n)
    order = np.lexsort((stamps, users))
    rating_text = pa.array([f"{h / 2:.1f}" for h in range(11)])
    movie = pa.array(ids)
    # A handful of ratings point at titles that are not in the catalogue, as in the real files.
    movie_ids = pc.take(movie, pa.array(titles[order]))
    n_orphans = n // 100_000
    if n_orphans:
        at = rng.choice(n, n_orphans, replace=False)
        fake = np.array(movie_ids.to_numpy(zero_copy_only=False), dtype=object)
        fake[at] = [f"{ids[0][0]}s9{i:05d}" for i in range(n_orphans)]
        movie_ids = pa.array(fake, pa.string())
    return pa.table(
        {
            "userId": pa.array(users[order] + 1),
            "rating": pc.take(rating_text, pa.array(halves[order])),
            "timestamp": pa.array(stamps[order]),
            "movieId": movie_ids,
        }
    )


def write_ratings(table: pa.Table, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("ratings_*.csv"):
        old.unlink()
    n_files = max(1, math.ceil(table.num_rows / ROWS_PER_RATINGS_FILE))
    per_file = math.ceil(table.num_rows / n_files)
    paths = []
    for k in range(n_files):
        path = folder / f"ratings_{k + 1}.csv"
        with path.open("wb") as f:
            f.write((",".join(table.column_names) + "\n").encode())
            pacsv.write_csv(
                table.slice(k * per_file, per_file),
                f,
                write_options=pacsv.WriteOptions(
                    include_header=False, quoting_style="none", batch_size=1 << 16
                ),
            )
        paths.append(path)
    # The marker the ETL reads to report these ratings as made up (etl/report.py).
    marker = {
        "generator": "python -m etl.demo",
        "files": [p.name for p in paths],
        "note": "synthetic ratings, calibrated to MovieLens 100k's shape; no person gave them",
    }
    (folder / SYNTHETIC_MARKER).write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")
    return paths


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m etl.demo", description=__doc__)
    p.add_argument("--out", type=Path, default=None, help="default: <DATA_DIR>/raw, else data/raw")
    p.add_argument("--titles", type=int, default=2000, help="number of titles (full scale 23000)")
    p.add_argument(
        "--ratings", type=int, default=100_000, help="number of ratings (full scale 11000000)"
    )
    p.add_argument("--seed", type=int, default=42)
    p.add_argument(
        "--titles-from", type=Path, default=None, help="write only ratings, for these titles"
    )
    args = p.parse_args(argv)
    if args.titles < 4 and args.titles_from is None:
        p.error("--titles must be at least 4 (one per platform)")
    if args.ratings < 0:
        p.error("--ratings must not be negative")
    args.out = args.out or resolve_data_dir(None) / "raw"
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.titles_from is None:
        rows = make_titles(args.titles, args.seed)
        write_titles(rows, args.out / "titles")
        ids = [PLATFORM_LETTERS[p] + r[0] for p, rs in rows.items() for r in rs]
        genres = [[g.strip().lower() for g in r[10].split(",")] for rs in rows.values() for r in rs]
    else:
        ids, genres = read_title_genres(args.titles_from)
        if not ids:
            print(f"etl.demo: error: no titles files in {args.titles_from}", file=sys.stderr)
            return 1
    table = make_ratings(ids, genres, args.ratings, args.seed)
    written = write_ratings(table, args.out / "ratings")
    # fewer than asked when the titles are too few (nobody rates more than 44% of them)
    print(
        f"etl.demo: {len(ids)} titles, {table.num_rows} ratings "
        f"in {len(written)} file(s) under {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
