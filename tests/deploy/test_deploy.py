"""The container's exact entrypoint, run outside a container, and the deployment files read.
(The image itself is built and run in tests/deploy/test_docker_image.py, where a Docker engine
runs.) Here, quickly and without Docker, the image is exercised the way it starts:
`docker/entrypoint.sh` with the runtime stage's ENV from the Dockerfile (DATA_DIR, MPLBACKEND,
...) and, as the only changes, DATA_DIR pointing at an empty temporary folder (a fresh volume),
PYTHON at this venv's interpreter, API_HOST/API_PORT on a free loopback port, and small
DEMO_TITLES/DEMO_RATINGS.
On a fresh volume the entrypoint must generate demo data, run the ETL, train, and start:
- `api`: /health answers 200 with a model loaded; the image's HEALTHCHECK command passes while
  it runs and fails once it is gone, even with a fresh bot heartbeat on the same volume;
- `healthcheck`: checks only the service the container runs (argument, STREAMREC_SERVICE, or
  what the entrypoint recorded), never the other one;
- `bot` with a token and TELEGRAM_BASE_URL: the real polling bot answers /start through the fake
  Bot API; `bot` without a token: one line naming the setting, exit 2 (no terminal in a
  container); `console`: the console chat over piped stdin;
- `prepare` twice: the second run builds nothing.
The Dockerfile and docker-compose.yml are then read for what the issue asks of them (multi-stage
slim Python 3.11 pinned to an exact release, non-root user, HEALTHCHECK, bot and API sharing one
data volume, the API bound to loopback), and constraints.txt is checked to be what this venv
runs and what the Dockerfile and the Makefile install with.
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
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "WEBHOOK_", "STREAMREC_"))
    }
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
        STREAMREC_RUN_DIR=str(data_dir.parent / "run"),  # the container's /tmp
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


def healthcheck_command() -> list[str]:
    """The image's HEALTHCHECK, exec form (Docker runs it without a shell)."""
    [(_, rest)] = [(w, r) for w, r in runtime_stage(DOCKERFILE.read_text()) if w == "HEALTHCHECK"]
    return json.loads(rest.split(" CMD ", 1)[1])


def image_path(tmp_path: Path, env: dict[str, str]) -> dict[str, str]:
    """PATH as in the image: `streamrec-entrypoint` (the COPY target) and this venv's python."""
    bin_dir = tmp_path / "image-bin"
    bin_dir.mkdir(exist_ok=True)
    link = bin_dir / "streamrec-entrypoint"
    if not link.exists():
        link.symlink_to(ENTRYPOINT)
    return {**env, "PATH": f"{bin_dir}:{Path(sys.executable).parent}:{env['PATH']}"}


def run_check(cmd: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=60)


def fresh_bot_heartbeat(data_dir: Path) -> None:
    """What a running bot leaves on the shared volume (bot/health.py)."""
    from bot.health import Heartbeat, heartbeat_path

    Heartbeat(heartbeat_path(data_dir / "state")).beat(force=True)


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
        # the image's HEALTHCHECK, run as Docker would, passes while the API is up; the
        # entrypoint recorded which service this "container" runs
        check = healthcheck_command()
        hc_env = image_path(tmp_path, env)
        ok = run_check(check, hc_env, tmp_path)
        assert ok.returncode == 0, ok.stderr
        assert (Path(env["STREAMREC_RUN_DIR"]) / "streamrec-service").read_text() == "api\n"
    finally:
        code = stop(proc)
    assert code in (0, 124, 143, -signal.SIGTERM), code
    # ... and fails once it is gone, although the bot's heartbeat on the volume is fresh
    fresh_bot_heartbeat(data_dir)
    assert run_check([sys.executable, "-m", "bot", "--check"], hc_env, tmp_path).returncode == 0
    down = run_check(check, hc_env, tmp_path)
    assert down.returncode != 0 and "unhealthy" in down.stderr, down
    text = log.read_text(errors="replace")
    assert "no data in" in text and "generating demo data" in text
    print(f"entrypoint api: fresh volume to /health in {up_s:.1f} s")


class FakeApiHealth:
    """Something answering GET /health on a loopback port as the API does (a thread)."""

    def __init__(self, port: int) -> None:
        import http.server
        import threading

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = json.dumps({"status": "ok", "data_version": "abc"}).encode()
                self.send_response(200 if self.path == "/health" else 404)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeApiHealth:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_healthcheck_checks_only_the_service_of_the_container(tmp_path: Path) -> None:
    """Issue 11 item 12: the old image check ran `bot --check || <api check>`, so an API
    container passed on the bot's fresh heartbeat from the shared volume."""
    data_dir = tmp_path / "data"
    env = image_path(tmp_path, entrypoint_env(data_dir))
    check = healthcheck_command()
    assert check == ["streamrec-entrypoint", "healthcheck"]
    fresh_bot_heartbeat(data_dir)
    assert run_check([sys.executable, "-m", "bot", "--check"], env, tmp_path).returncode == 0

    def status(**extra: str) -> tuple[int, str]:
        done = run_check(check, {**env, **extra}, tmp_path)
        return done.returncode, done.stdout + done.stderr

    # an API container whose API is down: unhealthy, whatever the bot's heartbeat says
    code, out = status(STREAMREC_SERVICE="api")
    assert code != 0 and "unhealthy" in out and env["API_PORT"] in out, out
    # the bot container: its heartbeat decides
    assert status(STREAMREC_SERVICE="bot")[0] == 0
    with FakeApiHealth(int(env["API_PORT"])):
        assert status(STREAMREC_SERVICE="api")[0] == 0
        (data_dir / "state" / "heartbeat").unlink()
        # ... an answering API never passes a bot container without its heartbeat
        code, out = status(STREAMREC_SERVICE="bot")
        assert code != 0 and "no heartbeat" in out, out
        # an argument (compose's per-service check) wins over the environment
        assert (
            run_check([*check, "api"], {**env, "STREAMREC_SERVICE": "bot"}, tmp_path).returncode
            == 0
        )
    # no service known: unhealthy, and it says what to set
    code, out = status()
    assert code != 0 and "STREAMREC_SERVICE" in out, out


def test_entrypoint_records_its_service_and_refuses_a_contradicting_setting(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    env = image_path(tmp_path, entrypoint_env(data_dir))
    service_file = Path(env["STREAMREC_RUN_DIR"]) / "streamrec-service"
    done = run_check([str(ENTRYPOINT), "bot"], {**env, "STREAMREC_SERVICE": "api"}, tmp_path)
    assert done.returncode == 2 and "STREAMREC_SERVICE=api but the command is bot" in done.stderr
    assert not service_file.exists() and not data_dir.exists()  # refused before any work
    # what `entrypoint api` records is what the bare image check then checks
    service_file.parent.mkdir(parents=True)
    service_file.write_text("api\n")
    with FakeApiHealth(int(env["API_PORT"])):
        assert run_check(healthcheck_command(), env, tmp_path).returncode == 0
    fresh_bot_heartbeat(data_dir)
    assert run_check(healthcheck_command(), env, tmp_path).returncode != 0


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


def test_entrypoint_console_is_the_console_chat(prepared: Path) -> None:
    env = entrypoint_env(prepared, LANG="C")
    done = subprocess.run(
        ["timeout", LIFETIME, str(ENTRYPOINT), "console"],
        input="/start\n/platformcount netflix\n/quit\n",
        env=env, cwd=prepared.parent, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "¡Hola" in done.stdout and "Netflix:" in done.stdout


@pytest.mark.parametrize("token", [None, ""])
def test_entrypoint_bot_without_token_stops_with_one_line(
    prepared: Path, token: str | None
) -> None:
    """Issue 22 item 14: a container has no terminal, so `bot` without a token is a mistake:
    one line naming the setting and exit 2 (compose's `restart:` would otherwise start a silent
    console chat again and again). Piped input must not turn it into the console chat."""
    env = entrypoint_env(prepared, LANG="C")
    if token is not None:
        env["TELEGRAM_BOT_TOKEN"] = token
    done = subprocess.run(
        ["timeout", LIFETIME, str(ENTRYPOINT), "bot"],
        input="/start\n", env=env, cwd=prepared.parent, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith("cannot start: TELEGRAM_BOT_TOKEN is not set"), line


def test_entrypoint_bot_without_token_says_so_before_building_an_empty_volume(
    tmp_path: Path,
) -> None:
    """On an empty volume (a bind mount) `bot` would generate demo data, run the ETL and train
    for minutes, printing all of it, before the missing token stopped it: the settings are
    checked first (python -m bot --telegram --check-settings), one line, nothing built."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    env = entrypoint_env(data_dir, LANG="C")
    done = subprocess.run(
        ["timeout", LIFETIME, str(ENTRYPOINT), "bot"],
        input="/start\n", env=env, cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith("cannot start: TELEGRAM_BOT_TOKEN is not set"), line
    assert list(data_dir.iterdir()) == []  # no demo data, ETL or model was made


def test_check_settings_loads_nothing_and_says_whether_the_bot_can_start(tmp_path: Path) -> None:
    """--check-settings: exit 2 and the one line without a token, 0 with one, and no data is
    read either way (the data folder does not even exist)."""
    env = entrypoint_env(tmp_path / "nothing-here", LANG="C", PYTHONPATH=str(ROOT))
    args = [sys.executable, "-m", "bot", "--telegram", "--check-settings"]
    refused = subprocess.run(args, env=env, cwd=tmp_path, capture_output=True, text=True,
                             timeout=120)  # fmt: skip
    assert refused.returncode == 2 and "TELEGRAM_BOT_TOKEN is not set" in refused.stderr
    good = subprocess.run(args, env={**env, "TELEGRAM_BOT_TOKEN": "123:abc"}, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert good.returncode == 0 and good.stdout == good.stderr == "", good.stderr


def test_python_m_bot_telegram_without_token_and_plain_bot_is_still_the_console(
    prepared: Path,
) -> None:
    """`python -m bot --telegram` is what refuses; plain `python -m bot` with piped input stays
    the console chat (README, `make run`)."""
    env = entrypoint_env(prepared, LANG="C", PYTHONPATH=str(ROOT))
    refused = subprocess.run(
        [sys.executable, "-m", "bot", "--telegram"], input="/start\n",
        env=env, cwd=prepared.parent, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert refused.returncode == 2 and len(refused.stderr.splitlines()) == 1, refused.stderr
    assert "TELEGRAM_BOT_TOKEN" in refused.stderr
    chat = subprocess.run(
        [sys.executable, "-m", "bot"], input="/start\n/quit\n",
        env=env, cwd=prepared.parent, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert chat.returncode == 0 and "¡Hola" in chat.stdout, chat.stderr


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
    assert len(froms) >= 2 and len(set(froms)) == 1, froms
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


def test_base_image_is_pinned_to_the_python_ci_runs() -> None:
    """An exact release (and optionally a digest), the same in both stages; its Python is the
    one this suite runs on, so the image runs what CI tested. Both stages are FROM the
    BASE_IMAGE argument, whose default is that pin: only `--build-arg BASE_IMAGE=` (the stand-in
    CI builds from Debian's packages, docker/base-image.sh) replaces it."""
    text = DOCKERFILE.read_text()
    froms = re.findall(r"^FROM\s+(\S+)", text, re.M)
    assert froms == ["${BASE_IMAGE}"] * len(froms) and len(froms) >= 2, froms
    # the ARG before the first FROM, the one every FROM line sees
    [default] = re.findall(r"^ARG BASE_IMAGE=(\S+)$", text.split("\nFROM ", 1)[0], re.M)
    pin = re.compile(r"python:(3\.11\.\d+)-slim-bookworm(@sha256:[0-9a-f]{64})?")
    match = pin.fullmatch(default)
    assert match, default
    version = "{}.{}.{}".format(*sys.version_info[:3])
    assert match.group(1) == version, (default, version)


def constraints() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version and ";" not in line and " " not in line.strip(), line
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def test_constraints_pin_what_this_venv_runs_and_every_dependency() -> None:
    """constraints.txt is `pip freeze` of the venv CI tests with: every pinned package is
    installed at exactly that version, and every dependency of pyproject.toml is pinned."""
    import tomllib
    from importlib import metadata

    pins = constraints()
    assert "streamrec" not in pins
    wrong = {}
    for name, version in pins.items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            wrong[name] = (version, installed)
    assert not wrong, f"constraints.txt vs this venv (pinned, installed): {wrong}"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["dev"]
    for requirement in wanted:
        name = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement).group(0)  # type: ignore[union-attr]
        assert re.sub(r"[-_.]+", "-", name).lower() in pins, requirement


def test_dockerfile_makefile_and_ci_install_with_the_constraints() -> None:
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    installs = [ln for ln in text.splitlines() if re.match(r"RUN .*pip install .*\.", ln)]
    assert installs and all("--constraint constraints.txt" in ln for ln in installs), installs
    assert re.search(r"^COPY [^\n]*\bconstraints\.txt\b", text, re.M)
    assert "constraints.txt" not in (ROOT / ".dockerignore").read_text().split()
    # make: the venv recipe installs with the constraints, and a changed constraints.txt
    # re-runs it (-W: as if it were just modified; -n: print, run nothing)
    dry = subprocess.run(
        ["make", "-n", "-W", "constraints.txt", "venv"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    [install] = [ln for ln in dry.splitlines() if "pip install" in ln and "-e" in ln]
    assert "--constraint constraints.txt" in install, dry
    # CI installs through make
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci and "pip install" not in ci


def test_compose_binds_the_api_to_loopback_and_checks_each_service_alone() -> None:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    assert services["api"]["ports"] == ["127.0.0.1:8000:8000"]
    assert "ports" not in services["bot"]
    for name in ("bot", "api"):
        service = services[name]
        assert service["command"] == [name]
        assert service["environment"]["STREAMREC_SERVICE"] == name
        assert service["healthcheck"]["test"] == [
            "CMD", "streamrec-entrypoint", "healthcheck", name,
        ]  # fmt: skip
    deploy = (ROOT / "docs" / "deploy.md").read_text()
    assert "127.0.0.1:8000" in deploy and "reverse proxy" in deploy


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


def test_every_package_is_installed_and_copied_into_the_image() -> None:
    """Each top-level package (a folder with __init__.py, such as the leaf domain/) is in
    pyproject's packages.find include list and has its own COPY line in the build stage:
    a package left out imports in the checkout but not in the installed image."""
    import tomllib

    include = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"
    ]["find"]["include"]
    packages = sorted(
        p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file() and p.name != "tests"
    )
    assert "domain" in packages
    copied = re.findall(r"^COPY (\w+) \1$", DOCKERFILE.read_text(), re.M)
    for name in packages:
        assert f"{name}*" in include, (name, include)
        assert name in copied, (name, copied)
