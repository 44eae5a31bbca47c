"""Similar titles from two kinds of evidence, and the reasons to give for each.

- **Ratings**: the cosine of the titles' factor vectors. It means something only where people
  rated both titles; for two titles few people share it is mostly noise.
- **Content**: the cosine of the titles' content rows (etl/content.py's blocks, weighted here by
  how much each block says about a title's likeness; a shared director or genre far more than a
  shared decade or maturity rating).

The blend weighs them by the evidence, `e = co / (co + EVIDENCE_HALF)` with `co` the number of
people who rated both: with no one in common content alone decides, with many the ratings lead.
Reason codes (front ends word them): "same_director", "same_cast", "same_genre:<key>",
"co_rated".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import scipy.sparse as sp

from domain.genres import is_telling

# Not tuned on any ratings: the order follows how specific each field is in the real files (a
# director carries a few titles, a decade thousands), as catalog/content.py's weights do.
BLOCK_WEIGHTS = {
    "genre": 1.0,
    "director": 1.0,
    "cast": 0.8,
    "word": 0.6,
    "country": 0.4,
    "type": 0.3,
    "decade": 0.2,
    "duration": 0.1,
    "rating": 0.1,
}
# co-raters at which ratings and content weigh the same (e = 0.5)
EVIDENCE_HALF = 20.0
# Co-rating counts from at most this many of the asked title's raters (scaled up): a title
# rated by 100k people would otherwise sum 10M rows for one /similar.
MAX_RATERS = 5000


def block_of(features: list[str]) -> np.ndarray:
    return np.array([f.split(":", 1)[0] for f in features], dtype=object)


def weighted_unit(x: sp.csr_matrix, features: list[str]) -> sp.csr_matrix:
    """Rows scaled by the block weights, then to unit length: cosine is a dot product."""
    blocks = block_of(features)
    w = np.sqrt(np.array([BLOCK_WEIGHTS.get(b, 0.1) for b in blocks], dtype=np.float32))
    x = sp.csr_matrix(x, dtype=np.float32)
    # The scalings on the CSR data in place of two products with diagonal matrices: the same
    # float32 multiplications (bit-identical, tested), in half the time (the first /similar
    # and the first newcomer's list of a process wait for it: 50 ms at the real titles).
    m = sp.csr_matrix((x.data * w[x.indices], x.indices, x.indptr), shape=x.shape)
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    data = m.data * np.repeat(scale, np.diff(m.indptr))
    return sp.csr_matrix((data, m.indices, m.indptr), shape=x.shape)


def transpose_index(
    indptr: np.ndarray, items: np.ndarray, n_items: int
) -> tuple[np.ndarray, np.ndarray]:
    """Title -> the people who rated it, as CSR arrays (int64 indptr, int32 people in person
    order), from the people -> titles index. Training writes it beside the model (1.4 s at 11M
    ratings: model/artifact_write.py); serving memory-maps it instead of building it."""
    users = np.repeat(np.arange(len(indptr) - 1, dtype=np.int32), np.diff(indptr))
    order = np.argsort(items, kind="stable")
    counts = np.bincount(items.astype(np.int64), minlength=n_items)
    t_indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return t_indptr, users[order]


def raters_by_scan(i: int, indptr: np.ndarray, items: np.ndarray) -> np.ndarray:
    """The people who rated title i, in person order (what `transpose_index` lists for it),
    found by one pass over the people -> titles index: ~15 ms at 11M ratings, for a model
    without the raters file (trained before it, or its file lost)."""
    at = np.flatnonzero(items == i)
    people: np.ndarray = (np.searchsorted(indptr, at, side="right") - 1).astype(np.int32)
    return people


def co_rated(
    i: int, raters: np.ndarray, indptr: np.ndarray, items: np.ndarray, n_items: int
) -> np.ndarray:
    """Per title, how many people rated both it and title i, from i's `raters` (estimated from
    a seeded sample of MAX_RATERS raters when i has more)."""
    scale = 1.0
    if len(raters) > MAX_RATERS:
        scale = len(raters) / MAX_RATERS
        raters = np.random.default_rng(i).choice(raters, MAX_RATERS, replace=False)
    if len(raters) == 0:
        return np.zeros(n_items)
    starts, ends = indptr[raters], indptr[raters + 1]
    lens = ends - starts
    # the concatenated rows of the raters, without a Python loop
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lens)[:-1]]), lens)
    rows = items[np.arange(int(lens.sum())) + offsets]
    weighted: np.ndarray = np.bincount(rows.astype(np.int64), minlength=n_items) * scale
    return weighted


def blend(content_cos: np.ndarray, factor_cos: np.ndarray, co: np.ndarray) -> np.ndarray:
    e = co / (co + EVIDENCE_HALF)
    mixed: np.ndarray = e * factor_cos + (1.0 - e) * content_cos
    return mixed


def reasons(
    i: int, j: int, x: sp.csr_matrix, features: list[str], co: float, factor_cos: float
) -> tuple[str, ...]:
    """Why j is like i, most specific first: a shared director, cast member, the rarest shared
    genre worth naming, and "co_rated" when many people rated both and their ratings agree."""
    # The rows read from the CSR arrays: x[i] builds a one-row matrix (0.3 ms), and a deep page
    # of /similar asks reasons for thousands of titles (a whole walk, for every page before it).
    row_i = x.indices[x.indptr[i] : x.indptr[i + 1]].tolist()
    weight = dict(zip(row_i, x.data[x.indptr[i] : x.indptr[i + 1]].tolist(), strict=True))
    shared = weight.keys() & set(x.indices[x.indptr[j] : x.indptr[j + 1]].tolist())
    return shared_reasons(shared, weight, features, co, factor_cos)


def shared_reasons(
    shared: Iterable[int],
    weight: Mapping[int, float],
    features: list[str],
    co: float = 0.0,
    factor_cos: float = 0.0,
) -> tuple[str, ...]:
    """`reasons` from the content columns two titles share and one title's weights of them."""
    out: list[str] = []
    names = [(c, features[c]) for c in shared]
    if any(n.startswith("director:") for _, n in names):
        out.append("same_director")
    if any(n.startswith("cast:") for _, n in names):
        out.append("same_cast")
    genres = [
        (weight[c], n.split(":", 1)[1])
        for c, n in names
        if n.startswith("genre:") and is_telling(n.split(":", 1)[1])
    ]
    if genres:
        out.append(f"same_genre:{max(genres)[1]}")
    if co >= EVIDENCE_HALF and factor_cos > 0:
        out.append("co_rated")
    return tuple(out)


# Pseudo-count of the content neighbourhood: a title that shares little with what the person
# rated gets little of their opinion (KNNBaseline's shrinkage, in cosine units).
NEIGHBOUR_SHRINK = 1.0
# The most recent ratings the neighbourhood reads (a chat person's list can grow long).
MAX_NEIGHBOURS = 100


def content_lift(
    unit: sp.csr_matrix, seen: np.ndarray, residual: np.ndarray, rows: np.ndarray | None = None
) -> np.ndarray:
    """Per title (or per title of `rows`): what the person said of the titles most like it, in
    rating units,

        lift_j = Σ_r s_jr · res_r / (Σ_r |s_jr| + NEIGHBOUR_SHRINK),  s = content cosine,

    `res_r` the person's rating minus the title's average: one 5-star horror film lifts
    horror, one 1-star musical lowers musicals. Rated titles get a lift too (they are left out
    of lists anyway)."""
    target = unit if rows is None else unit[rows]
    if len(seen) == 0:
        return np.zeros(target.shape[0])
    seen, residual = seen[-MAX_NEIGHBOURS:], residual[-MAX_NEIGHBOURS:]
    # sparse x dense (features x m): one pass over the matrix; sparse x sparse took 10-30 ms
    sims = np.asarray(target @ unit[seen].T.toarray(), dtype=np.float64)
    np.maximum(sims, 0.0, out=sims)
    lift: np.ndarray = (sims @ residual) / (sims.sum(axis=1) + NEIGHBOUR_SHRINK)
    return lift
