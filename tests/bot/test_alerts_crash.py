"""The outbox's delivery choice under a real crash (issue 15): a sender process SIGKILLed between
Telegram's answer and the mark. The design is at-least-once, so after a restart that alert is
sent again -- exactly the one in flight -- and no alert is ever lost. On SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from people import Alert, open_store

ROOT = Path(__file__).resolve().parents[2]
ALERTS = 12
KILL_AT = 5  # the 5th send reaches "Telegram", then the process dies before marking it

# One sender process: `send` appends the alert to a log file (fsync: what Telegram received),
# and with KILL set, SIGKILLs itself right after the KILL-th send -- before mark_sent.
CHILD = """
import asyncio, os, signal, sys
from alerts.sender import AlertSender, RateLimiter
from people import open_store

url, log, kill = sys.argv[1], sys.argv[2], int(sys.argv[3])

async def main():
    store = open_store(url, "unused")
    sent = 0

    async def send(chat_id, payload):
        nonlocal sent
        with open(log, "a") as f:
            f.write(payload + "\\n")
            f.flush()
            os.fsync(f.fileno())
        sent += 1
        if sent == kill:
            os.kill(os.getpid(), signal.SIGKILL)

    sender = AlertSender(store, send, lambda a: a.key, lease_s=2.0, batch=1, max_in_flight=1,
                         limiter=RateLimiter(overall=1000, chat_interval=0.0))
    # until nothing is pending: a dead sender's leased alert comes back when its lease expires
    while (await store.outbox_counts_async()).get("pending"):
        await sender.drain()
        await asyncio.sleep(0.1)
    await store.aclose()

asyncio.run(main())
"""


def sender(url: str, log: Path, kill: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CHILD, url, str(log), str(kill)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_sigkill_between_send_and_mark_resends_that_alert_and_loses_none(
    url: str, tmp_path: Path
) -> None:
    store = open_store(url, "unused")
    queue = [Alert(100 + i, f"t{i}", "r1", (), due_at=float(i + 1)) for i in range(ALERTS)]
    assert await store.enqueue_alerts_async(queue) == ALERTS
    await store.aclose()
    log = tmp_path / "telegram.log"

    killed = sender(url, log, KILL_AT)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    received = log.read_text().split()
    assert received == [a.key for a in queue[:KILL_AT]]  # sent in order, then the crash

    store = open_store(url, "unused")
    counts = await store.outbox_counts_async()
    assert counts == {"sent": KILL_AT - 1, "pending": ALERTS - KILL_AT + 1}  # 5th sent, unmarked
    await store.aclose()

    restarted = sender(url, log, 0)
    assert restarted.returncode == 0, restarted.stderr
    times = Counter(log.read_text().split())
    assert set(times) == {a.key for a in queue}  # none lost
    assert {k for k, n in times.items() if n > 1} == {queue[KILL_AT - 1].key}  # one duplicate
    assert times[queue[KILL_AT - 1].key] == 2
    store = open_store(url, "unused")
    try:
        assert await store.outbox_counts_async() == {"sent": ALERTS}
    finally:
        await store.aclose()
