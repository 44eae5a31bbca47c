"""`python -m refresh serve` and a running `python -m api` as real processes: new files settle
in the inbox, serve publishes a release, the API serves it without a restart, and follows a
rollback too (issue 15)."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.refresh_helpers import ROOT, env, make_inbox, move_title, refresh, state

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _health(url: str) -> dict:
    return httpx.get(f"{url}/health", timeout=5).json()


def _wait(check: Callable[[], bool], what: str, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def _data_version(data: Path, version: str) -> str:
    verify = data / "releases" / version / "reports" / "verify.json"
    return json.loads(verify.read_text())["data_version"]


def test_serve_publishes_settled_files_and_the_api_follows(tmp_path: Path) -> None:
    data = tmp_path / "data"
    make_inbox(data / "inbox", seed=11)
    assert refresh(data, "run").returncode == 0
    first = state(data)[0]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    api = subprocess.Popen(
        ["timeout", "600", sys.executable, "-m", "api"],
        cwd=ROOT,
        env=env(DATA_DIR=str(data), API_HOST="127.0.0.1", API_PORT=str(port), LOG_LEVEL="WARNING"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    serve_log = (tmp_path / "serve.log").open("wb")
    serve = subprocess.Popen(
        [sys.executable, "-m", "refresh", "--data-dir", str(data), "serve",
         "--poll", "0.3", "--settle", "1", "--budget", "2"],
        cwd=ROOT, env=env(), stdout=serve_log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        _wait(lambda: _up(url), "the API")
        assert _health(url)["data_version"] == _data_version(data, first)
        move_title(data / "inbox", "hulu", "disney")
        _wait(lambda: state(data)[0] != first, "serve to publish a release")
        second = state(data)[0]
        _wait(
            lambda: _health(url)["data_version"] == _data_version(data, second),
            "the API to serve the new release",
            timeout=60,
        )
        assert refresh(data, "rollback", first).returncode == 0
        _wait(
            lambda: _health(url)["data_version"] == _data_version(data, first),
            "the API to follow the rollback",
            timeout=60,
        )
        assert api.poll() is None and serve.poll() is None
        health = refresh(data, "health")
        assert health.returncode == 0 and f"current release {first}" in health.stdout
    finally:
        serve.send_signal(signal.SIGTERM)
        api.terminate()
        for p in (serve, api):
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        serve_log.close()
    log = (tmp_path / "serve.log").read_text()
    assert "new files settled in the inbox" in log and "finished with status 0" in log
    assert serve.returncode == 0, log


def _up(url: str) -> bool:
    try:
        _health(url)
    except httpx.TransportError:
        return False
    return True
