"""CI (.ci/run) starts on a fresh Debian-like machine: the system packages some tests need
(they skip without them, and fail under CI=true: tests/conftest.py) come from Makefile targets it
calls before the tests, so those tests run in CI. nginx: tests/deploy/test_compose_scale.py's
`nginx -t` on deploy/nginx.conf; docker: tests/deploy/test_docker_image.py."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SYSTEM_TARGETS = ("chromium", "java", "postgres", "nginx", "docker")


def test_ci_installs_every_system_package_before_the_tests() -> None:
    steps = [
        line.split("#", 1)[0].strip()
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.startswith("make ")
    ]
    assert "make test" in steps, steps
    for target in SYSTEM_TARGETS:
        assert f"make {target}" in steps, target
        assert steps.index(f"make {target}") < steps.index("make test"), target


def test_each_system_target_is_a_phony_documented_make_target() -> None:
    makefile = (ROOT / "Makefile").read_text()
    phony = {n for line in re.findall(r"^\.PHONY:(.*)$", makefile, re.M) for n in line.split()}
    for target in SYSTEM_TARGETS:
        assert re.search(rf"^{target}:", makefile, re.M), target
        assert target in phony, target
        assert f'@echo "make {target} ' in makefile, target  # listed by `make help`


def test_the_nginx_target_installs_without_starting_the_service() -> None:
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile[makefile.index("\nnginx:") :].split("\n\n", 1)[0]
    assert "command -v nginx" in recipe  # idempotent: nothing to do when it is there
    assert "apt-get install" in recipe and " nginx openssl" in recipe
    assert "policy-rc.d" in recipe and "exit 101" in recipe  # invoke-rc.d: do not start it
