"""The container's exact entrypoint, run outside a container, and the deployment files read.

Docker cannot run here, so the image is exercised the way it starts: `docker/entrypoint.sh`
with the runtime stage's ENV from the Dockerfile (DATA_DIR, MPLBACKEND, ...) and, as the only
changes, DATA_DIR pointing at an empty temporary folder (a fresh volume), PYTHON at this venv's
interpreter, API_HOST/API_PORT on a free loopback port, and small DEMO_TITLES/DEMO_RATINGS.
On a fresh volume the entrypoint must generate demo data, run the ETL, train, and start:
- `api`: /health answers 200 with a model loaded; the image's HEALTHCHECK command passes while
  it runs and fails once it is gone;
- `bot` with a token and TELEGRAM_BASE_URL: the real polling bot answers /start through the fake
  Bot API; `bot` without a token: the console chat over piped stdin;
- `prepare` twice: the second run builds nothing.
The Dockerfile and docker-compose.yml are then read for what the issue asks of them (multi-stage
slim Python 3.11, non-root user, HEALTHCHECK, bot and API sharing one data volume).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from tests.fakes.botdata import ROOT
from tests.fakes.telegram_server import FakeTelegramServer

pytestmark = pytest.mark.timeout(300)

ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "docker-compose.yml"
TOKEN = "555111:DEPLOY-test-token"
LIFETIME = "180"  # every process started here is under `timeout`


def runtime_stage(text: str) -> list[tuple[str, str]]:
    """(instruction, arguments) of the Dockerfile's last stage, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", text)
    lines = [ln.strip() for ln in joined.splitlines() if ln.strip() and not ln.startswith("#")]
    stages: list[list[tuple[str, str]]] = []
    for line in lines:
        word, _, rest = line.partition(" ")
        if word.upper() == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((word.upper(), rest.strip()))
    return stages[-1]


def dockerfile_env() -> dict[str, str]:
    """The ENV of the runtime stage (KEY=VALUE pairs)."""
    env: dict[str, str] = {}
    for word, rest in runtime_stage(DOCKERFILE.read_text()):
        if word == "ENV":
            for pair in shlex.split(rest):
                key, _, value = pair.partition("=")
                env[key] = value
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def entrypoint_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    image = dockerfile_env()
    image.pop("PATH", None)  # /venv/bin: here the venv's interpreter comes through PYTHON
    env.update(image)
    env.update(
        DATA_DIR=str(data_dir),
        PYTHON=sys.executable,
        DEMO_TITLES="300",
        DEMO_RATINGS="5000",
        API_HOST="127.0.0.1",
        API_PORT=str(free_port()),
        LOG_LEVEL="INFO",
    )
    env.update(extra)
    return env


def start(args: list[str], env: dict[str, str], cwd: Path, **kw: object) -> subprocess.Popen:
    # cwd is a scratch folder, like the image's WORKDIR: nothing may depend on the repo's cwd
    return subprocess.Popen(["timeout", LIFETIME, str(ENTRYPOINT), *args], env=env, cwd=cwd, **kw)  # type: ignore[call-overload]


def stop(proc: subprocess.Popen) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # `timeout` forwards it; the entrypoint exec'd python
        try:
            return proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
    return proc.wait(10)


def get_json(url: str) -> tuple[int, dict]:
    with urllib.request.urlopen(url, timeout=4) as r:  # loopback only
        return r.status, json.loads(r.read())


def healthcheck_command() -> str:
    [(_, rest)] = [(w, r) for w, r in runtime_stage(DOCKERFILE.read_text()) if w == "HEALTHCHECK"]
    return rest.split(" CMD ", 1)[1]


def test_entrypoint_is_executable_and_posix_sh() -> None:
    assert os.access(ENTRYPOINT, os.X_OK)
    mode = subprocess.run(
        ["git", "ls-files", "-s", str(ENTRYPOINT.relative_to(ROOT))],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()[0]  # fmt: skip
    assert mode == "100755", "the image COPYs it as is: it must be executable in git"
    assert ENTRYPOINT.read_text().startswith("#!/bin/sh")
    subprocess.run(["sh", "-n", str(ENTRYPOINT)], check=True)


def test_entrypoint_api_on_a_fresh_volume_builds_trains_and_serves(tmp_path: Path) -> None:
    data_dir = tmp_path / "volume"  # does not even exist yet
    env = entrypoint_env(data_dir)
    log = tmp_path / "api.log"
    t0 = time.monotonic()
    with log.open("wb") as sink:
        proc = start(["api"], env, tmp_path, stdout=sink, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{env['API_PORT']}/health"
        deadline = time.monotonic() + 150
        health = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                status, health = get_json(url)
                break
            except OSError:
                time.sleep(0.5)
        assert health is not None, log.read_text(errors="replace")[-3000:]
        up_s = time.monotonic() - t0
        assert status == 200 and health["status"] == "ok", health
        for part in ("raw/titles", "processed/titles.parquet", "models/svd.pkl"):
            assert (data_dir / part).exists(), part
        # the image's HEALTHCHECK, run as Docker would (sh -c), passes while the API is up
        check = healthcheck_command()
        hc_env = {**env, "PATH": f"{Path(sys.executable).parent}:{env['PATH']}"}
        ok = subprocess.run(["sh", "-c", check], env=hc_env, cwd=tmp_path, timeout=60)
        assert ok.returncode == 0
    finally:
        code = stop(proc)
    assert code in (0, 124, 143, -signal.SIGTERM), code
    # ... and fails once it is gone
    down = subprocess.run(["sh", "-c", check], env=hc_env, cwd=tmp_path, timeout=60)
    assert down.returncode != 0
    text = log.read_text(errors="replace")
    assert "no data in" in text and "generating demo data" in text
    print(f"entrypoint api: fresh volume to /health in {up_s:.1f} s")


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A volume prepared by the Dockerfile's own build step: `entrypoint prepare`."""
    data_dir = tmp_path_factory.mktemp("prepared") / "data"
    env = entrypoint_env(data_dir)
    done = subprocess.run(
        ["timeout", LIFETIME, str(ENTRYPOINT), "prepare"],
        env=env, cwd=data_dir.parent, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return data_dir


def test_prepare_twice_builds_nothing_the_second_time(prepared: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in prepared.rglob("*") if p.is_file()}
    again = subprocess.run(
        ["timeout", LIFETIME, str(ENTRYPOINT), "prepare"],
        env=entrypoint_env(prepared), cwd=prepared.parent, capture_output=True, text=True,
    )  # fmt: skip
    assert again.returncode == 0 and again.stdout == "" and "demo" not in again.stderr
    after = {p: p.stat().st_mtime_ns for p in prepared.rglob("*") if p.is_file()}
    assert after == before


def test_entrypoint_bot_without_token_is_the_console(prepared: Path) -> None:
    env = entrypoint_env(prepared, LANG="C")
    done = subprocess.run(
        ["timeout", LIFETIME, str(ENTRYPOINT), "bot"],
        input="/start\n/platformcount netflix\n/quit\n",
        env=env, cwd=prepared.parent, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "¡Hola" in done.stdout and "Netflix:" in done.stdout


async def test_entrypoint_bot_with_token_polls_the_bot_api(tmp_path: Path) -> None:
    """A fresh volume again, this time through `bot`: build, train, then long polling."""
    data_dir = tmp_path / "volume"
    async with FakeTelegramServer(TOKEN) as server:
        env = entrypoint_env(data_dir, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=server.base_url)
        log = tmp_path / "bot.log"
        with log.open("wb") as sink:
            proc = await asyncio.create_subprocess_exec(
                "timeout", LIFETIME, str(ENTRYPOINT), "bot",
                env=env, cwd=tmp_path, stdin=asyncio.subprocess.DEVNULL,
                stdout=sink, stderr=sink,
            )  # fmt: skip
        try:
            await server.wait_for(lambda: len(server.commands) == 3, timeout=150)
            server.send_text(1, "/start", "en")
            [hello] = await server.wait_outgoing(1, 1, timeout=30)
            assert hello.text.startswith("Hi")
            assert (data_dir / "models" / "svd.pkl").exists()
        finally:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(proc.wait(), 30)
                except TimeoutError:
                    proc.kill()
                    await proc.wait()
    assert TOKEN.split(":")[1] not in log.read_text(errors="replace")


# ----- the files Docker would read ------------------------------------------------------------


def test_dockerfile_multi_stage_slim_non_root_healthcheck() -> None:
    text = DOCKERFILE.read_text()
    froms = re.findall(r"^FROM\s+(\S+)", text, re.M)
    assert len(froms) >= 2 and all(f.startswith("python:3.11-slim") for f in froms), froms
    stage = runtime_stage(text)
    words = [w for w, _ in stage]
    users = [r for w, r in stage if w == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0"), users
    assert "HEALTHCHECK" in words and "--interval" in dict(stage)["HEALTHCHECK"]
    # the entrypoint is the script this test runs, copied from the repo
    copies = [r for w, r in stage if w == "COPY"]
    assert any(r.startswith("docker/entrypoint.sh ") for r in copies), copies
    target = next(r.split()[-1] for r in copies if r.startswith("docker/entrypoint.sh "))
    entry = json.loads(dict(stage)["ENTRYPOINT"])
    assert entry[0] in (target, Path(target).name), (entry, target)
    assert json.loads(dict(stage)["CMD"]) == ["bot"]
    # data and model are built at image build time (the prepare step this test runs)
    assert any(w == "RUN" and "prepare" in r for w, r in stage)
    assert "VOLUME" in words and dockerfile_env().get("DATA_DIR") == "/data"
    # no compilers in the runtime stage; the build stage has them for scikit-surprise
    assert not any(w == "RUN" and re.search(r"\b(gcc|g\+\+)\b", r) for w, r in stage)
    assert (ROOT / ".dockerignore").exists()
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".env" in ignored and ".git" in ignored  # secrets and history stay out of the image


def test_compose_bot_and_api_share_one_volume() -> None:
    compose = yaml.safe_load(COMPOSE.read_text())
    services = compose["services"]
    assert {"bot", "api"} <= services.keys()
    mounts = {}
    for name in ("bot", "api"):
        service = services[name]
        [volume] = [v for v in service["volumes"] if v.split(":")[1] == "/data"]
        mounts[name] = volume.split(":")[0]
        assert service.get("environment", {}).get("DATA_DIR", "/data") == "/data"
        assert "healthcheck" in service and service.get("restart")
        assert service.get("env_file") in (".env", [".env"])
    assert mounts["bot"] == mounts["api"] and mounts["bot"] in compose.get("volumes", {})
    assert services["bot"].get("command") == ["bot"] and services["api"].get("command") == ["api"]
    example = (ROOT / ".env.example").read_text()
    for key in ("TELEGRAM_BOT_TOKEN", "ADMIN_IDS"):
        assert re.search(rf"^#?\s*{key}=", example, re.M), key
