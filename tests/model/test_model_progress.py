"""Long training work shows progress (issue 22, item 12): the search's fold fits and the fold-in
choice print a line at least every PROGRESS_EVERY seconds (10), with an ETA; `Ticker` on a fake
clock, and the real search on demo ratings with the interval at 0 (a line at every step)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import model.data
from model import tune
from model.data import Ticker, read_ratings
from model.fold_in_choice import choose_fold_in
from model.svd import SVDParams
from tests.api_helpers import build_demo


def test_ticker_speaks_every_interval_with_an_eta() -> None:
    now = [0.0]
    lines: list[str] = []
    t = Ticker(lines.append, "search: SVD", every=10.0, clock=lambda: now[0])
    for step in range(100):
        now[0] = step * 1.0  # one step a second
        t.tick(step, 100, f"epoch {step}")
    assert len(lines) == 9  # at 10, 20, ... 90 s
    assert lines[0] == "search: SVD: epoch 10, 10 s, about 90 s left"


@pytest.fixture(scope="module")
def ratings(tmp_path_factory: pytest.TempPathFactory) -> model.data.Ratings:
    base = build_demo(tmp_path_factory.getbasetemp() / "api-demo")
    return read_ratings(Path(base) / "processed" / "ratings.parquet")


def test_search_and_fold_in_choice_report_their_steps(
    ratings: model.data.Ratings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(model.data, "PROGRESS_EVERY", 0.0)
    lines: list[str] = []
    start = SVDParams(n_factors=5, n_epochs=4)
    sel = tune.select(ratings, start, budget=5, folds=2, log=lines.append)
    steps = [ln for ln in lines if re.match(r"search: SVD .*: fold \d/2, epoch \d/4, \d+ s", ln)]
    assert steps and any("s left" in ln for ln in steps), lines
    lines.clear()
    choose_fold_in(ratings, sel.params, n_users=30, log=lines.append)
    people = [ln for ln in lines if re.match(r"fold-in choice: \d+/\d+ held-out people", ln)]
    assert people and any("s left" in ln for ln in people), lines
