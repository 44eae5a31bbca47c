"""Telegram's side of `bench replicas`: webhook POSTs to the proxy, replies counted at the fake
Bot API (tests/fakes/telegram_server.py) running in the same process, CPU accounting."""

from __future__ import annotations

import asyncio
import itertools
import statistics
import subprocess
import time
from collections import Counter
from typing import Any

import psutil

SECRET = "bench-replicas-secret"
PATH = "telegram/hook"
KINDS = ("sendMessage", "sendPhoto", "editMessageText")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_ready(port: int, proc: subprocess.Popen[Any], timeout: float = 120) -> None:
    """Until the replica's webhook server answers (403 without the secret)."""
    import aiohttp

    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"replica on {port} exited with {proc.returncode}")
            try:
                async with http.post(f"http://127.0.0.1:{port}/{PATH}", json={}) as resp:
                    if resp.status in (200, 403):
                        return
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"replica on {port} not ready")
            await asyncio.sleep(0.3)


def _update(update_id: int, chat: int, text: str) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": {"id": chat, "type": "private", "first_name": "B"},
        "from": {"id": chat, "is_bot": False, "first_name": "B", "language_code": "en"},
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": message}


class Sender:
    """Telegram's side: the fake Bot API and the webhook POSTs, in this process."""

    def __init__(self, server: Any, connections: int) -> None:
        self.server = server
        self.connections = connections
        self.ids = itertools.count(1)
        self.counts: Counter[int] = Counter()
        server.on_call = self._count

    def _count(self, call: Any) -> None:
        if call.ok and call.method in KINDS:
            self.counts[call.params.get("chat_id")] += 1

    async def run(self, proxy: int, chats: dict[int, list[str]]) -> dict[str, Any]:
        import aiohttp

        url = f"http://127.0.0.1:{proxy}/{PATH}"
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        # one connection per session: the proxy balances connections, so these spread evenly
        sessions = [
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1))
            for _ in range(self.connections)
        ]
        latencies: list[float] = []
        failed = 0
        loop = asyncio.get_running_loop()

        async def person(k: int, chat: int, texts: list[str]) -> None:
            nonlocal failed
            http = sessions[k % len(sessions)]
            for text in texts:
                fut: asyncio.Future[float] = loop.create_future()
                self.server._waiters.setdefault(chat, []).append(fut)
                t0 = time.monotonic()
                async with http.post(url, json=_update(next(self.ids), chat, text),
                                     headers=headers) as resp:  # fmt: skip
                    if resp.status != 200:
                        failed += 1
                try:
                    latencies.append(await asyncio.wait_for(fut, 10.0) - t0)
                except TimeoutError:
                    failed += 1

        start = time.monotonic()
        try:
            await asyncio.gather(*(person(k, c, t) for k, (c, t) in enumerate(chats.items())))
        finally:
            elapsed = time.monotonic() - start
            for s in sessions:
                await s.close()
        await asyncio.sleep(1.0)  # late second messages land before counting
        self.server.calls.clear()
        self.server.messages.clear()
        latencies.sort()
        return {
            "updates": sum(len(t) for t in chats.values()),
            "answered": len(latencies),
            "failed": failed,
            "updates_per_s": len(latencies) / elapsed,
            "p50_ms": latencies[len(latencies) // 2] * 1000 if latencies else float("nan"),
            "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000 if latencies else float("nan"),
        }


def cpu_seconds(procs: list[psutil.Process]) -> float:
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def postgres_processes(pg: Any) -> list[psutil.Process]:
    pid = int((pg.data / "postmaster.pid").read_text().split()[0])
    main = psutil.Process(pid)
    return [main, *main.children(recursive=True)]


def fmt(s: dict[str, Any]) -> str:
    return f"{s['updates_per_s']:.0f} upd/s, p50 {s['p50_ms']:.1f} ms, p99 {s['p99_ms']:.1f} ms" + (
        f", {s['failed']} failed" if s["failed"] else ""
    )


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out = dict(runs[0])
    for key in ("updates_per_s", "p50_ms", "p99_ms", "failed"):
        out[key] = statistics.median(r[key] for r in runs)
    out["cpu_s"] = {g: statistics.median(r["cpu_s"][g] for r in runs) for g in runs[0]["cpu_s"]}
    out["answered"] = sum(r["answered"] for r in runs)
    out["updates"] = sum(r["updates"] for r in runs)
    return out


def ceiling(one: dict[str, Any], two: dict[str, Any], n: int) -> str:
    """What the measured CPU per update allows on 2 cores nobody else uses: one replica is one
    Python process (at most one core); two replicas and everything else share both cores. With
    Telegram's side elsewhere (as in production) the second figure drops its CPU."""
    ms1 = {g: v * 1000 / n for g, v in one["cpu_s"].items()}
    ms2 = {g: v * 1000 / n for g, v in two["cpu_s"].items()}
    cap1 = min(1000 / ms1["replicas"], 2000 / sum(ms1.values()))
    cap2 = 2000 / sum(ms2.values())
    far = 2000 / (sum(ms2.values()) - ms2["telegram"])
    cap1_far = 1000 / ms1["replicas"]
    return (
        f"{cap2 / cap1:.2f}x with Telegram's side on the same cores ({cap1:.0f} -> {cap2:.0f} "
        f"upd/s); {far / cap1_far:.2f}x with it elsewhere ({cap1_far:.0f} -> {far:.0f})"
    )
