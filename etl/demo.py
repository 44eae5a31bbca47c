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
import sys
from pathlib import Path

from config import resolve_data_dir
from domain.vocabulary import PLATFORM_LETTERS

# Re-exported: the tests and tests/etl_helpers.py import these from here. The titles are made in
# etl/demo_titles.py, the ratings in etl/demo_ratings.py.
from etl.demo_ratings import (  # noqa: F401
    FACTORS,
    HALF_STEP_SHARE,
    LOW_RANK_VAR,
    MAX_USER_SHARE,
    MIN_PER_USER,
    NOISE_SD,
    OBSCURE_DROP,
    OBSCURE_SHARE,
    POPULAR_IS_BETTER,
    POPULARITY_SD,
    RATINGS_PER_USER,
    ROWS_PER_RATINGS_FILE,
    STAR_SHARES,
    TITLE_SD,
    TS_FROM,
    TS_TO,
    USER_SD,
    half_star_shares,
    make_ratings,
    taste_tags,
    write_ratings,
)
from etl.demo_titles import (  # noqa: F401
    ADJ,
    COUNTRIES,
    FIRST,
    GENRES,
    LAST,
    MONTHS,
    MOVIE_SHARE,
    NOUN,
    PLATFORM_GENRES,
    RATINGS_BY_PLATFORM,
    REAL_SIZES,
    make_titles,
    read_title_content,
    read_title_genres,
    split_sizes,
    write_titles,
)


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


def say(line: str) -> None:
    """A progress line on stderr (stdout keeps the one summary line)."""
    print(f"etl.demo: {line}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.titles_from is None:
        rows = make_titles(args.titles, args.seed)
        write_titles(rows, args.out / "titles")
        ids = [PLATFORM_LETTERS[p] + r[0] for p, rs in rows.items() for r in rs]
        # listed_in, director, country: taste tied to what each title is (issue 21)
        genres = [taste_tags(r[10], r[3], r[5]) for rs in rows.values() for r in rs]
    else:
        ids, content = read_title_content(args.titles_from)
        genres = [taste_tags(*c) for c in content]
        if not ids:
            print(f"etl.demo: error: no titles files in {args.titles_from}", file=sys.stderr)
            return 1
    # Long work says what it does (issue 22): at full scale drawing takes ~15 s, writing ~15 s.
    say(f"drawing {args.ratings:,} ratings for {len(ids):,} titles")
    table = make_ratings(ids, genres, args.ratings, args.seed, say)
    written = write_ratings(table, args.out / "ratings", say)
    # fewer than asked when the titles are too few (nobody rates more than 44% of them)
    print(
        f"etl.demo: {len(ids)} titles, {table.num_rows} ratings "
        f"in {len(written)} file(s) under {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
