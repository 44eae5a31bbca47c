"""The image built by a real Docker engine and its containers run (issue 23 item 10).

`make docker` installs Debian's engine, starts it and builds a stand-in for the Dockerfile's
base image from Debian's packages (docker/base-image.sh; no image registry is reachable here).
The image is built once per test session (`--build-arg BASE_IMAGE=` the stand-in where it
exists; Docker's layer cache makes a rebuild of unchanged files take seconds). Every container
runs with `--network host`: it reaches the fake Bot API on 127.0.0.1 and serves on 127.0.0.1,
nothing else. Checked, each in the container:
- the API answers /health; the image's HEALTHCHECK turns healthy; the server is not root; a
  `docker stop` (SIGTERM) ends it with exit code 0;
- the bot answers through the fake Bot API (TELEGRAM_BASE_URL), turns healthy, is not root;
  `docker stop` with a backlog at Telegram answers every update it had confirmed and exits 0;
  a rating given survives recreating the container on the same volume;
- without a token the bot container stops with one line naming the setting, exit code 2.
Slow-marked: a build from nothing takes minutes (docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator

import pytest

from tests.fakes.botdata import ROOT
from tests.fakes.harness import button_data
from tests.fakes.processes import say
from tests.fakes.telegram_server import FakeTelegramServer
from tests.pg_cluster import free_port

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

STAND_IN = "streamrec-base:bookworm"  # docker/base-image.sh, by `make docker`
TAG = "streamrec:pytest"
TOKEN = "555222:DOCKER-test-token"
HEALTH = ["--health-interval", "2s"]  # the image's own check, asked every 2 s
BACKLOG = 150


def docker(*args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)
    if check:
        assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])
    return done


def engine_unavailable() -> str | None:
    if shutil.which("docker") is None:
        return "no docker client (`make docker` installs Debian's docker.io)"
    info = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=60)
    if info.returncode != 0:
        last = (info.stderr.strip().splitlines() or ["?"])[-1]
        return f"no Docker engine answers (`make docker` starts one): {last}"
    return None


def official_base() -> str:
    [default] = re.findall(r"^ARG BASE_IMAGE=(\S+)$", (ROOT / "Dockerfile").read_text(), re.M)
    return default


def has_image(name: str) -> bool:
    return docker("image", "inspect", name, check=False).returncode == 0


@pytest.fixture(scope="module")
def image() -> str:
    reason = engine_unavailable()
    if reason:
        pytest.skip(reason)
    # never a pull from a registry: the stand-in, else the official base already here
    if has_image(STAND_IN):
        base = ["--build-arg", f"BASE_IMAGE={STAND_IN}"]
    elif has_image(official_base()):
        base = []
    else:
        pytest.skip(f"no base image: `make docker` builds {STAND_IN} (or pull {official_base()})")
    done = subprocess.run(
        ["docker", "build", "--network", "host", *base, "-t", TAG, str(ROOT)],
        env={**os.environ, "DOCKER_BUILDKIT": "0"}, capture_output=True, text=True, timeout=1500,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return TAG


@pytest.fixture
def names() -> Iterator[list[str]]:
    """Containers and volumes a test creates, removed afterwards whatever happened."""
    created: list[str] = []
    yield created
    for name in reversed(created):  # containers before the volume they use
        docker("rm", "-f", "-v", name, check=False)
        docker("volume", "rm", "-f", name, check=False)


def new_name(names: list[str], what: str) -> str:
    name = f"streamrec-pytest-{what}-{uuid.uuid4().hex[:8]}"
    names.append(name)
    return name


def state(name: str) -> dict:
    return json.loads(docker("inspect", "--format", "{{json .State}}", name).stdout)


async def wait_state(name: str, test, timeout: float) -> dict:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        now = await asyncio.to_thread(state, name)
        if test(now):
            return now
        assert time.monotonic() < deadline, (now, docker("logs", name).stderr[-3000:])
        await asyncio.sleep(0.5)


def process_uids(name: str) -> list[int]:
    """Real, effective, saved and file-system uid of the container's main process (PID 1)."""
    status = docker("exec", name, "cat", "/proc/1/status").stdout
    [uids] = re.findall(r"^Uid:\s+(.*)$", status, re.M)
    return [int(u) for u in uids.split()]


async def test_api_container_answers_health_turns_healthy_as_non_root_and_stops_cleanly(
    image: str, names: list[str]
) -> None:
    port = free_port()
    name = new_name(names, "api")
    docker("run", "-d", "--name", name, "--network", "host", *HEALTH,
           "-e", "API_HOST=127.0.0.1", "-e", f"API_PORT={port}", image, "api")  # fmt: skip
    url = f"http://127.0.0.1:{port}/health"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                body = json.load(r)
            break
        except OSError:
            assert time.monotonic() < deadline, docker("logs", name).stderr[-3000:]
            await asyncio.sleep(0.5)
    assert body["status"] == "ok" and body["titles"] > 0 and body["model_error"] is None
    now = await wait_state(name, lambda s: s["Health"]["Status"] != "starting", 60)
    assert now["Health"]["Status"] == "healthy", now["Health"]["Log"][-1:]
    assert min(process_uids(name)) > 0
    assert "api" in docker("exec", name, "cat", "/proc/1/cmdline").stdout
    await asyncio.to_thread(docker, "stop", "--time", "30", name, timeout=60)
    after = state(name)
    assert after["ExitCode"] == 0 and not after["OOMKilled"], docker("logs", name).stderr[-2000:]


async def test_bot_container_answers_drains_on_sigterm_and_keeps_the_volume(
    image: str, names: list[str]
) -> None:
    volume = new_name(names, "data")
    first, second = new_name(names, "bot"), new_name(names, "bot")
    async with FakeTelegramServer(TOKEN) as server:
        run = ["run", "-d", "--network", "host", *HEALTH, "-v", f"{volume}:/data",
               "-e", f"TELEGRAM_BOT_TOKEN={TOKEN}", "-e", f"TELEGRAM_BASE_URL={server.base_url}",
               "-e", "BOT_CONCURRENCY=8"]  # fmt: skip
        await asyncio.to_thread(docker, *run, "--name", first, image, "bot")
        await server.wait_for(lambda: len(server.commands) == 3, timeout=120)
        [hello] = await say(server, 1, "/start", "en")
        assert hello.text.startswith("Hi")
        [prompt] = await say(server, 3, "/rate", "es")
        server.press(3, prompt.message_id, button_data(prompt, "5★"), "es")
        [saved] = (await server.wait_outgoing(3, 2, timeout=30))[1:]
        assert "Guardado" in saved.text
        now = await wait_state(first, lambda s: s["Health"]["Status"] != "starting", 90)
        assert now["Health"]["Status"] == "healthy", now["Health"]["Log"][-1:]
        assert min(process_uids(first)) > 0

        # SIGTERM (docker stop) in the middle of a backlog: what was fetched is answered
        server.method_delay["sendMessage"] = 0.2
        chats = {server.send_text(40_000 + k, "/start", "en"): 40_000 + k for k in range(BACKLOG)}

        def answered() -> set[int]:
            return {c.params["chat_id"] for c in server.calls if c.ok and c.method == "sendMessage"}

        await server.wait_for(lambda: len(answered() & set(chats.values())) >= 10, timeout=120)
        await asyncio.to_thread(docker, "stop", "--time", "30", first, timeout=60)
        stopped = state(first)
        logs = docker("logs", first)
        assert stopped["ExitCode"] == 0, logs.stderr[-3000:]
        confirmed = {u for u in chats if u < server.confirmed_offset}
        assert confirmed and all(chats[u] in answered() for u in confirmed)
        assert len(answered() & set(chats.values())) < BACKLOG  # the rest waits at Telegram
        assert TOKEN.split(":")[1] not in logs.stdout + logs.stderr
        server.method_delay.clear()

        # a new container on the same volume: the rating is still there
        docker("rm", first)
        polls = len(server.poll_limits)  # every getUpdates (the record leaves them out)
        await asyncio.to_thread(docker, *run, "--name", second, image, "bot")
        await server.wait_for(lambda: len(server.poll_limits) > polls, timeout=120)
        [mine] = await say(server, 3, "/foryou", "es")
        assert "según tu 1 puntuación" in mine.text
        await asyncio.to_thread(docker, "stop", "--time", "30", second, timeout=60)
        assert state(second)["ExitCode"] == 0


@pytest.mark.parametrize("token", [None, ""])
def test_bot_container_without_token_stops_with_one_line(
    image: str, names: list[str], token: str | None
) -> None:
    name = new_name(names, "notoken")
    env = [] if token is None else ["-e", f"TELEGRAM_BOT_TOKEN={token}"]
    done = docker("run", "--name", name, "--network", "none", *env, image, "bot", check=False)
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = (done.stdout + done.stderr).splitlines()
    assert len(lines) == 1 and "TELEGRAM_BOT_TOKEN is not set" in lines[0], lines
    assert state(name)["ExitCode"] == 2  # what compose's `restart:` sees: a failure
