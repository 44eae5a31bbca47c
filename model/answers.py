"""What the recommender answers with: a Prediction, a Scored title, a folded-in UserVector.

The catalogue and the front ends see these (docs/architecture.md); model/recommender.py
builds them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Prediction:
    user_id: int
    title_id: str
    estimate: float  # clipped to the rating scale exactly like Surprise's predict(...).est
    recommended: bool  # estimate >= threshold
    threshold: float
    reason_code: str  # "known" | "unknown_user" | "unknown_title" | "unknown_both"
    reason: str  # the same in plain English words
    raw: float = math.nan  # the unclipped score the estimate is clipped from
    predicted: float = math.nan  # expected rating for `raw` (see Scored.predicted)


@dataclass(frozen=True)
class Scored:
    title_id: str
    estimate: float  # clipped like Surprise (equals predict's estimate)
    raw: float  # unclipped, used for ranking
    # The expected rating for this raw score (a curve fitted to the training ratings): unlike
    # the clipped estimate it does not pile up at 5.0, so top titles keep distinct numbers.
    predicted: float = math.nan
    # Share (0..100) of the model's titles this person is predicted to rate no higher.
    percentile: float = math.nan


@dataclass(frozen=True)
class SimilarTitle:
    """A title like the one asked about (model/similarity.py)."""

    title_id: str
    similarity: float  # the blended score the list is ranked on
    # why, as codes front ends word: "same_director", "same_cast", "same_genre:<key>",
    # "co_rated"; () from a model without content features
    reasons: tuple[str, ...] = ()
    co_rated: int = 0  # people who rated both (estimated for much-rated titles)


@dataclass(frozen=True, eq=False)
class UserVector:
    """Someone outside the training data, placed in the model's space by `fold_in`."""

    bias: float
    factors: np.ndarray
    used: tuple[str, ...]  # title ids whose ratings were used
    ignored: tuple[str, ...] = ()  # title ids the model does not know
    user_id: int = 0
    seen: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # per title in `seen`: what the fold-in leaves unexplained of its rating (r minus the
    # folded-in estimate): the hybrid's content neighbourhood spreads it to titles made alike
    # (model/similarity.py)
    residual: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def n_ratings(self) -> int:
        return len(self.used)
