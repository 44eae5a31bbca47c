"""The README's real-titles commands work as written on a clean checkout (issue 22, item 11):
run with the venv's python, on paths that exist, in a data folder of their own (the demo ratings
`make run` trains on are not overwritten), and `DATA_DIR=... make run` builds and serves that
same folder. The commands are read from the README itself; only the sizes are made small (the
Disney+ file for the titles, 20,000 ratings, a 3-second search) and data/real is a temp folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def commands(marker: str) -> list[str]:
    """The lines of the bash block after `<!-- real-titles: marker -->`, comments dropped."""
    m = re.search(rf"<!-- real-titles: {marker} -->\s*```bash\n(.*?)```", README, re.S)
    assert m, f"README has no real-titles block {marker!r}"
    return [line.split("  #")[0].strip() for line in m.group(1).splitlines() if line.strip()]


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def unknown_ratings(data: Path) -> tuple[int, int]:
    report = json.loads((data / "reports" / "etl.json").read_text())
    return report["anomalies"]["rating_unknown_title"]["count"], report["rows"]["ratings"]


def test_the_python_commands_name_the_venv_and_existing_paths() -> None:
    for line in commands("python"):
        words = shlex.split(line)
        python = next(w for w in words if w.endswith("python"))
        assert python == ".venv/bin/python", line  # not whatever `python` is on PATH
        module = words[words.index("-m") + 1]
        assert (ROOT / module.replace(".", "/")).with_suffix(".py").exists() or (
            ROOT / module.replace(".", "/") / "__main__.py"
        ).exists(), module
        for w in words:
            if w.startswith("../"):
                assert (ROOT / w).resolve().parent.exists(), w  # ../shared/... beside the repo
    assert any("data/real" in line for line in commands("python"))


@pytest.mark.slow  # 2.5 min on 2 cores, more under load: two ETLs, a training, the bot
@pytest.mark.timeout(1500)
@pytest.mark.realdata
def test_readme_real_titles_then_make_run(real_titles_dir: Path, tmp_path: Path) -> None:
    subset = tmp_path / "titles"
    subset.mkdir()
    shutil.copy(real_titles_dir / "disney_plus_titles.csv", subset)
    demo, real = tmp_path / "demo", tmp_path / "real"
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "DATA_DIR")}
    env.update(
        REAL_TITLES=str(subset), REAL_DATA=str(real), REAL_RATINGS="20000", TRAIN_BUDGET="3",
        DEMO_TITLES="200", DEMO_RATINGS="5000",
    )  # fmt: skip

    def sh(line: str, stdin: str = "") -> str:
        done = subprocess.run(line, shell=True, cwd=ROOT, env=env, input=stdin, text=True,
                              capture_output=True, timeout=900)  # fmt: skip
        assert done.returncode == 0, f"{line}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        return done.stdout

    # The demo data `make run` trains on, built first, as on a machine that ran `make run`.
    sh(f"make etl DATA={demo}")
    before = digest(demo / "raw")
    out = ""
    for line in commands("make"):
        out = sh(line.replace("data/real", str(real)), stdin="/platformcount disney\n")
    # The last command is `make run`: the bot (console chat, no token) served the real titles
    # it had just built: Disney+'s 1,450 (Spanish by default: 1.450).
    assert re.search(r"1[.,]450", out), out[-1500:]
    assert (real / "processed" / "titles.parquet").exists() and (real / "models").is_dir()
    unknown, ratings = unknown_ratings(real)
    assert ratings >= 19_000 and unknown <= ratings // 100
    # The demo ratings were not overwritten: the next demo ETL still knows their titles.
    assert digest(demo / "raw") == before
    sh(f"make etl DATA={demo}")
    unknown, ratings = unknown_ratings(demo)
    assert ratings >= 4_000 and unknown <= ratings // 100
