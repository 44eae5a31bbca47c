"""The admin's /reload follows the releases pointer (issue: build_commands used to hand the
Reloader a loader of DATA_DIR/processed, so with releases/current and the SQLite store /reload
failed or served stale data). Real parquet and model: the bot tests' demo data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from bot.app import build_commands
from bot.settings import Settings
from catalog.holder import CatalogHolder
from chat.commands import Commands
from chat.replies import Person, Reply
from refresh import releases
from tests.fakes.botdata import demo_data

FIRST = "20261130T120000Z-aaaaaa"
SECOND = "20261201T120000Z-bbbbbb"
ADMIN = Person(user_id=1, chat_id=1, lang="en", is_admin=True)
DROPPED = 25  # titles the second release no longer lists


def _release(data: Path, version: str, drop: int = 0) -> Path:
    """One release of the demo data; `drop` removes that many titles from its titles parquet
    so the two releases' catalogues differ (another data version, fewer titles)."""
    folder = data / "releases" / version
    for part in ("processed", "models"):
        shutil.copytree(demo_data() / part, folder / part)
    if drop:
        path = folder / "processed" / "titles.parquet"
        table = pq.read_table(path)
        pq.write_table(table.slice(0, table.num_rows - drop), path)
    releases.write_json(
        folder / releases.MANIFEST,
        {"version": version, "built_at": f"{version[:8]}T12:00:00+00:00", "inputs": {}},
    )
    return folder


async def _text(commands: Commands, line: str) -> list[Reply]:
    return [r async for r in commands.on_text(ADMIN, line)]


@pytest.mark.parametrize("old_layout", [False, True], ids=["releases-only", "stale-processed"])
async def test_admin_reload_serves_the_current_release(tmp_path: Path, old_layout: bool) -> None:
    """Without DATA_DIR/processed the old loader failed; with one left over from before the
    releases it served that stale data. Both must serve the release `current` points at."""
    data = tmp_path / "data"
    _release(data, FIRST)
    _release(data, SECOND, drop=DROPPED)
    releases.point(data / "releases", FIRST)
    if old_layout:  # the first release's data, as DATA_DIR/processed before refresh existed
        for part in ("processed", "models"):
            shutil.copytree(data / "releases" / FIRST / part, data / part)
    # follow_seconds=None: only /reload may move the holder, not the pointer follower
    holder = CatalogHolder(data, follow_seconds=None)
    first = holder.current
    assert holder.release is not None and holder.release.version == FIRST

    settings = Settings(_env_file=None, data_dir=data, admin_ids="1")  # type: ignore[call-arg]
    commands = build_commands(settings, holder)  # SQLite store under data/state
    releases.point(data / "releases", SECOND)  # a refresh published the second release

    start, done = await _text(commands, "/reload")
    assert "Reloading" in start.text
    assert "Reload done" in done.text, done.text
    now = holder.current
    assert now is not first
    assert holder.release is not None and holder.release.version == SECOND
    assert now.info.data_dir is not None and Path(now.info.data_dir).name == SECOND
    assert now.info.titles == first.info.titles - DROPPED
    assert now.info.version != first.info.version and now.info.version in done.text
    assert now.recommender is not None  # the release's own model came with it

    [status] = await _text(commands, "/status")
    assert f"Release: {SECOND}" in status.text
    assert FIRST not in status.text
