"""Reloads announced to every replica over PostgreSQL LISTEN/NOTIFY (bot/store/announce.py), on
a real server (tests/pg_cluster.py)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from people import Store
from people.announce import ReloadListener, announce, replicas
from tests.pg_cluster import PgCluster


@pytest.fixture
def cluster(pg: PgCluster) -> PgCluster:
    """This module's own cluster (conftest's `pg` is module-scoped)."""
    return pg


@pytest.fixture
def url(cluster: PgCluster) -> str:
    url = cluster.create_database()
    Store(url)  # the migrations: serving and replicas tables
    return url


class Replica:
    """A listener whose 'load' records the versions it was asked for."""

    def __init__(self, url: str, name: str, fail_on: str | None = None) -> None:
        self.loaded: list[str] = []
        self.fail_on = fail_on
        self.listener = ReloadListener(url, name, self.load, reconnect_delay=0.2)
        self.task: asyncio.Task[None] | None = None

    async def load(self, version: str) -> None:
        await asyncio.sleep(0.05)  # a load takes a while; notifications may come meanwhile
        if version == self.fail_on:
            raise ValueError(f"model for {version} is missing")
        self.loaded.append(version)


@contextlib.asynccontextmanager
async def running(*replicas_: Replica) -> AsyncIterator[None]:
    for r in replicas_:
        r.task = asyncio.create_task(r.listener.listen())
    try:
        for r in replicas_:
            await asyncio.wait_for(r.listener.listening.wait(), 60)
        yield
    finally:
        for r in replicas_:
            assert r.task is not None
            r.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await r.task


async def eventually(condition: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def test_an_announcement_reaches_every_replica_and_is_recorded(url: str) -> None:
    a, b = Replica(url, "a"), Replica(url, "b")
    async with running(a, b):
        await announce(url, "v2")
        await eventually(lambda: a.loaded == ["v2"] and b.loaded == ["v2"])
        # three announcements in a row: each replica ends on the last, loading none twice
        for v in ("v3", "v4", "v5"):
            await announce(url, v)
        await eventually(lambda: a.loaded[-1:] == ["v5"] and b.loaded[-1:] == ["v5"])
        assert len(set(a.loaded)) == len(a.loaded) and len(set(b.loaded)) == len(b.loaded)
    states = await replicas(url)
    assert [(s.replica, s.version, s.error) for s in states] == [
        ("a", "v5", None),
        ("b", "v5", None),
    ]


async def test_a_replica_that_was_away_catches_up_and_a_failed_load_is_recorded(
    url: str,
) -> None:
    await announce(url, "v7")  # nobody listening yet: a replica starting later
    late = Replica(url, "late", fail_on="v8")
    async with running(late):
        await eventually(lambda: late.loaded == ["v7"])
        await announce(url, "v8")
        deadline = time.monotonic() + 60
        while not (states := await replicas(url)) or states[0].version != "v8":
            assert time.monotonic() < deadline, states
            await asyncio.sleep(0.05)
    [state] = states
    assert state.replica == "late" and "model for v8 is missing" in (state.error or "")
    assert late.loaded == ["v7"]  # it kept serving v7


async def test_a_listener_reconnects_after_a_server_restart(
    url: str, cluster: PgCluster, caplog: pytest.LogCaptureFixture
) -> None:
    r = Replica(url, "r")
    async with running(r):
        await announce(url, "v1")
        await eventually(lambda: r.loaded == ["v1"])
        await asyncio.to_thread(cluster.restart, "fast")  # the LISTEN connection is cut
        await announce(url, "v2")
        await eventually(lambda: r.loaded == ["v1", "v2"])
    assert any("reconnecting" in rec.getMessage() for rec in caplog.records)


# ----- the bot's side: two replicas (holder + Reloader + ReplicaSync each, own connections) ----

V1, V2 = "20260101T000000Z-aaa", "20260102T000000Z-bbb"


def _releases(data: Path) -> None:
    """Two releases of the small hand-made catalogue (v2 has one title more), current -> v1."""
    from refresh import releases as rel
    from tests.catalog_helpers import ROWS, write_processed

    for version, rows in ((V1, ROWS[:-1]), (V2, ROWS)):
        folder = data / "releases" / version
        write_processed(folder, rows)
        rel.write_json(
            folder / rel.MANIFEST,
            {"version": version, "built_at": "2026-01-01T00:00:00+00:00", "inputs": {"files": []}},
        )
    rel.point(data / "releases", V1)


class BotReplica:
    def __init__(self, url: str, data: Path, name: str, follow: float | None = None) -> None:
        from catalog.holder import CatalogHolder
        from chat.operations import Reloader
        from people.replication import ReplicaSync

        self.holder = CatalogHolder(data, follow_seconds=follow)
        # build= as bot/app.py passes it (DATA_DIR/processed): the sync puts the holder's own
        # source back, so /reload reads the current release as the listeners do
        self.reloader = Reloader(self.holder, build=lambda: 1 / 0)  # type: ignore[arg-type,return-value]
        self.sync = ReplicaSync(url, self.holder, self.reloader, name, 0.2, refresh_every=0.5)

    @property
    def version(self) -> str | None:
        release = self.holder.release
        return release.version if release else None


@contextlib.asynccontextmanager
async def bot_replicas(*reps: BotReplica) -> AsyncIterator[None]:
    for r in reps:
        await r.sync.start()
    try:
        yield
    finally:
        for r in reps:
            await r.sync.stop()


async def test_a_reload_on_one_replica_is_served_by_the_other(url: str, tmp_path: Path) -> None:
    from chat.operations import ReplicaStats, status_text
    from people import StoreStatus

    _releases(tmp_path)
    a, b = BotReplica(url, tmp_path, "a"), BotReplica(url, tmp_path, "b")
    titles = a.holder.current.info.titles
    async with bot_replicas(a, b):
        assert (a.version, b.version) == (V1, V1)
        from refresh import releases as rel

        rel.point(tmp_path / "releases", V2)  # neither follows the pointer by itself here
        answer = await a.reloader.reload("en")
        assert a.version == V2
        # the admin's answer waited for b and lists it
        assert "Announced to the other replicas" in answer
        assert f"Replica b: {V2}" in answer and "did not load" not in answer
        assert b.version == V2 and b.holder.current.info.titles == titles + 1
        # /status on b: its own version and a's
        await eventually(
            lambda: {s.replica: s.version for s in b.sync.states} == {"a": V2, "b": V2}
        )
        text = status_text(
            "en", b.holder.current, ReplicaStats(sync=b.sync), StoreStatus(True, 0, 0, "ok"),
            b.holder.release,
        )  # fmt: skip
        assert f"Replica b (this one): {V2}" in text and f"Replica a: {V2}" in text
        es = status_text(
            "es", b.holder.current, ReplicaStats(sync=b.sync), StoreStatus(True, 0, 0, "ok")
        )
        assert f"Réplica a: {V2}" in es
        await a.sync.stop()  # a clean stop takes a's row out of b's view
        await eventually(lambda: [s.replica for s in b.sync.states] == ["b"])


async def test_a_release_one_replica_follows_is_announced_to_the_other(
    url: str, tmp_path: Path
) -> None:
    from refresh import releases as rel

    _releases(tmp_path)
    a = BotReplica(url, tmp_path, "a", follow=0.01)  # follows releases/current
    b = BotReplica(url, tmp_path, "b")  # does not: only the announcement moves it
    async with bot_replicas(a, b):
        rel.point(tmp_path / "releases", V2)

        def a_followed() -> bool:
            a.holder.current  # taking it checks the pointer (a thread reloads)  # noqa: B018
            return a.version == V2

        await eventually(a_followed)
        await eventually(lambda: b.version == V2)
        states = await replicas(url)
        assert {(s.replica, s.version, s.error, s.live) for s in states} == {
            ("a", V2, None, True),
            ("b", V2, None, True),
        }


async def test_a_replica_on_other_files_says_so_and_a_crashed_one_shows_gone(
    url: str, tmp_path: Path
) -> None:
    from refresh import releases as rel

    _releases(tmp_path / "shared")
    _releases(tmp_path / "own")  # b does not see the shared volume
    a, b = BotReplica(url, tmp_path / "shared", "a"), BotReplica(url, tmp_path / "own", "b")
    async with bot_replicas(a, b):
        rel.point(tmp_path / "shared" / "releases", V2)
        answer = await a.reloader.reload("en")
        # b's row names what it serves (v1) and why not v2
        assert f"Replica b: {V1}" in answer and "are the data files shared?" in answer
        assert b.version == V1  # its own pointer still says v1: it reloaded v1, kept serving
        # b dies without a word (its task and connection go; its row stays)
        assert b.sync._task is not None
        b.sync._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await b.sync._task
        await eventually(lambda: any(s.replica == "b" and not s.live for s in a.sync.states))


async def test_wiring_the_bot_closes_the_store_and_with_sqlite_adds_nothing(
    url: str, tmp_path: Path
) -> None:
    from chat.commands import Commands
    from chat.operations import Reloader
    from chat.stats import Stats
    from people import sqlite_store
    from people.replication import wire

    _releases(tmp_path)

    class App:  # the two hooks and bot_data of telegram.ext.Application that wire() uses
        def __init__(self, store: object) -> None:
            from catalog.holder import CatalogHolder

            self.holder = CatalogHolder(tmp_path, follow_seconds=None)
            commands = Commands(self.holder, store, Stats(), Reloader(self.holder))  # type: ignore[arg-type]
            self.bot_data = {"commands": commands}
            self.post_init = None
            self.post_shutdown = None

    lite = sqlite_store(tmp_path / "ratings.sqlite3")
    app = App(lite)
    assert wire(app, app.holder, lite, app.bot_data["commands"].reloader) is None
    assert app.bot_data["commands"].reloader.sync is None
    await app.post_init(app)  # type: ignore[misc]
    assert await lite.add_async(1, "ns1", 4.0) == 1  # its worker threads run
    await app.post_shutdown(app)  # type: ignore[misc]
    assert lite.db._writer is None and lite.db._connections == []  # type: ignore[union-attr]

    pg = Store(url)
    app = App(pg)
    sync = wire(app, app.holder, pg, app.bot_data["commands"].reloader)
    assert sync is not None and app.bot_data["commands"].reloader.sync is sync
    await app.post_init(app)  # type: ignore[misc]
    assert [(s.replica, s.version) for s in await replicas(url)] == [(sync.name, V1)]
    await pg.add_async(1, "ns1", 4.0)  # the pool is open
    await asyncio.wait_for(app.post_shutdown(app), 30)  # type: ignore[misc]
    assert await replicas(url) == [] and pg.db._engine is None  # type: ignore[union-attr]


def test_a_version_is_the_release_else_the_data_and_model_fingerprints(tmp_path: Path) -> None:
    from catalog.holder import CatalogHolder
    from people.replication import serving_version
    from tests.catalog_helpers import write_processed

    write_processed(tmp_path / "plain")
    plain = CatalogHolder(tmp_path / "plain", follow_seconds=None)
    info = plain.current.info
    assert serving_version(plain) == f"data {info.version} model -"  # no model here
    _releases(tmp_path / "released")
    assert serving_version(CatalogHolder(tmp_path / "released", follow_seconds=None)) == V1
