"""One alert sender per deployment (alerts/lease.py), on a real PostgreSQL server: of two
replicas only one leads; when its session ends the other takes over; SQLite always leads."""

from __future__ import annotations

from alerts.lease import SenderLease
from tests.pg_cluster import PgCluster


async def test_one_replica_leads_and_the_other_takes_over_when_it_goes(pg: PgCluster) -> None:
    url = pg.create_database()
    first, second = SenderLease(url), SenderLease(url)
    try:
        assert await first.lead() is True
        assert await second.lead() is False
        assert await first.lead() is True  # still ours: the same session holds the lock
        assert await second.lead() is False
        await first.close()  # the leader stops (or dies: its connection closes either way)
        assert await second.lead() is True
        assert await first.lead() is False
    finally:
        await first.close()
        await second.close()


async def test_a_server_restart_loses_the_lease_and_one_replica_takes_it_again(
    pg: PgCluster,
) -> None:
    url = pg.create_database()
    first, second = SenderLease(url), SenderLease(url)
    try:
        assert await first.lead() and not await second.lead()
        pg.restart()
        leaders = [await first.lead(), await second.lead()]
        assert leaders.count(True) == 1, leaders
    finally:
        await first.close()
        await second.close()


async def test_sqlite_always_leads() -> None:
    lease = SenderLease("sqlite:///tmp/x.sqlite3")
    assert await lease.lead() and await lease.lead()
    assert await SenderLease(None).lead()
