"""Watchlist alerts (issue 15): what a release queues (real changes.parquet from refresh's diff),
and the sender's limits and errors with a simulated clock; on SQLite and a real PostgreSQL."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from telegram.error import BadRequest, Forbidden, RetryAfter, TimedOut

from alerts.queue import alerts_for_release, arrivals, grouped_arrivals, name_key
from alerts.sender import AlertSender, RateLimiter
from bot.alerting import telegram_send
from people import Alert, PeopleStore, open_store
from refresh.changes import diff
from tests.refresh_helpers import titles_file


@pytest.fixture
async def store(url: str) -> AsyncIterator[PeopleStore]:
    opened = open_store(url, "unused")
    yield opened
    await opened.aclose()


OLD = [
    ("hs1", "hulu", "Amélie", 2001),
    ("ns2", "netflix", "Dark", 2017),
    ("hs3", "hulu", "Lost", 2004),
]
NEW = [
    ("ds7", "disney", "Amelie!", 2001),  # moved hulu -> disney (another id, same name)
    ("ns2", "netflix", "Dark", 2017),
    ("hs9", "hulu", "DARK", 2017),  # also on hulu now
    ("hs3", "hulu", "Lost", 2004),
    ("ns10", "netflix", "Back Again", 2020),  # on no platform before
]


def release(root: Path, version: str = "20261201T000000Z-abcd1234") -> Path:
    """A release folder as refresh publishes it: processed/titles.parquet + changes.parquet."""
    folder = root / "releases" / version
    old = titles_file(root / "old" / "titles.parquet", OLD)
    new = titles_file(folder / "processed" / "titles.parquet", NEW)
    table, _ = diff(new, old)
    pq.write_table(table, folder / "changes.parquet")
    return folder


def test_name_keys_are_the_ones_refresh_wrote(tmp_path: Path) -> None:
    # one fold (domain.text) makes both: the keys changes.parquet holds and the ones the
    # queue computes from the release's titles
    for a in arrivals(release(tmp_path)):
        assert a.name_key == name_key(a.title, a.release_year)
    assert name_key("  Amélie & Co.!", 2001) == name_key("amelie and co", 2001)
    assert name_key("Amélie & Co.", 2001) == "amelie and co|2001"


def test_arrivals_are_the_name_rows_that_made_a_title_available(tmp_path: Path) -> None:
    got = {(a.title_id, a.platform, a.change) for a in arrivals(release(tmp_path))}
    assert got == {
        ("ds7", "disney", "moved"),
        ("hs9", "hulu", "also_on"),
        ("ns10", "netflix", "added"),
    }
    grouped = grouped_arrivals(tmp_path / "releases" / "20261201T000000Z-abcd1234")
    assert sorted(grouped) == ["disney", "hulu", "netflix"]
    assert arrivals(tmp_path) == []  # no changes.parquet (a first release): nothing arrived


async def test_a_release_queues_one_alert_per_person_and_title_that_became_available(
    store: PeopleStore, tmp_path: Path
) -> None:
    folder = release(tmp_path)
    people = {
        1: ({"disney"}, ["hs1"]),  # moved onto their platform: alert, under its new id
        2: ({"hulu"}, ["ns2", "hs3"]),  # Dark arrived on hulu: alert; Lost did not move
        3: ({"netflix", "hulu"}, ["ns2"]),  # had Dark on netflix already: nothing new
        4: (set(), ["ns2", "hs1", "ns10"]),  # anywhere: only the title new everywhere
        5: ({"disney"}, ["hs1", "ds7"]),  # two ids of one title: one alert
        6: ({"disney"}, ["hs1"]),  # blocked the bot
        7: ({"netflix"}, ["hs1"]),  # arrived, but not on their platform
        8: ({"disney", "netflix"}, ["hs1", "ns10"]),  # two alerts, one second apart
        9: ({"disney", "hulu"}, ["hs1"]),  # had Amélie on hulu before it moved: not news
    }
    for person, (platforms, watched) in people.items():
        await store.set_platforms_async(person, platforms)
        for title in watched:
            await store.watch_add_async(person, title)
    await store.mark_blocked_async(6)
    result = await alerts_for_release(folder, store, now=100.0)
    assert (result.release, result.arrivals, result.alerts, result.queued) == (
        "20261201T000000Z-abcd1234",
        3,
        6,
        6,
    )
    queued = await store.claim_alerts_async(100, "t", 60, now=200.0)
    got = {(a.telegram_id, a.title_id, a.watched_id, a.platforms) for a in queued}
    assert got == {
        (1, "ds7", "hs1", ("disney",)),
        (2, "hs9", "ns2", ("hulu",)),
        (4, "ns10", "ns10", ("netflix",)),
        (5, "ds7", "hs1", ("disney",)),
        (8, "ds7", "hs1", ("disney",)),
        (8, "ns10", "ns10", ("netflix",)),
    }
    assert sorted(a.due_at for a in queued if a.telegram_id == 8) == [100.0, 101.0]
    again = await alerts_for_release(folder, store)  # another replica, or a restart
    assert (again.alerts, again.queued) == (6, 0)


# ----- the sender ---------------------------------------------------------------------------


class Clock:
    """Simulated time: sleeping moves it on at once. It lets the tasks already started run
    first (as real time would: a send started now goes out now, not after the sleep)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(0)
        self.t += seconds


def make_sender(store: PeopleStore, send, clock: Clock, **kw) -> AlertSender:
    return AlertSender(
        store,
        telegram_send(send),  # the bot's translation of Telegram's errors, as in production
        lambda a: f"{a.title_id} on {','.join(a.platforms)}",
        owner="test",
        limiter=RateLimiter(clock=clock),
        wall=clock,
        sleep=clock.sleep,
        **kw,
    )


async def test_sends_stay_within_30_per_second_and_1_per_chat(store: PeopleStore) -> None:
    # 40 people with 1 alert, 10 with 8: what a big release does to a few keen watchers
    queue = [Alert(p, f"t{p}", "r1", ("netflix",), due_at=1.0) for p in range(100, 140)]
    queue += [Alert(p, f"t{i}", "r1", (), due_at=1.0 + i) for p in range(10) for i in range(8)]
    await store.enqueue_alerts_async(queue)
    clock, sent = Clock(), []

    async def send(chat_id: int, payload: str) -> None:
        sent.append((clock(), chat_id, payload))

    stats = await make_sender(store, send, clock).drain()
    assert stats.sent == len(sent) == 120 and await store.outbox_counts_async() == {"sent": 120}
    times = [t for t, _, _ in sent]
    per_window = Counter(int(t - 1000.0) for t in times)  # sends per simulated second
    assert max(per_window.values()) == 30  # the cap is used, and never passed
    for i in range(len(times) - 30):  # nor in any sliding 1-s window
        assert times[i + 30] - times[i] >= 1.0
    for chat in range(10):
        mine = [t for t, c, _ in sent if c == chat]
        assert len(mine) == 8 and all(b - a >= 1.0 for a, b in itertools.pairwise(mine))
    assert {c: p for _, c, p in sent}[100] == "t100 on netflix"  # render's payload is sent


async def test_403_marks_the_person_blocked_and_skips_their_alerts(store: PeopleStore) -> None:
    queue = [Alert(p, f"t{i}", "r1", (), due_at=1.0 + i) for p in (1, 2) for i in range(3)]
    await store.enqueue_alerts_async(queue)
    clock, sent = Clock(), []

    async def send(chat_id: int, payload: str) -> None:
        if chat_id == 2:
            raise Forbidden("Forbidden: bot was blocked by the user")
        sent.append(chat_id)

    stats = await make_sender(store, send, clock).drain()
    assert sent == [1, 1, 1] and stats.blocked == 1
    assert await store.outbox_counts_async() == {"sent": 3, "blocked": 3}
    assert (await store.describe_async(2)).blocked
    assert await store.enqueue_alerts_async([Alert(2, "t9", "r2", ())]) == 0


async def test_retry_after_pauses_bad_request_gives_up_others_back_off(
    store: PeopleStore,
) -> None:
    await store.enqueue_alerts_async([Alert(p, "x", "r1", (), due_at=1.0) for p in (1, 2, 3)])
    clock, calls = Clock(), Counter()

    async def send(chat_id: int, payload: str) -> None:
        calls[chat_id] += 1
        if chat_id == 1 and calls[1] == 1:
            raise RetryAfter(7)
        if chat_id == 2:
            raise BadRequest("Bad Request: chat not found")
        if chat_id == 3:
            raise TimedOut()

    sender = make_sender(store, send, clock, backoff_s=30.0)
    stats = await sender.drain()
    assert (stats.sent, stats.retried, stats.gave_up) == (0, 2, 1)
    assert sender.limiter.delay(99) > 6.0  # every chat waits out Telegram's flood wait
    t = clock()

    async def due_at(now: float) -> list[int]:
        return [a.telegram_id for a in await store.claim_alerts_async(9, "peek", 1e6, now=now)]

    assert await due_at(t + 6.9) == []
    assert await due_at(t + 7.0) == [1]  # the 429 one, after Telegram's 7 s
    assert await due_at(t + 29.9) == []
    assert await due_at(t + 30.0) == [3]  # the timed out one, after the 30 s backoff
    assert await due_at(t + 10_000) == []  # chat 2's was given up
    assert (await store.outbox_counts_async()).get("failed") == 1


def test_the_limiter_counts_windows_from_the_answers() -> None:
    clock = Clock(0.0)
    limiter = RateLimiter(overall=3, window=1.0, chat_interval=1.0, clock=clock)
    entries = []
    for chat in (1, 2, 3):
        assert limiter.delay(chat) == 0.0
        entries.append(limiter.start(chat))
    assert limiter.delay(4) == float("inf")  # the oldest send is not answered yet
    assert limiter.delay(1) == float("inf")
    clock.t = 0.2
    for entry in entries:
        limiter.finish(entry)  # answered at 0.2: the window runs from there
    assert limiter.delay(4) == 1.0 and limiter.delay(1) == 1.0
    clock.t = 0.7
    assert limiter.delay(4) == 0.5
    clock.t = 1.2
    assert limiter.delay(4) == 0.0
    limiter.pause(2.0)
    assert limiter.delay(4) == 2.0


async def test_other_errors_back_off_then_give_up(store: PeopleStore) -> None:
    await store.enqueue_alerts_async([Alert(1, "x", "r1", (), due_at=1.0)])
    clock, calls = Clock(), []

    async def send(chat_id: int, payload: str) -> None:
        calls.append(clock())
        raise TimedOut()

    sender = make_sender(store, send, clock, max_attempts=3, backoff_s=10.0)
    for wait in (0.0, 10.0, 20.0):  # 10 s, then 20 s: doubling
        clock.t += wait
        await sender.drain()
    assert len(calls) == 3 and sender.stats.gave_up == 1
    clock.t += 10_000
    await sender.drain()
    assert len(calls) == 3 and await store.outbox_counts_async() == {"failed": 1}


async def test_telegram_errors_through_the_real_bot_client(store: PeopleStore) -> None:
    """The Bot API's 403, 429 and 400 as python-telegram-bot raises them, from the fake
    server on 127.0.0.1 (its faults hit the next sendMessage calls in order)."""
    from telegram import Bot

    from tests.fakes.telegram_server import FakeTelegramServer, Fault

    token = "123456:ALERTS-token"
    await store.enqueue_alerts_async([Alert(c, "x", "r1", (), due_at=1.0) for c in (1, 2, 3, 4)])
    async with FakeTelegramServer(token) as server, Bot(token, base_url=server.base_url) as bot:
        server.faults += [
            Fault("sendMessage", 403, "Forbidden: bot was blocked by the user"),
            Fault("sendMessage", 429, retry_after=1),
            Fault("sendMessage", 400, "Bad Request: chat not found"),
        ]

        async def send(chat_id: int, text: str) -> None:
            await bot.send_message(chat_id, text)

        sender = AlertSender(
            store, telegram_send(send), lambda a: a.key, owner="t", max_in_flight=1
        )
        stats = await sender.drain()
        # chat 1 blocked; chat 2 paused every send for Telegram's 1 s, then was due again and
        # went out within the same drain; chat 3 delivered; chat 4 does not exist: given up
        assert (stats.sent, stats.blocked, stats.retried, stats.gave_up) == (2, 1, 1, 1)
        delivered = [c for c in server.calls_of("sendMessage") if c.ok]
        assert [c.params["chat_id"] for c in delivered] == [3, 2]
    assert await store.outbox_counts_async() == {"sent": 2, "blocked": 1, "failed": 1}
    assert (await store.describe_async(1)).blocked
