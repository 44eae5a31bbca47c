"""Running one stage (the ETL, the training, the load check) as a child process, timed.

Each stage's wall time and peak resident memory come from wait4(2) on that child alone. The
child's output goes to a log file in the release's reports/; on failure the stage's own error
line (`etl: error: ...`, `error: ...`) is the message. Children die with the refresh: Linux's
PR_SET_PDEATHSIG sends them SIGKILL when the process that started them dies, so a kill -9 of
`refresh run` leaves no training still writing into a staging folder.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import resource
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

_PR_SET_PDEATHSIG = 1
# While a stage runs, a line at least this often (seconds) with the child's own latest line,
# which carries its progress and ETA (training: "search: SVD ...: fold 2/3, epoch 12/40, 85 s,
# about 120 s left"); the refresh was silent for minutes while a model trained (issue 22).
PROGRESS_EVERY = 10.0
POLL = 0.2  # how often the child is checked for having ended

log_ = logging.getLogger("refresh")


@dataclass
class StageResult:
    name: str
    seconds: float
    peak_rss_mb: float
    returncode: int
    log: Path
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def timing(self) -> dict[str, float]:
        return {"seconds": round(self.seconds, 2), "peak_rss_mb": round(self.peak_rss_mb, 1)}


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() == 1:  # the parent already died between fork and prctl
        os._exit(1)


def python_module(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]


def run_stage(
    name: str,
    argv: list[str],
    log: Path,
    keep_fds: tuple[int, ...] = (),
    env: dict[str, str] | None = None,
) -> StageResult:
    """Run argv to completion; never raises for the child's failure (the result says it)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with open(log, "ab") as out:
        out.write(f"$ {' '.join(argv)}\n".encode())
        out.flush()
        proc = subprocess.Popen(
            argv,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            pass_fds=keep_fds,
            preexec_fn=_die_with_parent,
            env=env,
        )
        try:
            status, usage = _wait(proc.pid, name, log, started)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    result = StageResult(name, seconds, usage.ru_maxrss / 1024, proc.returncode, log)
    if proc.returncode != 0:
        result.error = error_line(log, proc.returncode)
    return result


def _wait(pid: int, name: str, log: Path, started: float) -> tuple[int, resource.struct_rusage]:
    """wait4 on the child, saying every PROGRESS_EVERY s how long it runs and its last line."""
    last = started
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return status, usage
        time.sleep(POLL)
        now = time.perf_counter()
        if now - last >= PROGRESS_EVERY:
            last = now
            log_.info("stage %s: running, %.0f s; %s", name, now - started, last_line(log))


def last_line(log: Path) -> str:
    """The child's latest non-empty output line (the file's tail only), or a dash."""
    try:
        with open(log, "rb") as f:
            f.seek(max(0, f.seek(0, os.SEEK_END) - 4096))
            tail = f.read().decode(errors="replace")
    except OSError:
        return "-"
    lines = [ln.strip() for ln in tail.replace("\r", "\n").splitlines() if ln.strip()]
    return lines[-1][:200] if lines else "-"


def error_line(log: Path, code: int) -> str:
    """The child's own error message: its last line naming an error, else its last line."""
    try:
        lines = [ln.strip() for ln in log.read_text(errors="replace").splitlines() if ln.strip()]
    except OSError:
        lines = []
    lines = [ln for ln in lines if not ln.startswith("$ ")]
    for ln in reversed(lines):
        if "error" in ln.lower():
            return ln
    if code < 0:
        return f"killed by signal {-code}" + (f" after: {lines[-1]}" if lines else "")
    return lines[-1] if lines else f"exited with status {code} and no output"
