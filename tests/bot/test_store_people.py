"""Language, platforms, watchlist, /mydata, /deletemydata and the alert outbox (issue 15), each
test on the SQLite file and on a real PostgreSQL server (tests/pg_cluster.py), as test_store.py."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator

import psycopg
import pytest

from people import Alert, PeopleStore, WatchlistFull, open_store
from people.records import FORGET_KINDS

BIG = 7_000_000_000


@pytest.fixture
async def store(url: str) -> AsyncIterator[PeopleStore]:
    opened = open_store(url, "unused")
    yield opened
    await opened.aclose()


def raw(url: str, query: str) -> list[tuple]:
    if url.startswith("sqlite:///"):
        db = sqlite3.connect(url[len("sqlite:///") :])
        try:
            return db.execute(query).fetchall()
        finally:
            db.close()
    with psycopg.connect(url) as conn:
        return conn.execute(query).fetchall()


def alerts(n: int, release: str = "r1", person: int = BIG, due: float = 1.0) -> list[Alert]:
    return [Alert(person, f"n{i}", release, ("netflix",), due_at=due) for i in range(n)]


async def test_language_and_platforms_are_remembered(url: str, store: PeopleStore) -> None:
    assert await store.language_async(BIG) is None
    await store.set_language_async(BIG, "es")
    await store.set_language_async(BIG, "en")  # a change replaces
    assert await store.platforms_async(BIG) == set()
    await store.set_platforms_async(BIG, {"netflix", "hulu"})
    await store.set_platforms_async(BIG, {"disney", "hulu"})
    with pytest.raises(ValueError, match="unknown platforms"):
        await store.set_platforms_async(BIG, {"hbo"})
    with pytest.raises(ValueError, match="unknown language"):
        await store.set_language_async(BIG, "xx")
    await store.aclose()
    again = open_store(url, "unused")
    try:
        assert await again.language_async(BIG) == "en"
        assert await again.platforms_async(BIG) == {"disney", "hulu"}  # not netflix, not hbo
        await again.set_platforms_async(BIG, set())  # none: alerts for any platform
        assert await again.platforms_async(BIG) == set()
    finally:
        await again.aclose()


async def test_watchlist_add_remove_order_and_cap(store: PeopleStore) -> None:
    assert await store.watch_add_async(BIG, "ns2") is True
    assert await store.watch_add_async(BIG, "hs1") is True
    assert await store.watch_add_async(BIG, "ns2") is False  # already there
    assert await store.watch_add_async(5, "ns2") is True
    assert await store.watchlist_async(BIG) == ["ns2", "hs1"]  # oldest first
    assert await store.watch_remove_async(BIG, "ns2") is True
    assert await store.watch_remove_async(BIG, "ns2") is False
    assert await store.watchlist_async(BIG) == ["hs1"]
    store.watchlist_cap = 3  # type: ignore[attr-defined]
    await store.watch_add_async(BIG, "a1")
    await store.watch_add_async(BIG, "a2")
    with pytest.raises(WatchlistFull) as full:
        await store.watch_add_async(BIG, "a3")
    assert full.value.limit == 3 and not isinstance(full.value, sqlite3.DatabaseError)
    assert await store.watch_add_async(BIG, "a1") is False  # "already there" beats "full"
    assert await store.watchlist_async(BIG) == ["hs1", "a1", "a2"]


async def test_the_cap_holds_when_two_replicas_add_at_once(url: str) -> None:
    a, b = open_store(url, "unused"), open_store(url, "unused")
    try:
        for s in (a, b):
            s.watchlist_cap = 10  # type: ignore[attr-defined]

        async def add(s: PeopleStore, title: str) -> bool | str:
            try:
                return await s.watch_add_async(77, title)
            except WatchlistFull:
                return "full"

        results = await asyncio.gather(*(add(a if i % 2 else b, f"t{i % 15}") for i in range(40)))
        assert results.count(True) == 10
        assert len(await a.watchlist_async(77)) == 10
    finally:
        await a.aclose()
        await b.aclose()


async def test_watchers_with_platforms_leave_out_blocked_people(store: PeopleStore) -> None:
    await store.watch_add_async(1, "ns1")
    await store.watch_add_async(1, "hs2")
    await store.watch_add_async(2, "ns1")
    await store.watch_add_async(3, "ns1")
    await store.watch_add_async(3, "zz")
    await store.set_platforms_async(2, {"hulu"})
    await store.mark_blocked_async(3)
    got = await store.watchers_async(["ns1", "hs2", "nothing"])
    assert [(w.telegram_id, w.title_ids, w.platforms) for w in got] == [
        (1, ("ns1", "hs2"), frozenset()),
        (2, ("ns1",), frozenset({"hulu"})),
    ]
    assert await store.watchers_async([]) == []


async def test_describe_and_forget_remove_every_row(url: str, store: PeopleStore) -> None:
    other = 12
    for person in (BIG, other):
        await store.add_async(person, "ns1", 4)
        await store.skip_async(person, "ns2")
        await store.set_language_async(person, "es")
        await store.set_platforms_async(person, {"netflix"})
        await store.watch_add_async(person, "hs3")
        await store.enqueue_alerts_async(alerts(2, person=person))
    await store.add_async(BIG, "as4", 2.5)
    claimed = await store.claim_alerts_async(10, "w", 60, now=5.0)
    await store.mark_sent_async(next(a for a in claimed if a.telegram_id == BIG).key)
    data = await store.describe_async(BIG)
    assert data.ratings == {"ns1": 4.0, "as4": 2.5} and data.ratings_count == 2
    assert (data.skips, data.language, data.platforms) == (1, "es", frozenset({"netflix"}))
    assert data.watchlist == ("hs3",)
    assert (data.alerts_pending, data.alerts_sent, data.blocked) == (1, 1, False)
    await store.mark_blocked_async(BIG)
    assert (await store.describe_async(BIG)).blocked

    counts = await store.forget_async(BIG)
    assert counts == {
        "ratings": 2,
        "skips": 1,
        "language": 1,
        "platforms": 1,
        "watchlist": 1,
        "alerts": 2,
        "blocked": 1,
        "people": 1,
    }
    assert set(counts) == set(FORGET_KINDS)
    after = await store.describe_async(BIG)
    assert after.empty and after.language is None and after.ratings == {}
    tables = [
        "ratings",
        "skips",
        "person_language",
        "person_platforms",
        "watchlist",
        "alert_outbox",
        "blocked_people",
        "people",
    ]
    for table in tables:  # nothing anywhere carries the Telegram id any more
        assert raw(url, f"SELECT count(*) FROM {table} WHERE telegram_id = {BIG}") == [(0,)]
    # the other person is untouched; the forgotten one's local number is never reused
    assert (await store.describe_async(other)).ratings_count == 1
    assert raw(url, "SELECT telegram_id FROM people ORDER BY local_id") == [(-1,), (other,)]
    await store.add_async(BIG, "ns9", 3)  # coming back: a new number
    assert raw(url, f"SELECT local_id FROM people WHERE telegram_id = {BIG}") == [(3,)]
    assert (await store.forget_async(999)) == dict.fromkeys(FORGET_KINDS, 0)


async def test_enqueue_is_idempotent_on_the_key(store: PeopleStore) -> None:
    assert await store.enqueue_alerts_async(alerts(3)) == 3
    assert await store.enqueue_alerts_async(alerts(5)) == 2  # three were there already
    assert await store.enqueue_alerts_async(alerts(5, release="r2")) == 5  # another release
    assert await store.outbox_counts_async() == {"pending": 10}
    first = alerts(1)[0]
    assert first.key == f"r1:{BIG}:n0" and first.watched_id == "n0"


async def test_claim_leases_marks_and_retries(store: PeopleStore) -> None:
    await store.enqueue_alerts_async(alerts(3, due=10.0))
    assert await store.claim_alerts_async(10, "a", 30, now=9.0) == []  # not due yet
    got = await store.claim_alerts_async(2, "a", 30, now=10.0)
    assert [a.title_id for a in got] == ["n0", "n1"] and all(a.attempts == 1 for a in got)
    assert got[0].platforms == ("netflix",) and got[0].release == "r1"
    [third] = await store.claim_alerts_async(10, "b", 30, now=11.0)  # leased ones skipped
    assert third.title_id == "n2"
    await store.mark_sent_async(got[0].key)
    await store.mark_failed_async(got[1].key, "timed out", retry_at=100.0)
    await store.mark_failed_async(third.key, "bad request", retry_at=None)  # gave up
    assert await store.claim_alerts_async(10, "b", 30, now=99.0) == []
    [again] = await store.claim_alerts_async(10, "b", 30, now=100.0)
    assert (again.key, again.attempts) == (got[1].key, 2)
    # a claimer that died: its lease runs out and the alert is claimed again (at least once)
    assert await store.claim_alerts_async(10, "c", 30, now=129.0) == []
    [reclaimed] = await store.claim_alerts_async(10, "c", 30, now=130.0)
    assert (reclaimed.key, reclaimed.attempts) == (got[1].key, 3)
    await store.mark_sent_async(reclaimed.key)
    await store.mark_sent_async(reclaimed.key)  # twice is once
    assert await store.outbox_counts_async() == {"sent": 2, "failed": 1}


async def test_a_blocked_person_is_skipped_until_unblocked(store: PeopleStore) -> None:
    await store.enqueue_alerts_async(alerts(2) + alerts(1, person=5))
    assert await store.mark_blocked_async(BIG) == 2
    assert await store.enqueue_alerts_async(alerts(1, release="r2")) == 0  # not even stored
    [only] = await store.claim_alerts_async(10, "a", 30, now=5.0)
    assert only.telegram_id == 5
    assert await store.outbox_counts_async() == {"pending": 1, "blocked": 2}
    assert await store.unblock_async(BIG) is True and await store.unblock_async(BIG) is False
    # issue 23.7: the alerts held back at the block go out after all, due now
    assert await store.outbox_counts_async() == {"pending": 3}
    resumed = await store.claim_alerts_async(10, "a", 30)
    assert [a.telegram_id for a in resumed].count(BIG) == 2
    assert await store.enqueue_alerts_async(alerts(1, release="r3")) == 1


async def test_two_replicas_claiming_at_once_never_share_a_row(url: str) -> None:
    a, b = open_store(url, "unused"), open_store(url, "unused")
    try:
        queued = [Alert(p, f"t{i}", "r1", (), due_at=1.0) for p in range(40) for i in range(10)]
        assert await a.enqueue_alerts_async(queued) == 400

        async def claimer(s: PeopleStore, owner: str) -> list[str]:
            keys: list[str] = []
            while batch := await s.claim_alerts_async(7, owner, 300, now=2.0):
                keys += [x.key for x in batch]
            return keys

        runs = await asyncio.gather(
            *(claimer(s, f"{n}{i}") for i in range(3) for n, s in (("a", a), ("b", b)))
        )
        every = [k for keys in runs for k in keys]
        assert len(every) == len(set(every)) == 400  # all claimed, none twice
        assert sum(1 for keys in runs if keys) >= 2  # both replicas took part
    finally:
        await a.aclose()
        await b.aclose()
