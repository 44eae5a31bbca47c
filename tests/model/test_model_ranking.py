"""model/ranking.py's `best`: the percentiles of a deep page (more than 64 titles, /top with an
offset) come from one sort and must equal the direct count a short page uses."""

from __future__ import annotations

import numpy as np
import pytest

from model.ranking import best


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
