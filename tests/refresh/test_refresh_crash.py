"""kill -9 at several points of a refresh: `current` is always a complete release, no lock stays
held, no child keeps running, and the next run succeeds (issue 15)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from catalog.holder import CatalogHolder
from refresh.outcome import CRASH_ENV
from tests.refresh_helpers import (
    ROOT,
    copy_tree,
    env,
    lock_is_free,
    make_inbox,
    refresh,
    state,
)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("refresh-crash")
    make_inbox(data / "inbox", seed=5)
    done = refresh(data, "run")
    assert done.returncode == 0, done.stderr
    return data


def _changed_copy(published: Path, tmp_path: Path) -> Path:
    """A copy whose inbox differs from release 1 by one more rating: a run rebuilds."""
    data = copy_tree(published, tmp_path / "data")
    with open(data / "inbox" / "ratings" / "ratings_1.csv", "a", encoding="utf-8") as f:
        f.write("99999,4.5,1500000000,ns1\n")
    return data


def _assert_serving(data: Path, version: str) -> None:
    """`current` is `version`, complete, and loads with its model the way the bot loads it."""
    assert state(data)[0] == version
    holder = CatalogHolder(data, follow_seconds=None)
    assert holder.release is not None and holder.release.version == version
    assert holder.current.recommender is not None


def _next_run_publishes(data: Path, before: str) -> None:
    done = refresh(data, "run")
    assert done.returncode == 0, done.stderr
    cur, versions, leftovers = state(data)
    assert cur != before and cur in versions and leftovers == []
    _assert_serving(data, cur)


def test_kill_at_a_crash_point_after_the_etl(published: Path, tmp_path: Path) -> None:
    data = _changed_copy(published, tmp_path)
    before = state(data)[0]
    done = refresh(data, "run", **{CRASH_ENV: "after_etl"})
    assert done.returncode == -9
    assert state(data)[2], "the killed run left its staging folder (cleaned by the next run)"
    assert lock_is_free(data)
    _assert_serving(data, before)
    _next_run_publishes(data, before)


def test_kill_9_from_outside_during_training(published: Path, tmp_path: Path) -> None:
    data = _changed_copy(published, tmp_path)
    before = state(data)[0]
    proc = subprocess.Popen(
        [sys.executable, "-m", "refresh", "--data-dir", str(data), "run", "--budget", "30"],
        cwd=ROOT,
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        children = _wait_for_training(proc, data)
    finally:
        proc.kill()  # SIGKILL: no handler, no finally in the run
        proc.wait()
    _, alive = psutil.wait_procs(children, timeout=30)
    assert alive == [], "the training child outlived the killed refresh"
    assert lock_is_free(data)
    _assert_serving(data, before)
    _next_run_publishes(data, before)


def _wait_for_training(proc: subprocess.Popen[bytes], data: Path) -> list[psutil.Process]:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the refresh ended before training started"
        kids = psutil.Process(proc.pid).children(recursive=True)
        if any("model" in k.cmdline() and "train" in k.cmdline() for k in _alive(kids)):
            time.sleep(0.5)  # well inside: reading or searching
            return kids
        time.sleep(0.05)
    raise AssertionError("training never started")


def _alive(procs: list[psutil.Process]) -> list[psutil.Process]:
    out = []
    for p in procs:
        try:
            p.cmdline()
            out.append(p)
        except psutil.Error:
            pass
    return out


@pytest.mark.slow
@pytest.mark.parametrize(
    "point", ["after_etl", "after_train", "before_publish", "after_rename", "after_publish"]
)
def test_kill_at_every_crash_point(published: Path, tmp_path: Path, point: str) -> None:
    data = _changed_copy(published, tmp_path)
    before = state(data)[0]
    done = refresh(data, "run", **{CRASH_ENV: point})
    assert done.returncode == -9
    assert lock_is_free(data)
    cur, versions, _ = state(data)
    if point == "after_publish":
        assert cur != before and len(versions) == 2
        _assert_serving(data, cur)
        again = refresh(data, "run")  # the release is complete: nothing left to do
        assert again.returncode == 0 and "nothing new" in again.stdout
        assert state(data)[2] == []
        return
    _assert_serving(data, before)
    if point == "after_rename":  # complete but never pointed at: listed, not current
        assert len(versions) == 2
    _next_run_publishes(data, before)
