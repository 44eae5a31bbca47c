"""Shared fixtures: where the real titles are, and demo data built once per test session.
And one hook: under CI=true a skip for a missing system package fails the run (below)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REAL_TITLES = ROOT.parent / "shared" / "data" / "raw" / "titles"

# Tests that need a system package (PostgreSQL, Java, Chromium, nginx, Docker) skip without it,
# and their reason names the make target that installs it. .ci/run runs each of those targets
# before the tests, so in CI such a skip means an install step broke and the tests never ran:
# with CI=true it fails the run instead, and a green CI means they ran (issue 23 item 12).
# The targets are read from .ci/run, so a new one is covered once CI installs it.
CI_RUN = ROOT / ".ci" / "run"


def ci_install_targets() -> list[str]:
    if not CI_RUN.exists():
        return []
    steps = re.findall(r"^make ([\w-]+)", CI_RUN.read_text(), re.M)
    return [s for s in steps if s not in ("test", "test-slow", "lint")]


def under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def system_skip(reason: str, targets: list[str]) -> bool:
    """Does this skip reason name an install step CI runs (`make postgres`, ...)?"""
    return any(f"`make {target}`" in reason for target in targets)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if not report.skipped or hasattr(report, "wasxfail") or not under_ci():
        return
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    if system_skip(reason, ci_install_targets()):
        report.outcome = "failed"
        report.longrepr = (
            f"CI=true and a system package is missing: {reason}\n"
            ".ci/run installs it before the tests; a skip here would hide tests that never ran"
        )


@pytest.fixture(scope="session")
def real_titles_dir() -> Path:
    """The real Kaggle titles CSVs; tests that need them skip (with the reason) when absent."""
    if not REAL_TITLES.is_dir() or not list(REAL_TITLES.glob("*_titles.csv")):
        pytest.skip(f"real titles not found at {REAL_TITLES}")
    return REAL_TITLES
