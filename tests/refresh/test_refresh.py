"""`python -m refresh` as real processes on small demo data: a release, broken inboxes that
publish nothing, rollback, and the catalogue holder following the pointer (issue 15)."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from catalog.holder import CatalogHolder
from refresh import releases
from tests.refresh_helpers import (
    copy_tree,
    drop_column,
    drop_ratings_of,
    keep_share,
    lock_is_free,
    make_inbox,
    move_title,
    noise_ratings,
    refresh,
    state,
)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir whose inbox holds demo CSVs and whose release 1 was built from them."""
    data = tmp_path_factory.mktemp("refresh-data")
    make_inbox(data / "inbox")
    done = refresh(data, "run")
    assert done.returncode == 0, done.stderr
    return data


def _copy(published: Path, tmp_path: Path) -> Path:
    return copy_tree(published, tmp_path / "data")


def _manifest(data: Path) -> dict:
    return json.loads((data / "releases" / "current" / "manifest.json").read_text())


def test_release_from_demo_csvs(published: Path) -> None:
    cur, versions, leftovers = state(published)
    assert versions == [cur] and leftovers == []
    m = _manifest(published)
    assert m["version"] == cur and m["status"] == "published" and m["previous"] is None
    files = {f["path"]: f for f in m["inputs"]["files"]}
    for rel, f in files.items():
        data = (published / "inbox" / rel).read_bytes()
        assert f["sha256"] == hashlib.sha256(data).hexdigest() and f["bytes"] == len(data)
    assert files["ratings/ratings_1.csv"]["rows"]["rows_written"] == m["rows"]["ratings"]
    assert sum(m["rows"]["per_platform"].values()) == m["rows"]["titles"] == 300
    assert set(m["anomalies"]) >= {"duplicate_id", "rating_unknown_title"}
    assert m["model"]["validation_rmse"] < m["model"]["baseline_rmse"]
    status = {g["name"]: g["status"] for g in m["gates"]}
    assert status == {
        "raw_input": "pass",
        "schema": "pass",
        "platform_drop": "skip",
        "anomalies": "info",
        "model_vs_baseline": "pass",
        "model_vs_current": "skip",
        "loads": "pass",
    }
    for stage in ("etl", "train", "verify"):
        assert m["timings"][stage]["seconds"] > 0 and m["timings"][stage]["peak_rss_mb"] > 50
    for part in ("processed/titles.parquet", "models/svd.pkl", "reports/etl.json"):
        assert (published / "releases" / cur / part).is_file(), part
    listed = refresh(published, "list")
    assert listed.returncode == 0 and f"* {cur}" in listed.stdout
    again = refresh(published, "run")  # same files: nothing to do
    assert again.returncode == 0 and "nothing new" in again.stdout
    assert state(published)[1] == [cur]


def test_the_holder_serves_the_release_and_the_old_layout_still_works(
    published: Path, tmp_path: Path
) -> None:
    holder = CatalogHolder(published, follow_seconds=None)
    cur = state(published)[0]
    assert holder.release is not None and holder.release.version == cur
    assert holder.current.info.data_dir == str(published / "releases" / cur)
    assert holder.current.recommender is not None and holder.current.info.titles == 300
    assert {f["path"] for f in holder.release.inputs} >= {"ratings/ratings_1.csv"}
    # no releases/ folder: data_dir/processed and models, exactly as before
    legacy = tmp_path / "legacy"
    for part in ("processed", "models"):
        copy_tree(published / "releases" / cur / part, legacy / part)
    old = CatalogHolder(legacy)
    assert old.release is None and old.current.info.data_dir == str(legacy)
    assert old.current.recommender is not None


def test_a_missing_column_publishes_nothing(published: Path, tmp_path: Path) -> None:
    data = _copy(published, tmp_path)
    before = state(data)
    drop_column(data / "inbox" / "titles" / "hulu_titles.csv", "title")
    done = refresh(data, "run")
    assert done.returncode == 1
    assert "gate raw_input failed" in done.stderr and "missing column title" in done.stderr
    assert f"current stays {before[0]}" in done.stderr
    assert state(data) == before and lock_is_free(data)
    report = sorted((data / "releases" / "runs").glob("*.json"))[-1]
    body = json.loads(report.read_text())
    assert body["status"] == "failed" and body["gates"][-1]["name"] == "raw_input"
    assert any("missing column" in ln for ln in body["logs"]["etl.log"])


def test_a_platform_losing_60_percent_fails_then_force_publishes_and_records_changes(
    published: Path, tmp_path: Path
) -> None:
    data = _copy(published, tmp_path)
    first = state(data)[0]
    holder = CatalogHolder(data, follow_seconds=0.05)
    assert holder.release.version == first
    netflix = data / "inbox" / "titles" / "netflix_titles.csv"
    removed_ids = keep_share(netflix, 0.4)
    removed = len(removed_ids)
    drop_ratings_of(data / "inbox", removed_ids)
    old_id, new_id = move_title(data / "inbox", "hulu", "disney")
    done = refresh(data, "run")
    assert done.returncode == 1
    assert "gate platform_drop failed" in done.stderr and "netflix" in done.stderr
    assert "(-60%)" in done.stderr and state(data)[0] == first

    forced = refresh(data, "run", "--force")
    assert forced.returncode == 0, forced.stderr
    second, versions, _ = state(data)
    assert versions == [first, second]
    m = _manifest(data)
    gate = next(g for g in m["gates"] if g["name"] == "platform_drop")
    assert gate["status"] == "overridden" and gate["details"]["dropped"]["netflix"]["drop"] == 0.6
    assert m["previous"] == first and m["model"]["validation_rmse"] is not None
    summary = m["changes"]["per_platform"]
    assert summary["netflix"]["ids_removed"] == removed
    assert summary["disney"]["moved_in"] == 1 and summary["hulu"]["moved_out"] == 1
    changes = pq.read_table(data / "releases" / second / "changes.parquet").to_pylist()
    moved = [c for c in changes if c["change"] == "moved"]
    assert len(moved) == 1
    assert (moved[0]["id"], moved[0]["from_platform"], moved[0]["platform"]) == (
        new_id,
        "hulu",
        "disney",
    )
    by_id = {(c["change"], c["id"]) for c in changes if c["by"] == "id"}
    assert ("removed", old_id) in by_id and ("added", new_id) in by_id

    # the holder follows the new release by itself, then the rollback
    _wait_for(holder, second)
    assert holder.current.info.titles == 300 - removed
    back = refresh(data, "rollback", first)
    assert back.returncode == 0 and state(data)[0] == first
    _wait_for(holder, first)
    assert holder.current.info.titles == 300
    bad = refresh(data, "rollback", "20990101T000000Z-nothere")
    assert bad.returncode == 2 and "no release" in bad.stderr


def _wait_for(holder: CatalogHolder, version: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        holder.current  # noqa: B018 - taking it is what checks the pointer
        release = holder.release
        if release is not None and release.version == version:
            return
        time.sleep(0.05)
    raise AssertionError(f"holder still serves {holder.release} instead of {version}")


def test_a_model_no_better_than_baseline_publishes_nothing(published: Path, tmp_path: Path) -> None:
    data = _copy(published, tmp_path)
    before = state(data)
    noise_ratings(data / "inbox")
    done = refresh(data, "run")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "gate model_vs_baseline failed" in done.stderr and "BaselineOnly" in done.stderr
    assert state(data) == before and lock_is_free(data)


def test_a_second_run_while_one_holds_the_lock_does_nothing(published: Path) -> None:
    from refresh.lock import RefreshLock

    with RefreshLock(releases.releases_dir(published)):
        done = refresh(published, "run", "--force")
    assert done.returncode == 75 and "another refresh is running" in done.stderr
    assert lock_is_free(published)
