"""Fixtures of the people's-state tests: a real PostgreSQL server and a store URL of each kind.

`pg` is module-scoped: each test module gets a cluster of its own (the fault tests restart
theirs), and each test a new database in it (`create_database`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pg_cluster import PgCluster, why_unavailable


@pytest.fixture(scope="module")
def pg() -> Iterator[PgCluster]:
    reason = why_unavailable()
    if reason:
        pytest.skip(reason)
    cluster = PgCluster().start()
    yield cluster
    cluster.destroy()


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A DATABASE_URL naming a new, empty store of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/state/ratings.sqlite3"
    return request.getfixturevalue("pg").create_database()
