"""The HTTP API tests' data: demo titles and ratings through the ETL and a trained model."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = {"titles": 600, "ratings": 30_000, "seed": 1}


def build_demo(base: Path) -> Path:
    """Demo raw data -> processed -> trained model under `base`, once (a marker says done)."""
    done = base / ".built"
    if done.exists():
        return base
    if base.exists():
        shutil.rmtree(base)
    base.mkdir(parents=True)

    def run(*args: str) -> None:
        subprocess.run([sys.executable, "-m", *args], check=True, cwd=ROOT, capture_output=True)

    run("etl.demo", "--out", str(base / "raw"), "--titles", str(DEMO["titles"]),
        "--ratings", str(DEMO["ratings"]), "--seed", str(DEMO["seed"]))  # fmt: skip
    run("etl", "--raw", str(base / "raw"), "--out", str(base / "processed"), "-q")
    run("model", "train", "--data-dir", str(base), "--quiet", "--epochs", "10", "--no-search")
    done.touch()
    return base


def build_real(base: Path, titles: Path) -> Path:
    """The real titles (`titles`: their folder) with demo ratings for their ids, through the
    ETL and a quickly trained model, under `base`, once (a marker says done)."""
    done = base / ".built"
    if done.exists():
        return base
    if base.exists():
        shutil.rmtree(base)
    base.mkdir(parents=True)

    def run(*args: str) -> None:
        subprocess.run([sys.executable, "-m", *args], check=True, cwd=ROOT, capture_output=True)

    run("etl.demo", "--out", str(base / "raw"), "--titles-from", str(titles),
        "--ratings", "20000", "--seed", "5")  # fmt: skip
    run("etl", "--data-dir", str(base), "--titles", str(titles), "-q")
    run("model", "train", "--data-dir", str(base), "--quiet", "--epochs", "3", "--no-search")
    done.touch()
    return base
