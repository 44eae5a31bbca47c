"""model/ranking.py's `best`: the percentiles of a page (short, or deep: /top with an offset)
count the scores above the page's lowest only, and must equal the direct count."""

from __future__ import annotations

import numpy as np
import pytest

from model.ranking import at_or_below, best


@pytest.mark.parametrize("n", [10, 64, 65, 500, 2000])
def test_percentiles_are_the_share_scored_no_higher(n: int) -> None:
    rng = np.random.default_rng(n)
    raw = rng.normal(3.5, 0.6, 3000).astype(np.float32)
    raw[::7] = raw[3]  # ties: "no higher" counts equal scores
    mask = rng.random(3000) < 0.8
    exclude = np.flatnonzero(rng.random(3000) < 0.05)
    idx, vals, pct = best(raw.copy(), n, mask, exclude, None)
    assert len(idx) == n and np.all(np.diff(vals) <= 0)
    assert mask[idx].all() and not set(idx.tolist()) & set(exclude.tolist())
    direct = [100.0 * np.count_nonzero(raw <= np.float32(v)) / len(raw) for v in vals]
    assert pct.tolist() == pytest.approx(direct)


@pytest.mark.parametrize("exact", [False, True])
def test_percentiles_of_exactly_rescored_pages_and_of_nothing(exact: bool) -> None:
    """Float64 re-scored values (cast to the float32 scores for the count), a page whose values
    sit among ties and excluded titles ranked above it, and an empty page."""
    rng = np.random.default_rng(1)
    raw = rng.normal(3.5, 0.6, 5000).astype(np.float32)
    raw[::5] = raw[10]
    exclude = np.argsort(-raw)[:40]  # the best titles are seen: many scores above the page
    rescore = (lambda j: raw[j].astype(np.float64) + 1e-9) if exact else None
    idx, vals, pct = best(raw.copy(), 10, None, exclude, rescore)
    assert len(idx) == 10 and not set(idx.tolist()) & set(exclude.tolist())
    cast = vals.astype(np.float32)
    direct = [100.0 * np.count_nonzero(raw <= v) / len(raw) for v in cast]
    assert pct.tolist() == pytest.approx(direct) and max(direct) < 100.0  # titles above it
    assert at_or_below(raw, np.zeros(0, dtype=np.float32)).tolist() == []
