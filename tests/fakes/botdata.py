"""Real demo data for the bot tests: the real ETL and the real model training, small sizes.

Built once per pytest process (functools.cache; every test module of the bot shares it) into a
temporary folder removed at exit. Tests that write state or break the model get their own copy.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TITLES, RATINGS, SEED = 800, 30_000, 7


def _run(*args: str) -> None:
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


@functools.cache
def demo_data() -> Path:
    """A data dir with processed/ and models/ built by `etl.demo` + `etl` + `model train`."""
    root = Path(tempfile.mkdtemp(prefix="streamrec-bot-data-"))
    atexit.register(shutil.rmtree, root, True)
    raw = root / "raw"
    _run("-m", "etl.demo", "--out", str(raw), "--titles", str(TITLES),
         "--ratings", str(RATINGS), "--seed", str(SEED))  # fmt: skip
    _run("-m", "etl", "--raw", str(raw), "--out", str(root / "processed"), "-q")
    # --no-search: the real-data defaults, the same model on a quiet or a busy machine (a
    # time-budgeted search picks by speed); the search itself is tested in test_model_tuning.
    _run("-m", "model", "train", "--data-dir", str(root), "--quiet", "--no-search")
    return root


def data_copy(dest: Path) -> Path:
    """A private copy of the demo data (processed + models, no state) under `dest`."""
    src = demo_data()
    dest.mkdir(parents=True, exist_ok=True)
    for part in ("processed", "models"):
        shutil.copytree(src / part, dest / part)
    return dest
