"""The refresh's pure parts: changes between releases, gates, inbox settling, the release store,
and the holder's pointer handling (no ETL or training here)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from catalog.holder import CatalogHolder
from catalog.loading import CatalogLoadError
from domain.text import fold
from domain.vocabulary import arrow_schema
from refresh import gates, inbox, releases
from refresh.changes import diff
from refresh.lock import Busy, RefreshLock
from tests.catalog_helpers import write_processed
from tests.refresh_helpers import titles_file


def test_changes_by_id_and_by_name_see_a_move_between_platforms(tmp_path: Path) -> None:
    old = titles_file(
        tmp_path / "old.parquet",
        [
            ("ns1", "netflix", "amélie", 2001),
            ("ns2", "netflix", "heat", 1995),
            ("hs1", "hulu", "alien", 1979),
            ("hs2", "hulu", "fargo", 1996),
            ("as1", "amazon", "fargo", 1996),
        ],
    )
    new = titles_file(
        tmp_path / "new.parquet",
        [
            ("ns1", "netflix", "amélie", 2001),
            ("ds9", "disney", "Amelie!", 2001),  # same film arrives on a second platform
            ("ds1", "disney", "heat", 1995),  # moved netflix -> disney
            ("hs1", "hulu", "alien", 1979),
            ("hs7", "hulu", "alien", 1986),  # another year: another title
            ("as1", "amazon", "fargo", 1996),  # left hulu, stays on amazon
        ],
    )
    table, summary = diff(new, old)
    rows = table.to_pylist()
    by_id = {(r["change"], r["id"]) for r in rows if r["by"] == "id"}
    assert by_id == {
        ("added", "ds9"),
        ("added", "ds1"),
        ("added", "hs7"),
        ("removed", "ns2"),
        ("removed", "hs2"),
    }
    by_name = {
        (r["change"], r["platform"], r["from_platform"], r["id"]) for r in rows if r["by"] == "name"
    }
    assert by_name == {
        ("also_on", "disney", None, "ds9"),
        ("moved", "disney", "netflix", "ds1"),
        ("added", "hulu", None, "hs7"),
        ("left", "hulu", None, "hs2"),
    }
    assert summary["disney"] == {"ids_added": 2, "moved_in": 1, "names_also_on": 1}
    assert summary["netflix"] == {"ids_removed": 1, "moved_out": 1}
    assert fold("  Amélie!") == fold("amelie") == "amelie"


def test_platform_drop_gate_fails_passes_and_is_overridden() -> None:
    before = {"netflix": 100, "hulu": 50}
    bad = gates.platform_drop({"netflix": 40, "hulu": 50}, before, 0.3, False, "v1")
    assert bad.failed and "netflix 100 -> 40 (-60%)" in bad.message and "--force" in bad.message
    gone = gates.platform_drop({"netflix": 100}, before, 0.3, False, "v1")
    assert gone.failed and "hulu 50 -> 0 (-100%)" in gone.message
    ok = gates.platform_drop({"netflix": 71, "hulu": 50}, before, 0.3, False, "v1")
    assert ok.status == "pass"
    forced = gates.platform_drop({"netflix": 40, "hulu": 50}, before, 0.3, True, "v1")
    assert forced.status == "overridden" and not forced.failed
    assert gates.platform_drop({"netflix": 1}, None, 0.3, False, "").status == "skip"


def test_model_gates() -> None:
    good = {"chosen": "SVD", "validation_rmse": 0.90, "baseline_rmse": 0.94, "why": "x"}
    assert gates.beats_baseline(good).status == "pass"
    base = {"chosen": "BaselineOnly", "validation_rmse": 0.95, "baseline_rmse": 0.95, "why": "y"}
    fail = gates.beats_baseline(base)
    assert fail.failed and "does not beat BaselineOnly" in fail.message
    assert gates.beats_baseline({"chosen": "SVD"}).failed  # no validation figures
    worse = gates.vs_current(good, {"validation_rmse": 0.80}, 0.05, "v1")
    assert worse.failed and "+12.5%" in worse.message and "v1" in worse.message
    assert gates.vs_current(good, {"validation_rmse": 0.88}, 0.05, "v1").status == "pass"
    assert gates.vs_current(good, None, 0.05, "").status == "skip"


def test_schema_gate_names_every_wrong_column(tmp_path: Path) -> None:
    for name in ("titles", "display", "scores", "ratings"):
        pq.write_table(arrow_schema(name).empty_table(), tmp_path / f"{name}.parquet")
    assert gates.schema(tmp_path).status == "pass"
    bad = arrow_schema("scores").empty_table()
    bad = bad.set_column(2, "votes", pa.array([], pa.float64())).append_column(
        "extra", pa.array([], pa.string())
    )
    pq.write_table(bad.drop_columns(["score"]), tmp_path / "scores.parquet")
    gate = gates.schema(tmp_path)
    assert gate.failed
    assert "scores.parquet lacks score" in gate.message
    assert (
        "has unexpected extra" in gate.message and "votes is double, expected int64" in gate.message
    )


def test_settle_watch_waits_until_files_stop_changing(tmp_path: Path) -> None:
    now = [0.0]
    (tmp_path / "titles").mkdir()
    (tmp_path / "ratings").mkdir()
    watch = inbox.SettleWatch(tmp_path, settle=10, clock=lambda: now[0])
    assert watch.poll() is None  # empty inbox
    f = tmp_path / "titles" / "netflix_titles.csv"
    f.write_text("a")
    assert watch.poll() is None  # just changed
    now[0] = 5
    f.write_text("ab")  # still being copied: size changed
    assert watch.poll() is None
    now[0] = 14
    assert watch.poll() is None  # 9 s since the last change
    now[0] = 16
    snap = watch.poll()
    assert snap is not None and snap[0][0] == "titles/netflix_titles.csv"
    watch.mark_handled(snap)
    now[0] = 100
    assert watch.poll() is None  # handled: not again until it changes


def test_inbox_layout_errors_say_how_to_fill_it(tmp_path: Path) -> None:
    with pytest.raises(inbox.InboxError, match="no inbox at"):
        inbox.check_layout(tmp_path / "nope")
    (tmp_path / "netflix_titles.csv").write_text("x")
    with pytest.raises(inbox.InboxError, match=r"found netflix_titles\.csv at the top"):
        inbox.check_layout(tmp_path)


def _release(root: Path, version: str) -> None:
    (root / version).mkdir(parents=True)
    releases.write_json(root / version / releases.MANIFEST, {"version": version})


def test_prune_keeps_the_newest_and_always_the_current(tmp_path: Path) -> None:
    versions = [f"2026010{i}T000000Z-abc" for i in range(1, 6)]
    for v in versions:
        _release(tmp_path, v)
    releases.point(tmp_path, versions[0])
    removed = releases.prune(tmp_path, keep=2)
    assert removed == versions[1:3]
    assert [r.version for r in releases.list_releases(tmp_path)] == [versions[0], *versions[3:]]
    assert releases.current_version(tmp_path) == versions[0]
    assert os.readlink(tmp_path / "current") == versions[0]  # relative


def test_the_lock_refuses_a_second_holder_and_frees_on_close(tmp_path: Path) -> None:
    first = RefreshLock(tmp_path).acquire()
    with pytest.raises(Busy, match=f"pid {os.getpid()}"):
        RefreshLock(tmp_path).acquire()
    first.release()
    RefreshLock(tmp_path).acquire().release()


def test_holder_refuses_a_dangling_pointer_and_keeps_serving(tmp_path: Path) -> None:
    write_processed(tmp_path)
    holder = CatalogHolder(tmp_path, follow_seconds=None)
    old = holder.current
    assert holder.release is None
    root = tmp_path / "releases"
    root.mkdir()
    os.symlink("20260101T000000Z-gone", root / "current")
    with pytest.raises(CatalogLoadError, match="not a complete release"):
        holder.reload()
    assert holder.current is old
    holder.follow_now()  # logged and remembered, not raised
    assert holder.current is old


def _data_release(data: Path, version: str, rows: list | None = None) -> None:
    from tests.catalog_helpers import ROWS

    folder = data / "releases" / version
    write_processed(folder, ROWS if rows is None else rows)
    releases.write_json(
        folder / releases.MANIFEST,
        {"version": version, "built_at": "2026-01-01T00:00:00+00:00", "inputs": {"files": []}},
    )


def test_holder_follows_the_pointer_on_access_and_exposes_the_release(tmp_path: Path) -> None:
    from tests.catalog_helpers import ROWS

    v1, v2 = "20260101T000000Z-aaa", "20260102T000000Z-bbb"
    _data_release(tmp_path, v1, ROWS[:-1])
    _data_release(tmp_path, v2)
    root = tmp_path / "releases"
    releases.point(root, v1)
    holder = CatalogHolder(tmp_path, follow_seconds=0.01)
    first = holder.current
    assert holder.release.version == v1 and holder.release.built_at.startswith("2026-01-01")
    releases.point(root, v2)
    deadline = time.monotonic() + 30
    while holder.current is first and time.monotonic() < deadline:
        time.sleep(0.01)
    assert holder.release.version == v2
    assert holder.current.info.titles == first.info.titles + 1
    assert holder.release.as_dict()["version"] == v2
