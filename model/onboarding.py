"""Which titles to ask a newcomer to rate first (/rate): the ones whose answers teach fold-in most.

A question is worth what it teaches times the chance it is answered. Fold-in
(model/fold_in.py) solves for the person's x = (bias, factors) with the prior precision
A₀ = reg · P; each answered title adds z zᵀ, z = (1, q_i), to that precision. The information
an answer adds is the log-determinant gain log(1 + zᵀ A⁻¹ z) (Bayesian D-optimal design), and a
person can only answer for a title they have seen, roughly in proportion to its ratings. So,
greedily, each next title maximises

    (ratings_i / ratings of the most rated) · log(1 + z_iᵀ A⁻¹ z_i),

then A += z_i z_iᵀ (Sherman-Morrison on A⁻¹), as if it were answered: a title like the ones
already asked teaches little more, so the questions spread across tastes by themselves. Only
the POOL most-rated titles are candidates: an obscure title would be skipped by nearly everyone.

Chosen on held-out people against the most popular titles, popularity × entropy, popularity ×
variance, the previous rule (log(1 + ratings) · |q_i| · (1 − max cosine)), the same gain with
log(1 + ratings) or no weight, and the variance-reduction (V-optimal) variants: docs/model.md
"Onboarding" has the tables. A model without factors has nothing but a bias to learn, which any
title teaches alike: its order spreads across content (`spread_order`) instead.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

POOL = 400  # candidates: the most-rated titles
ORDER_LENGTH = 100  # titles ordered this way; after them, most-rated first as before


def _pool(counts: np.ndarray) -> np.ndarray:
    pool = np.argsort(-counts, kind="stable")[:POOL]
    return pool[counts[pool] > 0]


def informative_order(
    counts: np.ndarray, qi: np.ndarray, prior: np.ndarray, length: int = ORDER_LENGTH
) -> list[int]:
    """Title indices in the order to offer them (module docstring). `prior` is fold-in's
    precision reg · P, (k + 1) x (k + 1) for k factors."""
    pool = _pool(counts)
    if len(pool) == 0:
        return []
    z = np.hstack([np.ones((len(pool), 1)), np.asarray(qi, dtype=np.float64)[pool]])
    seen = counts[pool].astype(np.float64) / float(counts[pool].max())
    a_inv = np.linalg.inv(prior)
    g = np.einsum("ij,ij->i", z @ a_inv, z)  # z_iᵀ A⁻¹ z_i, kept up to date below
    taken = np.zeros(len(pool), dtype=bool)
    chosen: list[int] = []
    for _ in range(min(length, len(pool))):
        best = int(np.argmax(np.where(taken, -np.inf, seen * np.log1p(g))))
        chosen.append(best)
        taken[best] = True
        v = a_inv @ z[best]
        d = 1.0 + z[best] @ v
        g -= (z @ v) ** 2 / d  # Sherman-Morrison: O(pool · k) a step, not O(pool · k²)
        a_inv -= np.outer(v, v) / d
    return [int(pool[j]) for j in chosen]


def spread_order(
    counts: np.ndarray, vectors: np.ndarray | sp.csr_matrix, length: int = ORDER_LENGTH
) -> list[int]:
    """For a model without factors: greedily log(1 + ratings) · (1 − max cosine to the titles
    already chosen)⁺ over `vectors` (the content rows), so the first questions are well known
    and of different kinds (not measured: a bias-only fold-in learns alike from any title)."""
    pool = _pool(counts)
    if len(pool) == 0:
        return []
    rows: np.ndarray | sp.csr_matrix = vectors[pool]
    # the candidates' Gram matrix once (400 x 400), sparse content rows never densified
    gram = np.asarray((rows @ rows.T).toarray() if sp.issparse(rows) else rows @ rows.T)
    norms = np.sqrt(np.clip(np.diag(gram), 0.0, None))
    safe = np.where(norms > 0, norms, 1.0)
    cosine = gram / safe[:, None] / safe[None, :]
    value = np.log1p(counts[pool].astype(np.float64))
    closest = np.zeros(len(pool))  # max cosine to the chosen ones so far
    chosen: list[int] = []
    taken = np.zeros(len(pool), dtype=bool)
    for _ in range(min(length, len(pool))):
        score = np.where(taken, -np.inf, value * np.clip(1.0 - closest, 0.0, None))
        best = int(np.argmax(score))
        chosen.append(best)
        taken[best] = True
        closest = np.maximum(closest, cosine[:, best])
    return [int(pool[j]) for j in chosen]
