"""CatalogHolder: a new catalogue is built beside the serving one; a failed reload keeps it."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ApiSettings
from catalog import Catalog, CatalogHolder, CatalogLoadError
from chat.commands import Commands
from chat.operations import Reloader
from chat.replies import Person
from people import sqlite_store
from tests.catalog_helpers import ROWS, write_processed
from tests.fakes.botdata import data_copy


def test_reload_swaps_in_new_data(tmp_path: Path) -> None:
    holder = CatalogHolder(write_processed(tmp_path, ROWS[:-1]))
    old = holder.current
    assert old.count_platform("hulu")[0].movies == 0
    write_processed(tmp_path)
    new = holder.reload()
    assert holder.current is new and new is not old
    assert new.count_platform("hulu")[0].movies == 1
    assert new.info.version != old.info.version
    assert old.count_platform("hulu")[0].movies == 0  # whoever still holds the old one is fine


def test_failed_reload_keeps_the_old_catalog_and_says_why(tmp_path: Path) -> None:
    holder = CatalogHolder(write_processed(tmp_path))
    old = holder.current
    (tmp_path / "processed" / "titles.parquet").write_bytes(b"half a file")
    with pytest.raises(CatalogLoadError, match=r"reload failed, still serving data .*titles"):
        holder.reload()
    assert holder.current is old
    assert old.max_duration().duration == 200


def test_first_load_failure_raises(tmp_path: Path) -> None:
    with pytest.raises(CatalogLoadError, match="python -m etl"):
        CatalogHolder(tmp_path)


def test_questions_during_reloads_never_see_half_loaded_data(tmp_path: Path) -> None:
    holder = CatalogHolder(write_processed(tmp_path))
    errors: list[BaseException] = []
    stop = threading.Event()

    def ask() -> None:
        while not stop.is_set():
            try:
                cat = holder.current  # take the reference once per question
                counts = {c.platform: c.total for c in cat.count_platform()}
                assert sum(counts.values()) == cat.info.titles
                assert cat.max_duration().duration == 200
            except BaseException as e:  # pragma: no cover - reported below
                errors.append(e)
                return

    reader = threading.Thread(target=ask)
    reader.start()
    try:
        for k in range(6):
            write_processed(tmp_path, ROWS if k % 2 else ROWS[:-1])
            holder.reload()
    finally:
        stop.set()
        reader.join()
    assert errors == []


# ---------------------------------------------------------------- both front ends, one policy
# The bot's /reload (chat/operations.py Reloader) and the API's POST /admin/reload both go through
# CatalogHolder.reload: real demo data with a real trained model, real parquet files.

TOKEN = {"X-Admin-Token": "s3cret"}
ADMIN = Person(user_id=1, chat_id=1, lang="en", is_admin=True)


def _bot(data: Path, tmp_path: Path) -> Commands:
    holder = CatalogHolder(data)
    return Commands(holder, sqlite_store(tmp_path / "r.sqlite3"), reloader=Reloader(holder))


async def _say(commands: Commands, line: str) -> list[str]:
    return [r.text async for r in commands.on_text(ADMIN, line)]


def _api(data: Path) -> TestClient:
    return TestClient(create_app(ApiSettings(data_dir=data, api_admin_token="s3cret")))


def _a_question(cat: Catalog) -> dict[str, object]:
    """score_count arguments with a non-zero answer, and a title name to search for."""
    for platform in ("netflix", "amazon", "disney", "hulu"):
        for year in cat.years(platform):
            if cat.score_count(platform, 0, year).count:
                return {"platform": platform, "scored": 0, "year": year}
    raise AssertionError("no scored movie in the demo data")


def _release_year_as_text(data: Path) -> None:
    path = data / "processed" / "titles.parquet"
    table = pq.read_table(path)
    i = table.column_names.index("release_year")
    pq.write_table(table.set_column(i, "release_year", pc.cast(table[i], pa.string())), path)


async def test_wrong_column_type_is_refused_by_the_bot_and_old_answers_stay(
    tmp_path: Path,
) -> None:
    data = data_copy(tmp_path / "data")
    commands = _bot(data, tmp_path)
    old = commands.holder.current
    question = _a_question(old)
    name = old.title(old.popular(n=1)[0].id).title
    before = (
        old.score_count(**question),
        old.search(name),
        await _say(commands, f"/search {name}"),
    )
    _release_year_as_text(data)
    _, done = await _say(commands, "/reload")
    assert "The reload failed; still serving the previous data" in done
    assert "titles.parquet column release_year is string, expected int32" in done
    assert commands.holder.current is old
    cat = commands.holder.current
    after = (cat.score_count(**question), cat.search(name), await _say(commands, f"/search {name}"))
    assert after == before and before[0].count > 0


def test_wrong_column_type_is_refused_by_the_api_and_old_answers_stay(tmp_path: Path) -> None:
    data = data_copy(tmp_path / "data")
    with _api(data) as client:
        cat = client.app.state.holder.current
        question = _a_question(cat)
        name = cat.title(cat.popular(n=1)[0].id).title
        before = [client.get("/score_count", params=question).json(),
                  client.get("/search", params={"q": name}).json()]  # fmt: skip
        health = client.get("/health").json()
        _release_year_as_text(data)
        r = client.post("/admin/reload", headers=TOKEN)
        assert r.status_code == 503 and r.json()["error"] == "reload_failed", r.text
        assert "titles.parquet column release_year is string, expected int32" in r.json()["detail"]
        assert "still serving data" in r.json()["detail"]
        after = [client.get("/score_count", params=question).json(),
                 client.get("/search", params={"q": name}).json()]  # fmt: skip
        assert after == before and before[0]["count"] > 0
        assert client.get("/health").json() == health


def _break_model(data: Path) -> None:
    (data / "models" / "svd.pkl").write_bytes(b"\x80\x04 this is not a model")


def _new_data(data: Path) -> None:
    """Another data version (one title's description changed), same contract."""
    path = data / "processed" / "titles.parquet"
    table = pq.read_table(path)
    i = table.column_names.index("description")
    descriptions = table[i].to_pylist()
    descriptions[0] = "changed by the test"
    pq.write_table(table.set_column(i, "description", pa.array(descriptions, pa.string())), path)


async def test_bot_reload_with_a_broken_model_keeps_old_catalogue_and_model(
    tmp_path: Path,
) -> None:
    data = data_copy(tmp_path / "data")
    commands = _bot(data, tmp_path)
    old = commands.holder.current
    assert old.recommender is not None
    [before] = await _say(commands, "/recommend 1 " + old.popular(n=1)[0].id)
    _new_data(data)
    _break_model(data)
    _, done = await _say(commands, "/reload")
    assert "The reload failed; still serving the previous data" in done
    assert "the new model did not load" in done
    assert commands.holder.current is old
    assert await _say(commands, "/recommend 1 " + old.popular(n=1)[0].id) == [before]


def test_api_reload_with_a_broken_model_keeps_old_catalogue_and_model(tmp_path: Path) -> None:
    data = data_copy(tmp_path / "data")
    with _api(data) as client:
        health = client.get("/health").json()
        assert health["status"] == "ok"
        title = client.app.state.holder.current.popular(n=1)[0].id
        before = client.get("/recommend", params={"user_id": 1, "title": title}).json()
        _new_data(data)
        _break_model(data)
        r = client.post("/admin/reload", headers=TOKEN)
        assert r.status_code == 503 and r.json()["error"] == "reload_failed", r.text
        assert "the new model did not load" in r.json()["detail"]
        assert client.get("/health").json() == health  # same data, same model, 'ok'
        r = client.get("/recommend", params={"user_id": 1, "title": title})
        assert r.status_code == 200 and r.json() == before


async def test_without_a_model_before_new_data_goes_in_and_both_say_so(tmp_path: Path) -> None:
    data = data_copy(tmp_path / "data")
    _break_model(data)
    commands = _bot(data, tmp_path)
    with _api(data) as client:
        assert client.get("/health").json()["status"] == "degraded"
        old = commands.holder.current
        _new_data(data)
        _, done = await _say(commands, "/reload")
        assert "Reload done" in done and "No recommendation model" in done
        assert commands.holder.current is not old
        assert commands.holder.current.info.version != old.info.version
        r = client.post("/admin/reload", headers=TOKEN)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["status"] == "degraded" and body["model_error"]
        assert body["data_version"] != body["previous_version"]
        assert client.get("/health").json()["data_version"] == body["data_version"]


async def test_bot_reload_goes_through_the_holder_lock(tmp_path: Path) -> None:
    """The bot used to assign holder.current itself; now a reload in progress elsewhere (the
    holder's lock held) makes it wait, and it swaps in only after."""
    data = data_copy(tmp_path / "data")
    commands = _bot(data, tmp_path)
    old = commands.holder.current
    _new_data(data)
    with commands.holder._reloading:
        task = asyncio.create_task(_say(commands, "/reload"))
        await asyncio.sleep(0.5)
        assert not task.done() and commands.holder.current is old
    _, done = await task
    assert "Reload done" in done and commands.holder.current is not old
