"""Under CI=true a test skipped for a missing system package fails the run (tests/conftest.py's
hook), so a green CI means those tests ran; other skips stay skips, and without CI nothing
changes. Run on a small test file through the real conftest, as a plugin (-p tests.conftest)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ci_install_targets
from tests.fakes.botdata import ROOT

TESTS = """
import pytest

def test_postgres_missing():
    pytest.skip("PostgreSQL server binaries not installed (run `make postgres`)")

@pytest.mark.skipif(True, reason="no Java here; `make java` installs Debian's openjdk")
def test_java_missing():
    pass

def test_docker_missing():
    pytest.skip("no Docker engine answers (`make docker` starts one)")

def test_real_titles_absent():
    pytest.skip("real titles not found at /nowhere")

@pytest.mark.xfail(reason="`make nginx` is named, but this is an expected failure")
def test_expected_failure():
    raise AssertionError

def test_passes():
    pass
"""


def run(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess:
    (tmp_path / "test_sample.py").write_text(TESTS)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("CI", None)
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.conftest", "-p", "no:cacheprovider",
         "-rA", "-q", "test_sample.py"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_ci_installs_what_the_hook_watches() -> None:
    assert {"postgres", "java", "chromium", "nginx", "docker"} <= set(ci_install_targets())


def test_under_ci_a_missing_system_package_fails_the_run(tmp_path: Path) -> None:
    done = run(tmp_path, "true")
    out = done.stdout
    assert done.returncode == 1, out
    for name in ("test_postgres_missing", "test_java_missing", "test_docker_missing"):
        assert any(
            line.startswith(("FAILED", "ERROR")) and name in line for line in out.splitlines()
        ), (name, out)
    assert "CI=true and a system package is missing" in out
    lines = out.splitlines()
    assert any(ln.startswith("SKIPPED") and "real titles not found" in ln for ln in lines)
    assert "XFAIL" in out and "1 passed" in out


def test_without_ci_they_are_skips(tmp_path: Path) -> None:
    for ci in (None, "false"):
        done = run(tmp_path, ci)
        assert done.returncode == 0, done.stdout
        assert "4 skipped" in done.stdout and "1 passed" in done.stdout, done.stdout
