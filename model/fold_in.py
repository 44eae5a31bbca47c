"""Folding a newcomer into the model's space: checking the few ratings they give
(`split_known`) and solving for their bias and factors (`solve`); docs/model.md explains the
prior. Recommender.fold_in puts the two together."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from numbers import Real

import numpy as np


def split_known(
    ratings: Mapping[str, float],
    scale: tuple[float, float],
    inner_title: Callable[[object], int | None],
) -> tuple[list[int], list[float], list[str], list[str]]:
    """(inner indices, ratings, used title ids, ignored title ids) of `ratings`.

    Titles the model does not know are ignored; a rating that is not a number in `scale`
    raises ValueError naming the title.
    """
    idx: list[int] = []
    vals: list[float] = []
    used: list[str] = []
    ignored: list[str] = []
    lo, hi = scale
    for title, r in ratings.items():
        if isinstance(r, bool) or not isinstance(r, Real) or not math.isfinite(float(r)):
            raise ValueError(f"rating for {title!r} must be a number, got {r!r}")
        if not lo <= float(r) <= hi:
            raise ValueError(f"rating {r} for {title!r} is outside {lo}..{hi}")
        i = inner_title(title)
        if i is None:
            ignored.append(str(title))
        else:
            idx.append(i)
            vals.append(float(r))
            used.append(title)
    return idx, vals, used, ignored


def solve(
    qi: np.ndarray, y: np.ndarray, reg: float, precision: np.ndarray, prior_pull: np.ndarray
) -> np.ndarray:
    """x = (b, p), the user's bias and factors together, against the fixed factors `qi` of the
    rated titles and `y` = rating - mu - b_i:
        min sum (y - b - q_i.p)^2 + reg * (x - m)' P (x - m)
    where m and P are the mean and precision (inverse covariance) of the trained users'
    (bias, factors), i.e. the posterior mean under a Gaussian prior fitted to the trained users,
    reg the noise variance and `prior_pull` = P m. With few ratings the answer stays near a
    typical user; plain ridge (P = I, m = 0) did worse on held-out users (docs/model.md).
    """
    a = np.hstack([np.ones((len(qi), 1)), qi])
    return np.linalg.solve(a.T @ a + reg * precision, a.T @ y + reg * prior_pull)
