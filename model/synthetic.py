"""Ratings drawn from known latent factors, for tests and benchmarks of the recommender.

Titles belong to genres and a genre is a direction in factor space, so what a user likes is
driven by genre: a model that learns the factors must put a horror fan near horror titles.
The lead's `etl.demo` generates the project's demo data; this is the model's own, smaller and
independent of the ETL, so the model's tests do not depend on another part.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from domain.vocabulary import arrow_schema

GENRES = ("horror", "comedy", "drama", "documentary", "action", "romance")
_LETTERS = ("a", "d", "h", "n")


@dataclass
class Synthetic:
    frame: pd.DataFrame  # userId int32, rating float32, timestamp date32, movieId str
    genre_of: dict[str, str]  # title id -> genre
    kind_of: dict[str, str]  # title id -> "movie" | "tv show"


def generate(
    n_users: int = 1000,
    n_titles: int = 400,
    n_ratings: int = 40_000,
    seed: int = 0,
    noise: float = 0.5,
    k: int = 6,
) -> Synthetic:
    """About n_ratings distinct (user, title) ratings on the 0.5..5 half-step scale."""
    rng = np.random.default_rng(seed)
    g = len(GENRES)
    centres = np.linalg.qr(rng.normal(size=(k, k)))[0][:g] * 1.2  # orthogonal genre directions
    title_genre = rng.integers(0, g, n_titles)
    qi = centres[title_genre] + rng.normal(0, 0.25, (n_titles, k))
    taste = rng.dirichlet(np.full(g, 0.3), n_users)  # most users love one or two genres
    pu = (taste - 1 / g) @ centres * 2.0 + rng.normal(0, 0.15, (n_users, k))
    bu = rng.normal(0, 0.3, n_users)
    bi = rng.normal(0, 0.4, n_titles)

    # Skewed activity and popularity, like real rating logs.
    u_w = rng.lognormal(0, 1.0, n_users)
    i_w = rng.lognormal(0, 1.0, n_titles)
    draw = int(n_ratings * 1.3) + 10
    u = rng.choice(n_users, draw, p=u_w / u_w.sum())
    i = rng.choice(n_titles, draw, p=i_w / i_w.sum())
    _, first = np.unique(u.astype(np.int64) * n_titles + i, return_index=True)
    first = np.sort(first)[:n_ratings]
    first = first[rng.permutation(len(first))]
    u, i = u[first], i[first]
    r = 3.5 + bu[u] + bi[i] + np.einsum("ij,ij->i", pu[u], qi[i]) + rng.normal(0, noise, len(u))
    rating = np.clip(np.round(r * 2) / 2, 0.5, 5.0).astype(np.float32)

    ids = np.array([f"{_LETTERS[j % 4]}s{j + 1}" for j in range(n_titles)], dtype=object)
    days = rng.integers(0, 3650, len(u))
    frame = pd.DataFrame(
        {
            "userId": (u + 1).astype(np.int32),
            "rating": rating,
            "timestamp": [dt.date(2012, 1, 1) + dt.timedelta(days=int(d)) for d in days],
            "movieId": ids[i],
        }
    )
    kinds = np.where(rng.random(n_titles) < 0.7, "movie", "tv show")
    return Synthetic(
        frame=frame,
        genre_of={t: GENRES[title_genre[j]] for j, t in enumerate(ids)},
        kind_of={t: str(kinds[j]) for j, t in enumerate(ids)},
    )


def write_parquet(frame: pd.DataFrame, path: Path) -> Path:
    """ratings.parquet with the types of docs/data.md."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(frame, schema=arrow_schema("ratings"), preserve_index=False)
    pq.write_table(table, path)
    return path
