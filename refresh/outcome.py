"""What a refresh run is asked (`RunOptions`) and what it answers (`RunResult`, its exit code),
and the crash points the crash tests kill it at. `refresh.run` re-exports every name here."""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass, field
from pathlib import Path

from refresh.gates import Gate

# Fault injection for the crash tests: the run SIGKILLs itself at the named point
# (after_etl, after_train, before_publish, after_rename, after_publish).
CRASH_ENV = "STREAMREC_REFRESH_CRASH_AT"
EXIT = {"published": 0, "unchanged": 0, "failed": 1, "busy": 75}


@dataclass
class RunOptions:
    data_dir: Path
    inbox: Path
    force: bool = False
    budget: float = 180.0
    max_drop: float = 0.30
    model_margin: float = 0.05
    keep: int = 5


@dataclass
class RunResult:
    status: str  # published | unchanged | failed | busy
    message: str
    version: str | None = None
    report: Path | None = None
    gates: list[Gate] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return EXIT[self.status]


class _Abort(Exception):
    pass


def crash_point(name: str) -> None:
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
