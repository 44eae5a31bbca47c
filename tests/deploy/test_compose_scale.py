"""docker-compose.yml's "scale" profile (issue 16): PostgreSQL, its migrations, two webhook bot
replicas and nginx (deploy/nginx.conf), read as files since Docker cannot run here.

What can run does: nginx's own `nginx -t` on the config (when Debian's nginx is installed; the
test skips otherwise), and the migrate service's command against a real PostgreSQL server
(tests/pg_cluster.py) with the environment compose gives it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.fakes.botdata import ROOT

COMPOSE = ROOT / "docker-compose.yml"
NGINX = ROOT / "deploy" / "nginx.conf"
DEPLOY_DOC = ROOT / "docs" / "deploy.md"
SCALE = ("postgres", "migrate", "bot-replica", "proxy")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def started(compose: dict[str, Any], profiles: set[str]) -> set[str]:
    """The services `docker compose up` with no service names starts: those with no `profiles`
    and those with one of the active profiles (the Compose specification, "profiles")."""
    return {
        name
        for name, service in compose["services"].items()
        if not service.get("profiles") or profiles & set(service["profiles"])
    }


def dependencies(service: dict[str, Any]) -> dict[str, dict[str, Any]]:
    depends = service.get("depends_on", {})
    return {name: {} for name in depends} if isinstance(depends, list) else depends


def env_example_profiles() -> set[str]:
    [line] = re.findall(r"^COMPOSE_PROFILES=(.*)$", (ROOT / ".env.example").read_text(), re.M)
    return {p.strip() for p in line.split(",") if p.strip()}


def test_the_scale_services_are_in_the_profile_and_the_default_ones_are_not(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    for name in SCALE:
        assert services[name]["profiles"] == ["scale"], name
    assert {"streamrec-data", "streamrec-pg"} <= compose["volumes"].keys()
    # `docker compose up -d` with .env from .env.example (COMPOSE_PROFILES) starts what it
    # always did; `--profile scale up -d` (the flag replaces COMPOSE_PROFILES) starts the
    # replicas without the polling bot, which would delete their webhook (issue 23 item 11)
    assert started(compose, env_example_profiles()) == {"bot", "api", "refresh"}
    assert started(compose, {"scale"}) == {"api", "refresh", *SCALE}
    # compose refuses to start a service whose required dependency is off: api and refresh
    # follow the bot when it runs, and start alone when it does not
    for profiles in (env_example_profiles(), {"scale"}):
        on = started(compose, profiles)
        for name in on:
            for dep, condition in dependencies(services[name]).items():
                assert dep in on or condition.get("required") is False, (profiles, name, dep)


def test_two_webhook_replicas_share_postgres_and_the_data_volume(compose: dict[str, Any]) -> None:
    services = compose["services"]
    replica = services["bot-replica"]
    env = replica["environment"]
    assert replica["command"] == ["bot"] and replica["deploy"]["replicas"] == 2
    assert env["STREAMREC_SERVICE"] == "bot" and env["DATA_DIR"] == "/data"
    assert env["DATABASE_URL"] == services["migrate"]["environment"]["DATABASE_URL"]
    assert re.fullmatch(r"postgresql://streamrec@postgres:5432/streamrec", env["DATABASE_URL"])
    assert env["PGPASSWORD"] == services["postgres"]["environment"]["POSTGRES_PASSWORD"]
    # listening for nginx on the compose network, published nowhere
    assert env["WEBHOOK_LISTEN"] == "0.0.0.0" and "ports" not in replica
    assert replica["env_file"] == ".env"  # TELEGRAM_BOT_TOKEN, WEBHOOK_URL, WEBHOOK_SECRET
    # the catalogue from the volume the single bot uses; state/ (the heartbeat) its own
    assert "streamrec-data:/data" in replica["volumes"]
    assert "streamrec-data:/data" in services["bot"]["volumes"]
    [state] = [v for v in replica["volumes"] if isinstance(v, dict)]
    assert state["type"] == "tmpfs" and state["target"] == "/data/state"
    assert state["tmpfs"]["mode"] == 0o1777
    assert replica["healthcheck"]["test"] == ["CMD", "streamrec-entrypoint", "healthcheck", "bot"]


def test_start_order_postgres_then_migrations_then_replicas_then_proxy(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert services["bot-replica"]["depends_on"] == {
        "migrate": {"condition": "service_completed_successfully"}
    }
    assert services["proxy"]["depends_on"] == ["bot-replica"]
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    # the demo data are built once (a fresh volume) before the replicas start, then migrations
    command = " ".join(services["migrate"]["command"])
    assert "streamrec-entrypoint prepare &&" in command and "Store(" in command


def test_nginx_forwards_to_the_replicas_port_and_compose_mounts_it(
    compose: dict[str, Any],
) -> None:
    conf = NGINX.read_text()
    proxy = compose["services"]["proxy"]
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in proxy["volumes"]
    [(host, port)] = re.findall(r"set \$replicas ([\w-]+):(\d+);", conf)
    assert (
        host == "bot-replica"
        and port == compose["services"]["bot-replica"]["environment"]["WEBHOOK_PORT"]
    )
    assert "proxy_pass http://$replicas;" in conf and "resolver 127.0.0.11" in conf
    [listen] = re.findall(r"listen (\d+) ssl;", conf)
    assert proxy["ports"] == [f"{listen}:{listen}"]
    assert any(v.endswith(":/etc/nginx/certs:ro") for v in proxy["volumes"])


def test_every_variable_compose_reads_is_documented(compose: dict[str, Any]) -> None:
    text = COMPOSE.read_text()
    names = set(re.findall(r"\$\{(\w+)", text[text.index('profile "scale"') :]))
    assert {"POSTGRES_PASSWORD", "TLS_CERT_DIR"} <= names
    doc = DEPLOY_DOC.read_text()
    section = doc[doc.index("## 8. Several bot replicas") :]
    for name in names | {"WEBHOOK_URL", "WEBHOOK_SECRET", "TELEGRAM_BOT_TOKEN"}:
        assert name in section, name
    assert "docker compose --profile scale up -d proxy" in section
    assert "docker compose --profile scale up -d proxy" in COMPOSE.read_text()


def test_nginx_accepts_the_config(tmp_path: Path) -> None:
    nginx, openssl = shutil.which("nginx"), shutil.which("openssl")
    if nginx is None or openssl is None:
        pytest.skip("nginx or openssl not installed (`make nginx` installs Debian's)")
    certs = tmp_path / "certs"
    certs.mkdir()
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=bot.example.com", "-keyout", str(certs / "privkey.pem"),
         "-out", str(certs / "fullchain.pem")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    conf = NGINX.read_text().replace("/etc/nginx/certs/", f"{certs}/")
    conf = conf.replace("pid /tmp/nginx.pid;", f"pid {tmp_path}/nginx.pid;")
    (tmp_path / "nginx.conf").write_text(conf)
    done = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
         "-g", f"error_log {tmp_path}/error.log;"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr and "test is successful" in done.stderr


def test_the_migrate_command_migrates_a_real_server(
    compose: dict[str, Any], tmp_path: Path
) -> None:
    from tests.pg_cluster import PgCluster, why_unavailable

    reason = why_unavailable()
    if reason:
        pytest.skip(reason)
    service = compose["services"]["migrate"]
    script = service["command"][2].split("&&", 1)[1].strip()
    assert script.startswith("python -c ")
    code = script[len("python -c ") :].strip().strip('"')
    pg = PgCluster().start()
    try:
        url = pg.create_database()
        env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": url, "PGPASSWORD": "x"}
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        assert re.fullmatch(r"schema version \d+\n", done.stdout)
        again = subprocess.run(  # the replicas start on a migrated database: nothing to do
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
        )
        assert again.stdout == done.stdout
    finally:
        pg.destroy()
