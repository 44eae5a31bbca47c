"""`.env.example` documents every variable the project reads from `.env`: the fields of every
settings class (bot, API, refresh, config's shared base) and every variable the compose files
interpolate (`${NAME}` / `${NAME:-default}`, e.g. the "scale" profile's POSTGRES_PASSWORD and
TLS_CERT_DIR); each with a comment line above it, and nothing listed that nobody reads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic_settings import BaseSettings

from api.settings import ApiSettings
from bot.settings import Settings
from config import DataSettings, ServiceSettings
from refresh.settings import RefreshSettings

ROOT = Path(__file__).resolve().parents[2]
SETTINGS: tuple[type[BaseSettings], ...] = (
    DataSettings,
    ServiceSettings,
    Settings,
    ApiSettings,
    RefreshSettings,
)
# ${NAME}, ${NAME:-x}, ${NAME-x}, ${NAME:?x} ... ($$ is compose's escaped dollar)
INTERPOLATION = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)")


def compose_files() -> list[Path]:
    found = [*ROOT.glob("docker-compose*.y*ml"), *ROOT.glob("compose*.y*ml")]
    found += [*(ROOT / "deploy").glob("*compose*.y*ml")]
    return sorted(set(found))


def settings_variables() -> set[str]:
    names = set()
    for cls in SETTINGS:
        prefix = str(cls.model_config.get("env_prefix") or "")
        for name, field in cls.model_fields.items():
            names.add((field.validation_alias or field.alias or prefix + name).upper())
    return names


# read from .env by docker compose itself, not interpolated (docker-compose.yml's profiles)
COMPOSE_OWN = {"COMPOSE_PROFILES"}


def compose_variables() -> set[str]:
    found = {m for path in compose_files() for m in INTERPOLATION.findall(path.read_text())}
    return found | COMPOSE_OWN


def example_lines() -> list[str]:
    return (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()


def example_variables() -> dict[str, int]:
    """NAME -> its line index in .env.example."""
    out = {}
    for i, line in enumerate(example_lines()):
        m = re.match(r"([A-Z_][A-Z0-9_]*)=", line)
        if m:
            out[m.group(1)] = i
    return out


def test_the_sources_are_found() -> None:
    # guards the test itself: a renamed compose file or settings module must not empty a set
    assert compose_files(), "no compose file found"
    assert {"POSTGRES_PASSWORD", "TLS_CERT_DIR", "REFRESH_CRON"} <= compose_variables()
    assert {"DATA_DIR", "TELEGRAM_BOT_TOKEN", "API_PORT", "REFRESH_KEEP"} <= settings_variables()


def test_every_variable_read_is_in_env_example() -> None:
    listed = example_variables()
    missing = sorted((settings_variables() | compose_variables()) - set(listed))
    assert not missing, f".env.example lacks {missing}"


def test_every_variable_in_env_example_has_a_comment_and_is_read() -> None:
    lines = example_lines()
    read = settings_variables() | compose_variables()
    for name, i in example_variables().items():
        above = lines[i - 1] if i else ""
        # a variable directly below another shares that one's comment (API_HOST, API_PORT)
        assert above.startswith("#") or re.match(r"[A-Z_][A-Z0-9_]*=", above), name
        assert name in read, f"{name} is in .env.example but nothing reads it"
    assert len(example_variables()) == sum(bool(re.match(r"[A-Z_]+=", x)) for x in lines)


def test_env_example_as_is_loads_into_every_settings_class(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `cp .env.example .env` must start every entry point: an empty `NAME=` means unset
    for name in settings_variables():
        monkeypatch.delenv(name, raising=False)  # the file's values, not this shell's
    for cls in SETTINGS:
        loaded = cls(_env_file=ROOT / ".env.example")  # type: ignore[call-arg]
        assert loaded.data_dir == Path("data"), cls
    refresh = RefreshSettings(_env_file=ROOT / ".env.example")  # type: ignore[call-arg]
    assert refresh.refresh_inbox is None and refresh.refresh_keep == 5
