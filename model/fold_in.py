"""Checking the few ratings a newcomer gives before they are folded into the model's space
(Recommender.fold_in solves for the vector; docs/model.md explains the prior)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from numbers import Real


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
