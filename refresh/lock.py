"""One refresh at a time: an flock(2) on `releases/.refresh.lock`.

The kernel drops an flock when the last file descriptor on it closes, so a run killed with
SIGKILL cannot leave it held: there is no pid file to go stale. The ETL and training children
inherit the descriptor (refresh/stages.py), so a child that outlives a killed parent for a moment
still holds the lock until it exits too, and no new run can start writing beside it.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

LOCK_FILE = ".refresh.lock"


class Busy(Exception):
    """Another refresh (or rollback) holds the lock."""


class RefreshLock:
    def __init__(self, root: Path) -> None:
        self.path = Path(root) / LOCK_FILE
        self.fd: int | None = None

    def acquire(self) -> RefreshLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise Busy(
                f"another refresh is running ({holder}; lock {self.path}); this one does nothing"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}\n".encode(), 0)
        self.fd = fd
        return self

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing drops the flock
            self.fd = None

    def __enter__(self) -> RefreshLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read_holder(fd: int) -> str:
    try:
        text = os.pread(fd, 64, 0).decode(errors="replace").strip()
    except OSError:
        text = ""
    return text or "pid unknown"
