"""`python -m bench alerts`: watchlist alert delivery (issue 15).

- Delivery rate under Telegram's caps (30 messages/s overall, 1/s per chat): the outbox in each
  store drained by `alerts.sender.AlertSender` through python-telegram-bot's real `Bot`
  (real HTTPXRequest) against the fake Bot API server (tests/fakes/telegram_server.py, in this
  process, on 127.0.0.1), once with answers at once and once with 50 ms added to every
  sendMessage (about Telegram's round trip). The server's own clock counts the most messages
  it received in any 1 s and the shortest gap between two messages to one chat.
- The outbox without the cap (a local send callable that does nothing): what claiming and
  marking cost, i.e. the headroom above 30/s.
- Queueing: `enqueue_alerts_async` of 20,000 alerts (the idempotent INSERT), per store.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import tempfile
import time
from pathlib import Path
from typing import Any

from telegram import Bot
from telegram.request import HTTPXRequest

from alerts.sender import AlertSender, RateLimiter
from bench.report import Row, write_results
from bot.alerting import telegram_send
from people import Alert, PeopleStore, open_store
from tests.fakes.telegram_server import FakeTelegramServer
from tests.pg_cluster import PgCluster, why_unavailable

TOKEN = "123456:BENCH-token"
CAP = 30


def queue(people: int, per_person: int, release: str = "r1") -> list[Alert]:
    """Each person's alerts 1 s apart, as alerts_for_release queues them."""
    return [
        Alert(10_000 + p, f"t{i}", release, ("netflix",), due_at=1.0 + i)
        for p in range(people)
        for i in range(per_person)
    ]


def max_in_window(times: list[float], window: float = 1.0) -> int:
    times, best, lo = sorted(times), 0, 0
    for hi, t in enumerate(times):
        while t - times[lo] >= window:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


async def deliver_via_fake_telegram(url: str, alerts: list[Alert], rtt: float) -> dict[str, Any]:
    store = open_store(url, "unused")
    try:
        await store.enqueue_alerts_async(alerts)
        async with FakeTelegramServer(TOKEN) as server:
            server.method_delay["sendMessage"] = rtt
            request = HTTPXRequest(connection_pool_size=16)
            async with Bot(TOKEN, base_url=server.base_url, request=request) as bot:

                async def send(chat_id: int, text: str) -> None:
                    await bot.send_message(chat_id, text)

                sender = AlertSender(
                    store, telegram_send(send), lambda a: f"{a.title_id} arrived", owner="b"
                )
                t0 = time.perf_counter()
                stats = await sender.drain()
                wall = time.perf_counter() - t0
            calls = server.calls_of("sendMessage")
        by_chat: dict[int, list[float]] = {}
        for c in calls:
            by_chat.setdefault(int(c.params["chat_id"]), []).append(c.at)
        gaps = [b - a for ts in by_chat.values() for a, b in itertools.pairwise(ts)]
        arrived = [c.at for c in calls]
        span = max(arrived) - min(arrived) if arrived else 0.0
        return {
            "sent": stats.sent,
            "received": len(calls),
            "wall": wall,
            # per second as Telegram would count: exactly 30 every second scores 30
            "rate": len(calls) / (span + 1.0),
            "max_window": max_in_window([c.at for c in calls]),
            "min_chat_gap": min(gaps) if gaps else None,
        }
    finally:
        await store.aclose()


async def uncapped(url: str, alerts: list[Alert]) -> float:
    """Alerts/s the outbox itself sustains: claim, a send that does nothing, mark."""
    store = open_store(url, "unused")
    try:
        await store.enqueue_alerts_async(alerts)

        async def send(chat_id: int, payload: Any) -> None:
            return None

        limiter = RateLimiter(overall=10**9, chat_interval=0.0)
        sender = AlertSender(store, send, str, limiter=limiter, batch=100, max_in_flight=16)
        t0 = time.perf_counter()
        stats = await sender.drain()
        return stats.sent / (time.perf_counter() - t0)
    finally:
        await store.aclose()


async def enqueue_rate(url: str, n: int) -> float:
    store: PeopleStore = open_store(url, "unused")
    try:
        alerts = queue(n // 4, 4, release="q")
        t0 = time.perf_counter()
        assert await store.enqueue_alerts_async(alerts) == len(alerts)
        return len(alerts) / (time.perf_counter() - t0)
    finally:
        await store.aclose()


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench alerts")
    parser.add_argument("--people", type=int, default=300, help="people, 2 alerts each")
    parser.add_argument("--uncapped", type=int, default=5000, help="alerts for the no-cap run")
    args = parser.parse_args(argv)
    pg: PgCluster | None = None
    reason = why_unavailable()
    if reason:
        print(f"bench alerts: PostgreSQL skipped, {reason}")
    else:
        pg = PgCluster().start()
    rows: list[Row] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            counter = iter(range(100))

            def url(kind: str) -> str:
                if kind == "postgresql" and pg is not None:
                    return pg.create_database()
                return f"sqlite:///{Path(tmp) / f'a{next(counter)}.sqlite3'}"

            kinds = ["sqlite"] + (["postgresql"] if pg is not None else [])
            for kind in kinds:
                for rtt in (0.0, 0.05):
                    alerts = queue(args.people, 2)
                    r = asyncio.run(deliver_via_fake_telegram(url(kind), alerts, rtt))
                    rows.append(
                        Row(
                            f"alert delivery, {kind} outbox, fake Bot API "
                            f"+{rtt * 1000:.0f} ms per sendMessage ({r['sent']} alerts, "
                            f"{args.people} chats)",
                            f"≤ {CAP}/s, ≥ 27/s",
                            f"{r['rate']:.1f} msg/s (all in {r['wall']:.1f} s); most in any 1 s "
                            f"(server clock): {r['max_window']}; shortest gap in one chat: "
                            f"{r['min_chat_gap']:.3f} s",
                            r["rate"] >= 27
                            and r["max_window"] <= CAP
                            and r["min_chat_gap"] >= 0.99
                            and r["received"] == r["sent"] == len(alerts),
                        )
                    )
                    print(rows[-1])
                if kind == "sqlite":  # a few people with many alerts: 1/s per chat binds
                    alerts = queue(10, 15)
                    r = asyncio.run(deliver_via_fake_telegram(url(kind), alerts, 0.0))
                    rows.append(
                        Row(
                            f"alert delivery, {kind}, 10 chats x 15 alerts, fake Bot API",
                            "1 per chat per s",
                            f"{r['rate']:.1f} msg/s; shortest gap in one chat (server clock): "
                            f"{r['min_chat_gap']:.3f} s",
                            r["min_chat_gap"] >= 0.99 and r["received"] == len(alerts),
                        )
                    )
                    print(rows[-1])
                rate = asyncio.run(uncapped(url(kind), queue(args.uncapped // 5, 5)))
                rows.append(
                    Row(
                        f"outbox alone, {kind}: claim + mark, send does nothing, no cap "
                        f"({args.uncapped} alerts)",
                        "",
                        f"{rate:,.0f} alerts/s",
                    )
                )
                print(rows[-1])
                rate = asyncio.run(enqueue_rate(url(kind), 20_000))
                rows.append(Row(f"enqueue 20,000 alerts, {kind}", "", f"{rate:,.0f} alerts/s"))
                print(rows[-1])
    finally:
        if pg is not None:
            pg.destroy()
    notes = (
        "Alert delivery: `alerts.sender.AlertSender` draining the store's outbox through "
        "python-telegram-bot's `Bot.send_message` to the fake Bot API server on 127.0.0.1 "
        "(tests/fakes/telegram_server.py, in the benchmark's process). The server's clock "
        "measures the busiest second and each chat's gaps; the rate is messages received / "
        "(first to last + 1 s), so exactly 30 every second scores 30. Each person's alerts "
        "are due 1 s apart, as `alerts_for_release` queues them. The limiter counts its window "
        "from Telegram's answers, not from the sends' starts (counted from the starts, an "
        "earlier run of this benchmark saw 36-38 messages arrive within one second): so with "
        "50 ms per call each second loses about one round trip, 28/s instead of 30, the price "
        "of never passing 30 at Telegram's end. The no-cap rows show the outbox itself is far "
        "from the limit. docs/alerts.md."
    )
    write_results("alerts", rows, notes)
