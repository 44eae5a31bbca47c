"""The PostgreSQL store under faults, on a real server (tests/pg_cluster.py): the server
restarted while people rate, every pooled connection taken, and what the bot answers then."""

from __future__ import annotations

import asyncio
import logging
import time

import psycopg
import pytest

from catalog.holder import CatalogHolder
from chat.commands import Commands
from chat.i18n import t
from chat.replies import Person
from people import Store, StoreBusy, StoreFailure
from people.databases import PostgresDatabase
from tests.fakes.botdata import demo_data
from tests.pg_cluster import PgCluster

EN = Person(user_id=31, chat_id=31, lang="en")


@pytest.fixture
def cluster(pg: PgCluster) -> PgCluster:
    """This module's own cluster (conftest's `pg` is module-scoped)."""
    return pg


async def wait_until(condition: object, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


def stored(url: str) -> dict[tuple[int, str], float]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT telegram_id, title_id, rating FROM ratings").fetchall()
    return {(p, title): rating for p, title, rating in rows}


@pytest.mark.parametrize("mode", ["fast", "immediate"])
async def test_server_restart_while_people_rate_loses_no_acknowledged_rating(
    cluster: PgCluster, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    """20 people rate without pause; the server restarts under them (`immediate`: killed
    without a checkpoint, as in a crash, and replays its WAL). Every rating acknowledged
    before, during or after is stored with its stars; the same store object goes on rating
    after the restart (no bot restart), and no call gave up."""
    url = cluster.create_database()
    store = Store(url, pool_max=8, pool_timeout=5.0, retry_for=60.0)
    acked: dict[tuple[int, str], float] = {}
    failures: list[Exception] = []
    stop = asyncio.Event()

    async def person(p: int) -> None:
        i = 0
        while not stop.is_set():
            title, stars = f"t{i}", 1 + (i * 7 + p) % 5
            try:
                await store.add_async(p, title, stars)
                acked[(p, title)] = stars
            except StoreFailure as e:
                failures.append(e)
            i += 1

    caplog.set_level(logging.WARNING, logger="people.databases")
    people = [asyncio.create_task(person(p)) for p in range(1, 21)]
    try:
        await wait_until(lambda: len(acked) >= 200)
        await asyncio.to_thread(cluster.restart, mode)
        after_restart = len(acked)
        await wait_until(lambda: len(acked) >= after_restart + 200)
    finally:
        stop.set()
        await asyncio.gather(*people)
    status = await store.status_async()
    await store.aclose()

    assert failures == []
    retried = [r for r in caplog.records if "retrying" in r.getMessage()]
    assert retried, "the restart never reached a call: the test did not test it"
    rows = stored(url)
    lost = {k: v for k, v in acked.items() if rows.get(k) != v}
    assert lost == {}
    assert set(rows) == set(acked)  # every call returned, so nothing stored unacknowledged
    assert status.ok and status.ratings == len(acked)


async def test_pool_exhausted_a_call_waits_then_says_busy_and_the_bot_keeps_answering(
    cluster: PgCluster,
) -> None:
    """Another client locks a rating row; two ratings of it take both pooled connections and
    wait on the lock (slow statements hogging the pool). A third call waits the pool timeout,
    then fails with a message saying so; the bot answers "unavailable" for the store and keeps
    answering the rest; once the lock goes, the two waiting ratings are committed."""
    url = cluster.create_database()
    store = Store(url, pool_max=2, pool_timeout=0.5)
    commands = Commands(CatalogHolder(demo_data()), store)
    try:
        assert await store.add_async(EN.user_id, "ns1", 1) == 1
        with psycopg.connect(url) as locker:
            locker.execute("SELECT * FROM ratings WHERE title_id = 'ns1' FOR UPDATE")
            slow = [asyncio.create_task(store.add_async(EN.user_id, "ns1", s)) for s in (2, 3)]
            db = store.db
            assert isinstance(db, PostgresDatabase)
            await wait_until(lambda: db.in_use == 2, timeout=60)
            started = time.monotonic()
            with pytest.raises(StoreBusy, match=r"all 2 PostgreSQL connections stayed busy"):
                await store.add_async(EN.user_id, "ns2", 4)
            assert time.monotonic() - started >= 0.5  # it waited for a free one first
            status = await store.status_async()
            assert not status.ok and "busy for 0.5 s" in status.check
            [rate] = [r async for r in commands.on_text(EN, "/rate")]
            assert rate.text == t("en", "store_unavailable")
            [count] = [r async for r in commands.on_text(EN, "/platformcount netflix")]
            assert "Netflix" in count.text  # what needs no store keeps working
            assert not any(task.done() for task in slow)
            locker.rollback()
        assert await asyncio.gather(*slow) == [1, 1]
        assert stored(url)[(EN.user_id, "ns1")] in (2.0, 3.0)
        assert await store.add_async(EN.user_id, "ns2", 4) == 2  # free again: it works
    finally:
        await store.aclose()


async def test_a_call_waits_for_a_connection_freed_within_the_timeout(cluster: PgCluster) -> None:
    url = cluster.create_database()
    store = Store(url, pool_max=1, pool_timeout=30.0)
    try:
        assert isinstance(store.db, PostgresDatabase)
        held = await store.db.engine().connect()  # the pool's only connection
        waiting = asyncio.create_task(store.add_async(7, "ns1", 3))
        await asyncio.sleep(0.3)
        assert not waiting.done() and store.pending_writes == 1
        await held.close()  # back to the pool
        assert await waiting == 1 and store.pending_writes == 0
    finally:
        await store.aclose()


async def test_a_server_down_past_the_retry_budget_is_a_clear_failure(
    cluster: PgCluster,
) -> None:
    url = cluster.create_database()
    store = Store(url, pool_max=2, pool_timeout=0.5, retry_for=1.0, connect_timeout=2)
    try:
        assert await store.add_async(8, "ns1", 3) == 1
        await asyncio.to_thread(cluster.stop, "fast")
        try:
            with pytest.raises(StoreFailure, match="PostgreSQL unavailable"):
                await store.add_async(8, "ns2", 3)
            status = await store.status_async()
            assert not status.ok and status.check.startswith("PostgreSQL")
        finally:
            await asyncio.to_thread(cluster._pg_ctl, "start")
        # back without reopening the store: its pool reconnects. This store gives up after 1 s
        # (retry_for) and on a busy machine the first reconnects can take longer, so the person
        # asks again, as they would (an acknowledged rating is never lost meanwhile).
        deadline = time.monotonic() + 60
        while True:
            try:
                count = await store.add_async(8, "ns2", 3)
                break
            except StoreFailure:
                assert time.monotonic() < deadline, "the store never came back"
                await asyncio.sleep(0.2)
        assert count == 2
    finally:
        await store.aclose()


async def test_two_replicas_rating_one_person_while_connections_are_killed(
    cluster: PgCluster, caplog: pytest.LogCaptureFixture
) -> None:
    """Two stores (two replicas) rate the same person's overlapping titles at once while
    another client kills their server connections again and again, mid-statement or just
    after a commit whose answer is then lost. The calls are retried: every acknowledged
    rating is stored once, none twice, and the person has one number."""
    url = cluster.create_database()
    a = Store(url, pool_max=4, retry_for=120.0)
    b = Store(url, pool_max=4, retry_for=120.0)
    person, acked = 555, {}
    stop = asyncio.Event()

    async def killer() -> int:
        killed = 0
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
            # 15 rounds 0.1 s apart, then the raters finish in peace: killing forever could
            # outpace a busy machine making new connections, and no call could ever finish.
            for _ in range(15):
                if stop.is_set():
                    break
                cur = await conn.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = 'streamrec' AND pid <> pg_backend_pid()"
                )
                killed += (await cur.fetchone())[0]
                await asyncio.sleep(0.1)
        return killed

    def stars(replica: str, i: int) -> float:
        return 1 + i % 5 if replica == "a" else 0.5 + i % 5

    async def rate(store: Store, replica: str, titles: range) -> None:
        for i in titles:
            await store.add_async(person, f"t{i}", stars(replica, i))
            acked[(f"t{i}", replica)] = stars(replica, i)

    caplog.set_level(logging.WARNING, logger="people.databases")
    kill = asyncio.create_task(killer())
    try:
        await asyncio.gather(
            *(rate(a, "a", range(k, 150, 3)) for k in range(3)),
            *(rate(b, "b", range(75 + k, 225, 3)) for k in range(3)),
        )
    finally:
        stop.set()
        killed = await kill
        await a.aclose()
        await b.aclose()
    assert killed > 0 and any("retrying" in r.getMessage() for r in caplog.records)
    rows = stored(url)
    assert set(rows) == {(person, f"t{i}") for i in range(225)}  # none lost
    assert len(acked) == 300  # every call was acknowledged
    for i in range(225):
        both = {stars("a", i), stars("b", i)} if 75 <= i < 150 else None
        only = stars("a", i) if i < 75 else stars("b", i)
        assert rows[(person, f"t{i}")] in (both or {only})
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM people").fetchone() == (1,)
