"""Releases are verified (issue 23 item 5): rollback checks every file against the manifest's
checksums and loads the release first; a start with a damaged `current` serves the last good
release and says "degraded" in /health and /status until `current` is good again."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.stats import Stats
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ApiSettings
from catalog.holder import CatalogHolder
from chat.operations import status_text
from domain.releasefiles import checksums
from people import StoreStatus
from refresh import releases
from tests.fakes.botdata import demo_data
from tests.refresh_helpers import refresh

OLD, NEW = "20261130T120000Z-aaa111", "20261201T120000Z-bbb222"


def _release(data: Path, version: str, with_checksums: bool = True) -> Path:
    folder = data / "releases" / version
    for part in ("processed", "models"):
        shutil.copytree(demo_data() / part, folder / part)
    manifest = {"version": version, "built_at": "2026-11-30T12:00:00+00:00", "inputs": {}}
    if with_checksums:
        manifest["files"] = checksums(folder)
    releases.write_json(folder / releases.MANIFEST, manifest)
    return folder


def _two_releases(tmp_path: Path, old_checksums: bool = True) -> Path:
    data = tmp_path / "data"
    _release(data, OLD, old_checksums)
    _release(data, NEW)
    releases.point(data / "releases", NEW)
    return data


def _truncate(path: Path) -> None:
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.truncate(size // 2)


def _health(data: Path) -> dict:
    app = create_app(ApiSettings(_env_file=None, data_dir=data))  # type: ignore[call-arg]
    with TestClient(app) as client:
        return client.get("/health").json()


def _status(holder: CatalogHolder, lang: str) -> str:
    store = StoreStatus(ok=True, check="ok", ratings=0, people=0)
    return status_text(lang, holder.current, Stats(), store, holder.release)


def test_rollback_refuses_a_release_with_a_truncated_file(tmp_path: Path) -> None:
    data = _two_releases(tmp_path)
    _truncate(data / "releases" / OLD / "processed" / "titles.parquet")
    done = refresh(data, "rollback", OLD)
    assert done.returncode == 1, done.stdout
    assert "damaged" in done.stderr and "processed/titles.parquet" in done.stderr
    assert f"current stays {NEW}" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert releases.current_version(data / "releases") == NEW


def test_rollback_refuses_a_release_that_does_not_load_even_without_checksums(
    tmp_path: Path,
) -> None:
    """A release built before checksums were recorded still gets the load-time checks."""
    data = _two_releases(tmp_path, old_checksums=False)
    _truncate(data / "releases" / OLD / "processed" / "titles.parquet")
    done = refresh(data, "rollback", OLD)
    assert done.returncode == 1 and "does not load" in done.stderr
    assert releases.current_version(data / "releases") == NEW


def test_rollback_to_a_good_release_still_works(tmp_path: Path) -> None:
    data = _two_releases(tmp_path)
    done = refresh(data, "rollback", OLD)
    assert done.returncode == 0, done.stderr
    assert releases.current_version(data / "releases") == OLD


def test_a_start_with_a_damaged_current_serves_the_last_good_release_loudly(
    tmp_path: Path, caplog
) -> None:
    data = _two_releases(tmp_path)
    _truncate(data / "releases" / NEW / "processed" / "titles.parquet")
    holder = CatalogHolder(data, follow_seconds=None)  # today: CatalogLoadError, no start
    assert holder.release is not None and holder.release.version == OLD
    assert holder.current.recommender is not None
    why = holder.release.degraded or ""
    assert f"current is {NEW}" in why and "processed/titles.parquet" in why
    assert any("DEGRADED" in r.getMessage() and r.levelname == "ERROR" for r in caplog.records)
    assert "Degraded: serving release" in _status(holder, "en")
    assert "Degradado: serving release" in _status(holder, "es")
    body = _health(data)
    assert body["status"] == "degraded" and body["release"]["version"] == OLD
    assert "processed/titles.parquet" in body["release"]["degraded"]

    # current pointed at the good release again: ok, once the holder followed it
    assert refresh(data, "rollback", OLD).returncode == 0
    holder.follow_now()
    assert holder.release is not None and holder.release.degraded is None
    assert "Degraded" not in _status(holder, "en")
    body = _health(data)
    assert body["status"] == "ok" and body["release"]["degraded"] is None


def test_a_damaged_release_the_pointer_moves_to_is_refused_and_health_says_degraded(
    tmp_path: Path,
) -> None:
    """The fault run's case: the running API refused the release, /health still said ok."""
    data = _two_releases(tmp_path)
    holder = CatalogHolder(data, follow_seconds=None)
    assert holder.release is not None and holder.release.degraded is None
    serving = holder.current
    _truncate(data / "releases" / OLD / "processed" / "titles.parquet")
    releases.point(data / "releases", OLD)  # as the old unchecked rollback did
    holder.follow_now()
    assert holder.current is serving and holder.release.version == NEW
    assert f"current is {OLD}" in (holder.release.degraded or "")
    assert "damaged" in (holder.release.degraded or "")
    assert _health(data)["status"] == "degraded"  # a fresh start serves NEW too, degraded


def test_checksums_name_each_damaged_file(tmp_path: Path) -> None:
    from domain.releasefiles import damage

    folder = _release(tmp_path / "data", OLD)
    manifest = releases.read_manifest(folder)
    assert damage(folder, manifest) == []
    _truncate(folder / "processed" / "titles.parquet")
    (folder / "models" / "svd.json").write_text("{}")
    (folder / "processed" / "display.parquet").unlink()
    found = " | ".join(damage(folder, manifest))
    assert (
        "processed/titles.parquet has" in found and "processed/display.parquet is missing" in found
    )
    assert "models/svd.json" in found
