"""The release being served (python -m refresh) is shown where operators look: the admin's
/status in the bot and GET /health in the API; with no releases/ neither shows one."""

from __future__ import annotations

import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ApiSettings
from catalog.holder import CatalogHolder
from chat.operations import status_text
from chat.stats import Stats
from people import StoreStatus
from refresh import releases
from tests.fakes.botdata import demo_data

VERSION = "20261130T120000Z-abc123"


def _with_release(tmp_path: Path) -> Path:
    """A data_dir whose releases/current points at one release of the demo data."""
    data = tmp_path / "data"
    release = data / "releases" / VERSION
    for part in ("processed", "models"):
        shutil.copytree(demo_data() / part, release / part)
    releases.write_json(
        release / releases.MANIFEST,
        {
            "version": VERSION,
            "built_at": "2026-11-30T12:00:00+00:00",
            "inputs": {"files": [{"path": "titles/netflix_titles.csv", "sha256": "ab" * 32}]},
        },
    )
    releases.point(data / "releases", VERSION)
    return data


def _status(holder: CatalogHolder, lang: str) -> str:
    store = StoreStatus(ok=True, check="ok", ratings=0, people=0)
    return status_text(lang, holder.current, Stats(), store, holder.release)


def test_status_and_health_name_the_release(tmp_path: Path) -> None:
    data = _with_release(tmp_path)
    holder = CatalogHolder(data, follow_seconds=None)
    assert holder.release is not None and holder.release.version == VERSION
    en, es = _status(holder, "en"), _status(holder, "es")
    assert f"Release: {VERSION}, built 2026-11-30T12:00:00+00:00" in en
    assert "From: titles/netflix_titles.csv" in en
    assert f"Versión publicada: {VERSION}" in es

    app = create_app(ApiSettings(_env_file=None, data_dir=data))  # type: ignore[call-arg]
    with TestClient(app) as client:
        body = client.get("/health").json()
    assert body["release"]["version"] == VERSION
    assert body["release"]["inputs"][0]["path"] == "titles/netflix_titles.csv"


def test_no_release_is_shown_without_releases(tmp_path: Path) -> None:
    data = tmp_path / "plain"
    for part in ("processed", "models"):
        shutil.copytree(demo_data() / part, data / part)
    holder = CatalogHolder(data, follow_seconds=None)
    assert holder.release is None
    assert "Release" not in _status(holder, "en")
    app = create_app(ApiSettings(_env_file=None, data_dir=data))  # type: ignore[call-arg]
    with TestClient(app) as client:
        assert client.get("/health").json()["release"] is None
