"""Demo ratings that behave like real explicit ratings (calibrated to MovieLens 100k's published
facts; docs/model.md "Demo ratings"), and writing them as the raw ratings CSVs.
`etl.demo` re-exports every name here."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from domain.genres import genre_keys
from etl.demo_titles import GENRES
from etl.report import SYNTHETIC_MARKER

RATINGS_PER_USER = 96  # real data: ~11M ratings from ~115k users
ROWS_PER_RATINGS_FILE = 1_400_000  # the real ratings come as 8 files of about this size
TS_FROM, TS_TO = 1_420_070_400, 1_640_995_199  # 2015-01-01 .. 2021-12-31
FACTORS = len(GENRES)


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
# Taste tied to what titles are (issue 21): of the title effect's part not explained by
# popularity, this share of its variance comes from the title's genres, director and country
# (a director's films tend to be rated alike), the rest is the title's own.
CONTENT_SHARE = 0.5
# Title directions in taste space: the mean of its genres' directions, plus its director's and
# countries' directions at these weights (a director's titles sit close together), and people
# love one of the common countries with this probability.
DIRECTOR_TASTE, COUNTRY_TASTE, COUNTRY_LOVERS = 0.8, 0.5, 0.3


def taste_tags(listed_in: str | None, director: str | None, country: str | None) -> list[str]:
    """What a title's demo ratings depend on: its cross-platform genre keys (plain), and
    "director:<name>" / "country:<name>" tags."""

    def split(t: str | None) -> list[str]:
        return [p.strip().lower() for p in (t or "").split(",") if p.strip()]

    tags = list(genre_keys(listed_in))
    tags += [f"director:{d}" for d in split(director)[:1]]
    tags += [f"country:{c}" for c in split(country)[:2]]
    return tags


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
    counts: np.ndarray = floor + np.floor(extra / extra.sum() * (n - floor * n_users)).astype(
        np.int64
    )
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


def make_ratings(
    ids: list[str],
    genres: list[list[str]],
    n: int,
    seed: int,
    log: Callable[[str], None] | None = None,
) -> pa.Table:
    """n (user, title) ratings that behave like real explicit ratings; no pair is rated twice.

    A latent score = user effect + title effect + a modest genre-taste part (users love one to
    three genres and dislike one) + noise, cut into half stars at the quantiles that give
    MovieLens' star shares. Sizes of the parts, activity and popularity follow the constants
    above; tests/etl/test_etl_demo.py pins the resulting statistics and RMSE band. `log` hears
    of each stage (at full scale the whole takes half a minute).
    """
    say = log or (lambda _: None)
    rng = np.random.default_rng(seed + 1)
    n_titles = len(ids)
    n_users = max(2, n // RATINGS_PER_USER)
    max_count = max(1, min(int(MAX_USER_SHARE * n_titles), n_titles - 1))
    n = min(n, n_users * max_count)
    # Plain tags are genres; "director:"/"country:" tags (taste_tags) tie taste to them too.
    plain = [[g for g in gs if ":" not in g] for gs in genres]
    vocab = sorted({g for gs in plain for g in gs})
    # Each genre gets its own direction; titles are the mean of their genres' directions.
    genre_vec = rng.normal(0, 1, (len(vocab), FACTORS)) / math.sqrt(FACTORS)
    index = {g: i for i, g in enumerate(vocab)}
    q = np.zeros((n_titles, FACTORS))
    for t, gs in enumerate(plain):
        if gs:
            q[t] = genre_vec[[index[g] for g in gs]].mean(axis=0)
    q = q * 2.2 + rng.normal(0, 0.15, q.shape)
    other = sorted({g for gs in genres for g in gs if ":" in g})
    other_at = {g: i for i, g in enumerate(other)}
    other_vec = rng.normal(0, 1, (len(other), FACTORS)) / math.sqrt(FACTORS)
    other_effect = rng.normal(0, 1, len(other))
    genre_effect = rng.normal(0, 1, len(vocab))
    content_effect = np.zeros(n_titles)
    for t, gs in enumerate(genres):
        tags = [g for g in gs if ":" in g]
        for g in tags:
            w = DIRECTOR_TASTE if g.startswith("director:") else COUNTRY_TASTE
            q[t] += other_vec[other_at[g]] * 2.2 * w / len(tags) ** 0.5
        parts = [genre_effect[index[g]] for g in plain[t]] + [
            other_effect[other_at[g]] for g in tags
        ]
        content_effect[t] = float(np.mean(parts)) if parts else 0.0
    say(f"titles' genres, directors and countries placed ({n_titles:,} titles)")
    p = rng.normal(0, 0.2, (n_users, FACTORS))
    common = np.argsort([-sum(g in gs for gs in plain[:5000]) for g in vocab])[
        : min(20, len(vocab))
    ]
    countries = [g for g in other if g.startswith("country:")]
    common_countries = sorted(countries, key=lambda c: -sum(c in gs for gs in genres[:5000]))[:10]
    for u in range(n_users):
        for g in rng.choice(common, size=rng.integers(1, min(3, len(common)) + 1), replace=False):
            p[u] += genre_vec[g] * 2.2
        p[u] -= genre_vec[rng.choice(common)] * 1.5
        if common_countries and rng.random() < COUNTRY_LOVERS:
            p[u] += other_vec[other_at[common_countries[rng.integers(len(common_countries))]]] * 2.2
    pop_z = rng.normal(0, 1, n_titles)
    obscure = rng.random(n_titles) < OBSCURE_SHARE
    popularity = np.exp(POPULARITY_SD * pop_z - OBSCURE_DROP * obscure)
    log_pop = np.log(popularity)
    log_pop = (log_pop - log_pop.mean()) / (log_pop.std() or 1.0)
    own = rng.normal(0, 1, n_titles)
    if content_effect.std() > 0:
        content_z = (content_effect - content_effect.mean()) / content_effect.std()
        own = math.sqrt(CONTENT_SHARE) * content_z + math.sqrt(1 - CONTENT_SHARE) * own
    title_bias = TITLE_SD * (
        POPULAR_IS_BETTER * log_pop + math.sqrt(1 - POPULAR_IS_BETTER**2) * own
    )
    user_bias = rng.normal(0, USER_SD, n_users)
    say(f"tastes of {n_users:,} people drawn; picking what each rates")
    counts = _user_counts(n, n_users, max_count, rng)
    users, titles = _pick_titles(counts, popularity, rng)
    say(f"{len(users):,} (person, title) pairs picked; scoring them")
    taste = np.einsum("ij,ij->i", p[users], q[titles])
    taste = (taste - taste.mean()) * math.sqrt(LOW_RANK_VAR) / (taste.std() or 1.0)
    latent = user_bias[users] + title_bias[titles] + taste + rng.normal(0, NOISE_SD, n)
    # Cut at the quantiles that give the target share of each half star (ties broken by order).
    bounds = np.round(np.cumsum(half_star_shares())[:-1] * n).astype(np.int64)
    ranks = np.empty(n, dtype=np.int64)
    ranks[np.argsort(latent, kind="stable")] = np.arange(n)
    halves = 1 + np.searchsorted(bounds, ranks, side="right")  # 1..10 = 0.5..5
    say("scores cut into half stars at MovieLens' shares; ordering by person and time")
    stamps = rng.integers(TS_FROM, TS_TO, n)
    order = np.lexsort((stamps, users))
    say("ordered; writing the title ids")
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


def write_ratings(
    table: pa.Table, folder: Path, log: Callable[[str], None] | None = None
) -> list[Path]:
    """The ratings as the real files come (about 1.4M rows each); `log` hears of each file
    written (at full scale eight, about three seconds each)."""
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
        if log is not None:
            log(f"wrote {path.name} ({k + 1}/{n_files})")
    # The marker the ETL reads to report these ratings as made up (etl/report.py).
    marker = {
        "generator": "python -m etl.demo",
        "files": [p.name for p in paths],
        "note": "synthetic ratings, calibrated to MovieLens 100k's shape; no person gave them",
    }
    (folder / SYNTHETIC_MARKER).write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")
    return paths
