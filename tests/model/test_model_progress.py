"""Long training work shows progress (issue 22, item 12): the search's fold fits, the fold-in
choice and the hybrid's choice print a line at least every PROGRESS_EVERY seconds (10), with an
ETA where the share done is known; `Ticker` on a fake clock, `heartbeat` around a call with no
hook, and the real search and choices on demo ratings with a short interval."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

import model.data
from model import hybrid, tune
from model.content import CONTENT_FILE, read_content
from model.data import Heartbeat, Ticker, read_ratings
from model.fold_in_choice import choose_fold_in
from model.svd import SVDParams, fit
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
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(build_demo(tmp_path_factory.getbasetemp() / "api-demo"))


@pytest.fixture(scope="module")
def ratings(demo_dir: Path) -> model.data.Ratings:
    return read_ratings(demo_dir / "processed" / "ratings.parquet")


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


def test_heartbeat_speaks_in_the_silences_of_long_work() -> None:
    """For work with no hook to tick from (a ridge fit): a line whenever nothing was said for
    the interval, naming the step; none while the work speaks itself, none after it ends."""
    lines: list[str] = []

    def wait_for(count: int) -> None:
        for _ in range(3000):  # until the lines came, whatever the machine's load
            if len(lines) >= count:
                return
            time.sleep(0.01)

    with Heartbeat(lines.append, "hybrid", "starting", every=0.01) as beat:
        beat.doing("fitting ridge alpha 1")
        wait_for(3)
        beat.doing("fitting ridge alpha 3")
        wait_for(len(lines) + 2)
    assert len(lines) >= 5, lines
    assert re.fullmatch(r"hybrid: fitting ridge alpha 1, \d+ s", lines[0]), lines
    assert re.fullmatch(r"hybrid: fitting ridge alpha 3, \d+ s", lines[-1]), lines
    after = len(lines)
    time.sleep(0.05)
    assert len(lines) == after  # stopped with the work
    said: list[str] = []
    with Heartbeat(said.append, "hybrid", every=60.0) as beat:
        beat.say("hybrid: new titles, ridge alpha 1: RMSE 1.0047")
    assert said == ["hybrid: new titles, ridge alpha 1: RMSE 1.0047"]  # its own line only


def test_the_hybrid_choice_says_what_it_does_with_numbers_for_reading(
    ratings: model.data.Ratings, demo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(model.data, "PROGRESS_EVERY", 0.01)
    content = read_content(demo_dir / "processed" / CONTENT_FILE)
    lines: list[str] = []

    def fit_one(r: model.data.Ratings) -> tuple[object, object]:
        return fit(r, SVDParams(n_factors=5, n_epochs=5), progress=False)

    hybrid.choose(ratings, fit_one, content, seed=0, log=lines.append)  # type: ignore[arg-type]
    start = f"hybrid: choosing the content map on {len(ratings):,} ratings"
    first = next(k for k, ln in enumerate(lines) if ln.startswith(start))
    # before it only the heartbeat, naming the step (never a bare "working")
    assert all(ln.startswith("hybrid: holding out the ratings") for ln in lines[:first]), lines
    assert not any("working" in ln for ln in lines), lines
    k_line = next(ln for ln in lines if ln.startswith("hybrid: rated titles, RMSE by K: "))
    # every figure with 4 decimals, not Python's 16 ("K 0: 0.8993", not 0.8993350953925926)
    figures = re.findall(r"\d+\.\d+", k_line)
    assert figures and all(len(f.split(".")[1]) == 4 for f in figures), k_line
    assert all(len(f.split(".")[1]) <= 4 for ln in lines for f in re.findall(r"\d+\.\d+", ln))
