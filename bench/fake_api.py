"""The fake Bot API (`python -m tests.fakes.telegram_server`) in a child process, for the bot
benchmarks: its port, and its test endpoints (/_test/load, /_test/fault) posted to."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


class FakeServerProcess:
    """The fake Bot API in a child process; it exits by itself after `lifetime` seconds or when
    we close its stdin."""

    def __init__(self, token: str, lifetime: float = 900) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.fakes.telegram_server", "--token", token,
             "--lifetime", str(lifetime)],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.proc.stdout is not None
        self.port = json.loads(self.proc.stdout.readline())["port"]
        self.url = f"http://127.0.0.1:{self.port}"

    def post(self, path: str, body: dict[str, Any], timeout: float = 600) -> dict[str, Any]:
        """POST `body` as JSON to a test endpoint; its JSON object answer."""
        req = urllib.request.Request(
            self.url + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # 127.0.0.1 only
            answer: dict[str, Any] = json.loads(resp.read())
            return answer

    async def apost(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return await asyncio.to_thread(self.post, path, body)

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
