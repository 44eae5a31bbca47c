"""The files of a release and their checksums.

`refresh run` writes every file of a release folder (but the manifest itself) into the
manifest's `files` with its size and sha256; `refresh rollback`, `refresh run` before it moves
`current`, and the catalogue before it serves a release check them again. A truncated
titles.parquet, a model replaced by hand or a file gone is then refused by name before anything
loads it. A leaf: the writer (refresh) and the reader (catalog) share the rule without
importing each other.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
FILES_KEY = "files"


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def checksums(folder: Path) -> dict[str, dict[str, Any]]:
    """Every file under `folder` but the manifest: {relative path: {bytes, sha256}}."""
    out: dict[str, dict[str, Any]] = {}
    for dirpath, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names):
            path = Path(dirpath) / name
            rel = path.relative_to(folder).as_posix()
            if rel == MANIFEST:
                continue
            out[rel] = {"bytes": path.stat().st_size, "sha256": sha256_of(path)}
    return out


def damage(folder: Path, manifest: dict[str, Any]) -> list[str]:
    """What differs from the manifest's checksums: one phrase per file, [] when all match.

    A manifest written before checksums were recorded (no `files`) has nothing to compare:
    [] too; the load-time checks still apply to it."""
    listed = manifest.get(FILES_KEY)
    if not isinstance(listed, dict):
        return []
    problems = []
    for rel, want in sorted(listed.items()):
        path = folder / rel
        try:
            size = path.stat().st_size
        except OSError:
            problems.append(f"{rel} is missing")
            continue
        if size != want.get("bytes"):
            problems.append(f"{rel} has {size:,} bytes, the manifest says {want.get('bytes'):,}")
        elif sha256_of(path) != want.get("sha256"):
            problems.append(f"{rel} does not match its sha256 in the manifest")
    return problems
