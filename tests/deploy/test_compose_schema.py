"""docker-compose.yml against the Compose Specification's JSON schema (issue 23 item 11), vendored
in deploy/compose-spec/ (source, commit and licence in its README.md). Compose v2 validates a
file against this schema before anything else, so a file that fails here fails `docker compose`
as a whole; v2 itself cannot be installed here (Debian bookworm ships only the old 1.29)."""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema
import pytest
import yaml

from tests.fakes.botdata import ROOT

SCHEMA = ROOT / "deploy" / "compose-spec" / "compose-spec.json"
COMPOSE = ROOT / "docker-compose.yml"


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text())
    # its "$schema" names draft 7 without the trailing "#" that jsonschema looks up by
    assert "draft-07" in schema["$schema"]
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def errors(validator: jsonschema.protocols.Validator, document: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(document)
    ]


def test_docker_compose_yml_follows_the_compose_specification(
    validator: jsonschema.protocols.Validator,
) -> None:
    assert errors(validator, yaml.safe_load(COMPOSE.read_text())) == []


def test_the_schema_catches_what_compose_would_refuse(
    validator: jsonschema.protocols.Validator,
) -> None:
    """The check has teeth: small mistakes in our own file are errors."""
    good = yaml.safe_load(COMPOSE.read_text())
    for service, key, value in [
        ("bot", "restart", ["unless-stopped"]),  # a list, not a string
        ("bot", "profiles", "polling"),  # a list of names
        ("bot", "healthcheck", {"interval": 30}),  # a duration is a string: "30s"
        ("api", "depends_on", {"bot": {"required": False}}),  # condition is required
        ("bot", "stop_grace_period", {"seconds": 30}),
        ("api", "helthcheck", {"test": ["CMD", "true"]}),  # a misspelt key
    ]:
        bad = copy.deepcopy(good)
        bad["services"][service][key] = value
        assert errors(validator, bad), (service, key, value)


def test_the_vendored_schema_says_where_it_comes_from() -> None:
    readme = (SCHEMA.parent / "README.md").read_text()
    assert "compose-spec/compose-spec" in readme and "Apache License 2.0" in readme
    assert "Apache License" in (SCHEMA.parent / "LICENSE").read_text()
