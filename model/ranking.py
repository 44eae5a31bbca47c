"""The two array kernels behind top-N and similar titles: scoring every title and picking the
best k without sorting them all (docs/model.md has the timings), and the platform/kind filters."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from domain.vocabulary import KINDS, PLATFORM_LETTERS


def scores(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """matrix @ vector without BLAS: OpenBLAS splits a 23k-row gemv over its threads, and on a
    busy 2-core machine waiting for them made top_n's p99 12-16 ms; einsum's single-threaded
    loop is 0.2 ms at p50 and p99 alike (docs/model.md)."""
    product: np.ndarray = np.einsum("ij,j->i", matrix, vector)
    return product


def scores_t(matrix_t: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """`scores` over the transposed matrix (factors x titles, C-contiguous): einsum's loop then
    runs along the titles, 0.09 ms instead of 0.16 at 20 factors and 0.24 instead of 0.28 at 50
    over 23k titles (float32), a third to a sixth of top_n's CPU time."""
    product: np.ndarray = np.einsum("j,ji->i", vector, matrix_t)
    return product


def top_indices(raw: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k largest finite values of raw, best first, equal values in index order.

    A full argpartition of 23k scores costs about as much as computing them (0.18 ms). A strided
    sample of about 1,000 scores gives a threshold that some 4k scores exceed; only those are
    sorted. Exact whenever at least k scores pass the threshold (all of the top k then do), and
    otherwise it falls back to partitioning every finite score.
    """
    n = len(raw)
    k = min(k, n)
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    cand = None
    if n >= 64 * k:
        sample = raw[:: max(1, n // 1024)]
        r = min(len(sample), 4 * k * len(sample) // n + 2)
        thr = np.partition(sample, len(sample) - r)[len(sample) - r]
        if np.isfinite(thr):
            cand = np.flatnonzero(raw >= thr)
            if len(cand) < k:
                cand = None
    if cand is None:
        cand = np.flatnonzero(raw > -np.inf)
        if len(cand) > k:
            vals = raw[cand]
            kth = np.partition(vals, len(vals) - k)[len(vals) - k]
            cand = cand[vals >= kth]
    return cand[np.lexsort((cand, -raw[cand]))][:k]


def filter_mask(
    platform: str | None, kind: str | None, platform_letter: np.ndarray, kinds: np.ndarray | None
) -> np.ndarray | None:
    """Which titles pass the filters (None: all); an unknown platform or kind is a ValueError.

    `platform_letter` is each title id's first letter; `kinds` each title's kind, or None when
    the model was loaded without the catalogue's kinds.
    """
    mask = None
    if platform is not None:
        if platform not in PLATFORM_LETTERS:
            raise ValueError(
                f"unknown platform {platform!r}; use one of {', '.join(PLATFORM_LETTERS)}"
            )
        mask = platform_letter == PLATFORM_LETTERS[platform]
    if kind is not None:
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
        if kinds is None:
            raise ValueError("filtering by kind needs the catalogue's title kinds at load")
        kind_mask = kinds == kind
        mask = kind_mask if mask is None else mask & kind_mask
    return mask


def best(
    raw: np.ndarray,
    n: int,
    mask: np.ndarray | None,
    exclude: np.ndarray | None,
    exact: Callable[[np.ndarray], np.ndarray] | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(indices, float64 scores, percentiles) of the n best of `raw` (a fresh, non-empty array,
    overwritten here) among the titles `mask` keeps and `exclude` does not name.

    With `exact`, see Recommender._best: the best 2n + 8 approximate candidates are re-scored.
    """
    full = raw.copy()  # every title's score, for the percentiles
    if mask is not None:
        raw[~mask] = -np.inf
    if exclude is not None and len(exclude):
        raw[exclude] = -np.inf
    if exact is None:
        idx = top_indices(raw, n)
        vals = raw[idx].astype(np.float64)
    else:
        cand = top_indices(raw, 2 * n + 8)
        cand = cand[np.isfinite(raw[cand])]
        ex = exact(cand)
        keep = np.lexsort((cand, -ex))[:n]
        idx, vals = cand[keep], ex[keep]
    return idx, vals, 100.0 * at_or_below(full, vals.astype(full.dtype)) / len(full)


def at_or_below(full: np.ndarray, vals: np.ndarray) -> np.ndarray:
    """How many of `full` are <= each of `vals`: those <= the lowest of vals, plus a sort of only
    the scores above it (the page's own titles and the few ranked above them). A titles x n
    comparison table was 0.1 ms of top_n's 0.45 (a fifth), and a deep page sorted every score."""
    if len(vals) == 0:
        return np.zeros(0, dtype=np.int64)
    low = vals.min()
    above = np.sort(full[full > low])
    counts: np.ndarray = np.count_nonzero(full <= low) + np.searchsorted(above, vals, "right")
    return counts
