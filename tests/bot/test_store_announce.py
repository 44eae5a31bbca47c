"""Reloads announced to every replica over PostgreSQL LISTEN/NOTIFY (bot/store/announce.py), on
a real server (tests/pg_cluster.py)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator

import pytest

from bot.store.announce import ReloadListener, announce, replicas
from bot.store.postgres import PostgresStore
from tests.pg_cluster import PgCluster, why_unavailable


@pytest.fixture(scope="module")
def cluster() -> Iterator[PgCluster]:
    reason = why_unavailable()
    if reason:
        pytest.skip(reason)
    pg = PgCluster().start()
    yield pg
    pg.destroy()


@pytest.fixture
def url(cluster: PgCluster) -> str:
    url = cluster.create_database()
    PostgresStore(url)  # the migrations: serving and replicas tables
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
