"""Shared fixtures: where the real titles are, and demo data built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REAL_TITLES = ROOT.parent / "shared" / "data" / "raw" / "titles"


@pytest.fixture(scope="session")
def real_titles_dir() -> Path:
    """The real Kaggle titles CSVs; tests that need them skip (with the reason) when absent."""
    if not REAL_TITLES.is_dir() or not list(REAL_TITLES.glob("*_titles.csv")):
        pytest.skip(f"real titles not found at {REAL_TITLES}")
    return REAL_TITLES
