"""Content features of every title, built once by the ETL and written beside the processed
parquet as `content.npz` (docs/data.md "content.npz"): what a title is made of, as one sparse
row per title id, for the hybrid recommender (model/hybrid.py) and content similarity.

Blocks of features, each row's block scaled to unit length so no block outweighs another by its
size: genres (the cross-platform keys of domain/genres.py), cast, director, country, type,
decade, duration band, maturity rating, and the description's words (scikit-learn's TF-IDF).
Categorical features are weighted by inverse document frequency, as TF-IDF weighs words:
sharing a director says more than sharing "drama". A title with an empty field gets an all-zero
block there, never an error.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from domain.genres import genre_keys
from domain.vocabulary import CONTENT_FORMAT
from etl.transforms import DURATION_PATTERN

# Block names in column order; feature names are "<block>:<value>".
BLOCKS = (
    "genre",
    "cast",
    "director",
    "country",
    "type",
    "decade",
    "duration",
    "rating",
    "word",
)
# A cast member or director of a single title links it to nothing: only people credited on at
# least this many titles become features (it also keeps the vocabulary to ~30k columns).
MIN_PEOPLE_TITLES = 2
# Words: in at least 3 descriptions, in at most 30% of them, English stop words out.
WORDS_MIN_DF, WORDS_MAX_DF, WORDS_MAX = 3, 0.3, 20_000


def _split(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split(",") if p.strip()]


def duration_band(minutes_or_seasons: int | None, unit: str | None) -> str | None:
    """A coarse length: films by minutes, shows by seasons; None when unknown."""
    if minutes_or_seasons is None or unit not in ("min", "season"):
        return None
    n = int(minutes_or_seasons)
    if unit == "season":
        return "1 season" if n <= 1 else "2-3 seasons" if n <= 3 else "4+ seasons"
    for top, band in ((30, "<30 min"), (60, "30-59 min"), (90, "60-89 min"), (120, "90-119 min")):
        if n < top:
            return band
    return "120+ min"


def _maturity(rating: str | None) -> str | None:
    # A duration in the rating column ("2 seasons", reported by the ETL) is no maturity rating.
    if not rating or re.match(DURATION_PATTERN, rating, flags=re.IGNORECASE):
        return None
    return rating


def _categorical(
    block: str, values: Sequence[Iterable[str]], min_titles: int = 1
) -> tuple[sp.csr_matrix, list[str]]:
    """(matrix, feature names) of one categorical block, IDF-weighted, rows unit length."""
    counts: dict[str, int] = {}
    rows = [sorted(set(v)) for v in values]
    for vs in rows:
        for x in vs:
            counts[x] = counts.get(x, 0) + 1
    vocab = sorted(x for x, c in counts.items() if c >= min_titles)
    col = {x: j for j, x in enumerate(vocab)}
    n = max(1, len(rows))
    idf = np.array([math.log(1 + n / counts[x]) for x in vocab], dtype=np.float64)
    r_idx, c_idx = [], []
    for r, vs in enumerate(rows):
        for x in vs:
            j = col.get(x)
            if j is not None:
                r_idx.append(r)
                c_idx.append(j)
    data = idf[c_idx] if c_idx else np.zeros(0)
    m = sp.csr_matrix((data, (r_idx, c_idx)), shape=(len(rows), len(vocab)), dtype=np.float64)
    return _unit_rows(m), [f"{block}:{x}" for x in vocab]


def _unit_rows(m: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    return sp.csr_matrix(sp.diags(scale) @ m)


def _words(descriptions: Sequence[str | None]) -> tuple[sp.csr_matrix, list[str]]:
    texts = [d or "" for d in descriptions]
    vec = TfidfVectorizer(
        min_df=WORDS_MIN_DF,
        max_df=WORDS_MAX_DF,
        max_features=WORDS_MAX,
        stop_words="english",
        sublinear_tf=True,
        dtype=np.float64,
    )
    try:
        m = vec.fit_transform(texts)
    except ValueError:  # no description has a word that passes the filters (tiny catalogues)
        return sp.csr_matrix((len(texts), 0)), []
    return sp.csr_matrix(m), [f"word:{w}" for w in vec.get_feature_names_out()]


def build_content(
    titles: pa.Table, display: pa.Table | None = None
) -> tuple[list[str], sp.csr_matrix, list[str]]:
    """(title ids, matrix, feature names) from titles.parquet's table: one row per id (the
    first row of a repeated id, the catalogue's serving rule), in first-appearance order. The
    maturity rating is display.parquet's when given (null where the raw file had none: rule 2's
    "g" for a missing rating would make every unrated title alike)."""
    ids_all = titles["id"].to_pylist()
    first: dict[str, int] = {}
    for r, i in enumerate(ids_all):
        first.setdefault(i, r)
    keep = list(first.values())
    col = {name: titles[name].to_pylist() for name in titles.column_names}
    if display is not None:
        col["rating"] = [x.lower() if x else None for x in display["rating"].to_pylist()]

    # the kept rows of a column, typed as titles.parquet stores it (docs/data.md)
    def pick(name: str) -> list[str | None]:
        values = col[name]
        return [values[r] for r in keep]

    def pick_int(name: str) -> list[int | None]:
        values = col[name]
        return [values[r] for r in keep]

    years = pick_int("release_year")
    blocks = [
        _categorical("genre", [genre_keys(x) for x in pick("listed_in")]),
        _categorical("cast", [_split(x) for x in pick("cast")], MIN_PEOPLE_TITLES),
        _categorical("director", [_split(x) for x in pick("director")], MIN_PEOPLE_TITLES),
        _categorical("country", [_split(x) for x in pick("country")]),
        _categorical("type", [[x] if x else [] for x in pick("type")]),
        _categorical("decade", [[f"{y // 10 * 10}s"] if y else [] for y in years]),
        _categorical(
            "duration",
            [
                [b] if (b := duration_band(n, u)) else []
                for n, u in zip(pick_int("duration_int"), pick("duration_type"), strict=True)
            ],
        ),
        _categorical("rating", [[m] if (m := _maturity(x)) else [] for x in pick("rating")]),
        _words(pick("description")),
    ]
    matrix = sp.hstack([m for m, _ in blocks], format="csr", dtype=np.float32)
    names = [name for _, ns in blocks for name in ns]
    return list(first), matrix, names


def write_content(path: Path, ids: list[str], matrix: sp.csr_matrix, names: list[str]) -> None:
    """content.npz: the CSR arrays, ids and feature names (no pickles: np.load(...,
    allow_pickle=False) reads it)."""
    matrix = sp.csr_matrix(matrix, dtype=np.float32)
    matrix.sort_indices()
    with path.open("wb") as f:
        np.savez(
            f,
            format=np.array(CONTENT_FORMAT),
            # newline-joined UTF-8: a fixed-width unicode array of 36k names took 9 MB
            ids=np.frombuffer("\n".join(ids).encode(), dtype=np.uint8),
            features=np.frombuffer("\n".join(names).encode(), dtype=np.uint8),
            data=matrix.data,
            indices=matrix.indices.astype(np.int32),
            indptr=matrix.indptr.astype(np.int64),
            shape=np.array(matrix.shape, dtype=np.int64),
        )
