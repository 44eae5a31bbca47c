"""Helpers for the refresh tests: demo inboxes, broken variants of them, and real
`python -m refresh` processes."""

from __future__ import annotations

import csv
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from refresh import releases
from refresh.lock import RefreshLock

ROOT = Path(__file__).resolve().parents[1]
BUDGET = "2"  # seconds of training search: small data, any machine speed


def env(**extra: str) -> dict[str, str]:
    out = {**os.environ, "PYTHONPATH": str(ROOT), **extra}
    for k in list(out):
        if k.startswith("REFRESH_") or k == "DATA_DIR":
            out.pop(k)
    out.update(extra)
    return out


def refresh(
    data_dir: Path, *args: str, timeout: float = 600, **extra_env: str
) -> subprocess.CompletedProcess[str]:
    """`python -m refresh --data-dir DATA_DIR ARGS...` to completion."""
    argv = [sys.executable, "-m", "refresh", "--data-dir", str(data_dir), *args]
    if args and args[0] == "run" and "--budget" not in args:
        argv += ["--budget", BUDGET]
    return subprocess.run(
        argv, cwd=ROOT, env=env(**extra_env), capture_output=True, text=True, timeout=timeout
    )


def make_inbox(dest: Path, titles: int = 300, ratings: int = 20_000, seed: int = 3) -> Path:
    subprocess.run(
        [sys.executable, "-m", "etl.demo", "--out", str(dest), "--titles", str(titles),
         "--ratings", str(ratings), "--seed", str(seed)],
        cwd=ROOT, env=env(), check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return dest


def copy_tree(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, symlinks=True)  # keeps releases/current a symlink
    return dest


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def drop_column(path: Path, column: str) -> None:
    header, rows = read_csv(path)
    k = header.index(column)
    write_csv(path, header[:k] + header[k + 1 :], [r[:k] + r[k + 1 :] for r in rows])


def keep_share(path: Path, share: float) -> list[str]:
    """Keep the first `share` of a titles file's rows; returns the ids removed."""
    header, rows = read_csv(path)
    cut = int(len(rows) * share)
    write_csv(path, header, rows[:cut])
    return [path.name[0] + r[header.index("show_id")] for r in rows[cut:]]


def drop_ratings_of(inbox: Path, ids: list[str]) -> None:
    """Remove the ratings of titles that left the catalogue, as a real export would."""
    gone = set(ids)
    for path in (inbox / "ratings").glob("*.csv"):
        header, rows = read_csv(path)
        k = header.index("movieId")
        write_csv(path, header, [r for r in rows if r[k] not in gone])


def move_title(inbox: Path, src: str, dst: str) -> tuple[str, str]:
    """Take one title off platform `src` and list it on `dst` under a new show_id; returns
    (old id, new id)."""
    files = {p: next((inbox / "titles").glob(f"{p}*_titles.csv")) for p in (src, dst)}
    sh, srows = read_csv(files[src])
    dh, drows = read_csv(files[dst])
    row = srows.pop(0)
    write_csv(files[src], sh, srows)
    moved = dict(zip(sh, row, strict=True))
    moved["show_id"] = "s999999"
    drows.append([moved[c] for c in dh])
    write_csv(files[dst], dh, drows)
    return src[0] + row[sh.index("show_id")], dst[0] + "s999999"


def noise_ratings(inbox: Path, n: int = 20_000, seed: int = 0) -> None:
    """Replace the ratings with random ones: no structure for factors to learn."""
    ids = []
    for path in sorted((inbox / "titles").glob("*.csv")):
        header, rows = read_csv(path)
        letter = path.name[0]
        ids += [letter + r[header.index("show_id")] for r in rows]
    rng = random.Random(seed)
    rows = [
        [str(rng.randint(1, 400)), f"{rng.randint(1, 10) / 2:.1f}", "1421236656", rng.choice(ids)]
        for _ in range(n)
    ]
    for old in (inbox / "ratings").glob("*"):
        old.unlink()
    write_csv(
        inbox / "ratings" / "ratings_1.csv", ["userId", "rating", "timestamp", "movieId"], rows
    )


def lock_is_free(data_dir: Path) -> bool:
    try:
        RefreshLock(releases.releases_dir(data_dir)).acquire().release()
    except Exception:
        return False
    return True


def state(data_dir: Path) -> tuple[str | None, list[str], list[str]]:
    """(current version, release versions, leftovers) of a data dir."""
    root = releases.releases_dir(data_dir)
    versions = [r.version for r in releases.list_releases(root)]
    leftovers = [p.name for p in root.iterdir() if p.name.startswith((".staging-", ".trash-"))]
    return releases.current_version(root), versions, leftovers


def first_title(inbox: Path, platform: str) -> tuple[str, str, str]:
    """(id, title, release_year) of the row `move_title` would take off `platform`."""
    header, rows = read_csv(next((inbox / "titles").glob(f"{platform}*_titles.csv")))
    row = dict(zip(header, rows[0], strict=True))
    return platform[0] + row["show_id"], row["title"], row["release_year"]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (for a `python -m api` the test starts)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def titles_file(path: Path, rows: list[tuple[str, str, str, int]]) -> Path:
    """A titles.parquet with just the columns refresh's changes read: (id, platform, title,
    release_year) rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.table(
        {
            "id": [r[0] for r in rows],
            "platform": [r[1] for r in rows],
            "title": [r[2] for r in rows],
            "release_year": pa.array([r[3] for r in rows], pa.int32()),
        }
    )
    pq.write_table(table, path)
    return path
