"""Which titles to ask a newcomer to rate first (/rate): the ones whose ratings tell the most.

A title helps only if the person has seen it (well known: many ratings), if people disagree
about it (its factor vector is long: ratings of it separate tastes; a film everyone rates 4
says little), and if it tells something the earlier questions did not (its vector points
elsewhere than theirs). Greedy: each next title maximises

    log(1 + ratings) · spread · (1 − max cosine to the titles already chosen)⁺,

spread = the length of its factor vector (1 for a model without factors, where the content
rows give the directions). Only the POOL most-rated titles are candidates: an obscure title
would be skipped by nearly everyone.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

POOL = 400  # candidates: the most-rated titles
ORDER_LENGTH = 100  # titles ordered this way; after them, most-rated first as before


def informative_order(
    counts: np.ndarray, vectors: np.ndarray | sp.csr_matrix, length: int = ORDER_LENGTH
) -> list[int]:
    """Title indices in the order to offer them (see module docstring)."""
    pool = np.argsort(-counts, kind="stable")[:POOL]
    pool = pool[counts[pool] > 0]
    if len(pool) == 0:
        return []
    rows = vectors[pool]
    # the candidates' Gram matrix once (400 x 400), sparse content rows never densified
    gram = np.asarray((rows @ rows.T).toarray() if sp.issparse(rows) else rows @ rows.T)
    norms = np.sqrt(np.clip(np.diag(gram), 0.0, None))
    safe = np.where(norms > 0, norms, 1.0)
    cosine = gram / safe[:, None] / safe[None, :]
    spread = norms / norms.max() if norms.max() > 0 else np.ones(len(pool))
    value = np.log1p(counts[pool].astype(np.float64)) * np.maximum(spread, 1e-3)
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
