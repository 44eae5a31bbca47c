"""catalog/threads.py: BLAS capped at one thread for serving, unless the environment says."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "from catalog.threads import limit_blas_threads, blas_threads\n"
    "import numpy\n"
    "applied = limit_blas_threads(1)\n"
    "print(applied, max(blas_threads() or [1]))\n"
)


def _run(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


def test_one_blas_thread_after_numpy_loaded() -> None:
    assert _run() == "True 1"


def test_an_explicit_environment_setting_wins() -> None:
    assert _run(OPENBLAS_NUM_THREADS="2").startswith("False")
