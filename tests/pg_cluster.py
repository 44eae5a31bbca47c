"""A throwaway PostgreSQL server on 127.0.0.1: initdb + pg_ctl in a temporary folder, on a free
port, removed afterwards. Used by the store tests and bench/store.py.

The binaries come from Debian's postgresql package (`make postgres` installs it; .ci/run calls
that); they live in /usr/lib/postgresql/<version>/bin, which is not on PATH. PostgreSQL refuses
to run as root, so as root the cluster belongs to the package's `postgres` user and every
server command runs through `runuser -u postgres`.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

USER = "streamrec"


def find_bin_dir() -> Path | None:
    """The newest installed server's bin folder, or the one with initdb on PATH."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    if candidates:
        return Path(candidates[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def why_unavailable() -> str | None:
    """None when a cluster can be started here; otherwise the reason (for pytest.skip)."""
    if find_bin_dir() is None:
        return "PostgreSQL server binaries not installed (run `make postgres`)"
    if os.geteuid() == 0 and (shutil.which("runuser") is None or not _has_user("postgres")):
        return (
            "running as root without a `postgres` user and runuser to run the server as "
            "(`make postgres`)"
        )
    return None


def _has_user(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    """One server: `start()`, `url(db)`, `create_database()`, `restart()`, `stop()`."""

    def __init__(self) -> None:
        bin_dir = find_bin_dir()
        if bin_dir is None:
            raise RuntimeError(why_unavailable() or "no PostgreSQL")
        self.bin = bin_dir
        # Not pytest's tmp_path: its folders are private to root, and the server may run as
        # the postgres user, who must be able to enter this one.
        self.root = Path(tempfile.mkdtemp(prefix="streamrec-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
        self._databases = 0

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, check=check, timeout=120)

    def start(self) -> PgCluster:
        self._run(
            "initdb", "-D", str(self.data), "-A", "trust", "-U", USER, "-E", "UTF8", "--no-sync"
        )  # the throwaway cluster's files: no need to fsync them now
        with (self.data / "postgresql.conf").open("a") as f:
            f.write(
                f"listen_addresses = '127.0.0.1'\nport = {self.port}\n"
                f"unix_socket_directories = '{self.root}'\nmax_connections = 200\n"
                "fsync = on\nsynchronous_commit = on\n"  # the defaults, stated: durability
            )
        self._pg_ctl("start")
        return self

    def _pg_ctl(self, action: str, mode: str = "fast") -> None:
        args = ["pg_ctl", "-D", str(self.data), "-w", "-t", "60", "-l", str(self.root / "log")]
        if action in ("stop", "restart"):
            args += ["-m", mode]
        done = self._run(*args, action, check=False)
        if done.returncode != 0:
            log = (self.root / "log").read_text() if (self.root / "log").exists() else ""
            raise RuntimeError(f"pg_ctl {action} failed: {done.stdout}{done.stderr}\n{log[-2000:]}")

    def restart(self, mode: str = "fast") -> None:
        """`fast`: connections are cut, a clean shutdown; `immediate`: the server dies without
        a checkpoint (as on a crash) and replays its WAL when it starts again."""
        self._pg_ctl("restart", mode)

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("stop", mode)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new empty database; returns its URL."""
        self._databases += 1
        name = f"t{self._databases}_{os.getpid()}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with psycopg.connect(self.url(), connect_timeout=2):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def destroy(self) -> None:
        with contextlib.suppress(RuntimeError):  # already stopped
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
