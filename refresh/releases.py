"""The release store: `<DATA_DIR>/releases/<version>/` folders behind one `current` pointer.

The pointer is a relative symlink `releases/current -> <version>`, replaced by writing a new
symlink beside it and `os.replace`-ing it over the old one: rename(2) is atomic, so a reader
(or a kill -9 at any instant) sees either the old or the new target, never none and never half.
A symlink rather than a pointer file because the release is then a plain folder path for every
tool (`ls data/releases/current/processed`, `Catalog.load(data/releases/current)`, the EDA) and
resolving it is one readlink(2), cheap enough for the serving processes to check on access. A
pointer file would only be needed on a volume without symlinks (some SMB mounts); Docker
volumes, ext4 and overlayfs all have them.

A release folder only ever appears by renaming a complete staging folder (`.staging-*`), so any
`releases/<version>/` with a manifest.json is complete; staging leftovers of a killed run are
removed by the next run under the lock.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domain.releasefiles import damage

POINTER = "current"
MANIFEST = "manifest.json"
STAGING_PREFIX = ".staging-"
RUNS = "runs"  # one JSON report per run, published or not (a failed gate is written here)
_VERSION = re.compile(r"^\d{8}T\d{6}Z(-[0-9a-z]+)*$")


class ReleaseError(Exception):
    """A release operation that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Release:
    version: str
    path: Path
    manifest: dict[str, Any]

    @property
    def built_at(self) -> str | None:
        return self.manifest.get("built_at")


def releases_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "releases"


def current_version(root: Path) -> str | None:
    """The version `current` points at, or None (no pointer, or a dangling one)."""
    try:
        target = os.readlink(root / POINTER)
    except OSError:
        return None
    name = Path(target).name
    return name if (root / name / MANIFEST).is_file() else None


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        data = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ReleaseError(f"{path} is not a complete release (no readable {MANIFEST}: {e})") from e
    if not isinstance(data, dict):
        raise ReleaseError(f"{path / MANIFEST} is not a JSON object")
    return data


def load(root: Path, version: str) -> Release:
    if not _VERSION.match(version):
        raise ReleaseError(f"{version!r} is not a release version (see `python -m refresh list`)")
    path = root / version
    if not path.is_dir():
        known = ", ".join(r.version for r in list_releases(root)) or "none"
        raise ReleaseError(f"no release {version} in {root} (releases: {known})")
    return Release(version, path, read_manifest(path))


def current(root: Path) -> Release | None:
    version = current_version(root)
    return load(root, version) if version else None


def list_releases(root: Path) -> list[Release]:
    """Complete releases, oldest first (versions sort by build time)."""
    out: list[Release] = []
    if not root.is_dir():
        return out
    for path in sorted(root.iterdir()):
        if path.is_dir() and not path.is_symlink() and _VERSION.match(path.name):
            try:
                out.append(Release(path.name, path, read_manifest(path)))
            except ReleaseError:
                continue  # not complete: never listed, never pointed at
    return out


def new_staging(root: Path, version: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    path = root / f"{STAGING_PREFIX}{version}-{os.getpid()}"
    path.mkdir()
    return path


def clean_leftovers(root: Path) -> list[str]:
    """Remove what a killed run left: staging folders and temporary pointers. Call under the
    lock only (then no other run is writing them)."""
    removed: list[str] = []
    if not root.is_dir():
        return removed
    for path in root.iterdir():
        if path.name.startswith(STAGING_PREFIX) or path.name.startswith(".trash-"):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
        elif path.name.startswith(f".{POINTER}.tmp-"):
            path.unlink(missing_ok=True)
            removed.append(path.name)
    return removed


def check_files(release: Release) -> None:
    """Every file against the sha256 and size the manifest lists (domain/releasefiles.py);
    ReleaseError naming each damaged file. A release built before checksums were recorded
    has none to check (the load check still applies)."""
    problems = damage(release.path, release.manifest)
    if problems:
        raise ReleaseError(f"release {release.version} is damaged: {'; '.join(problems)}")


def install(root: Path, staging: Path, version: str) -> Path:
    """Rename the complete staging folder to its version (`point` then makes it current)."""
    _fsync_tree(staging)
    final = root / version
    os.rename(staging, final)  # fails rather than merge if the version exists
    _fsync_dir(root)
    return final


def discard(root: Path, version: str) -> None:
    """Take away an installed release that was never made current (its publishing failed):
    renamed out of sight first, like `prune`, then deleted as far as the disk allows."""
    if current_version(root) == version:
        return
    trash = root / f".trash-{version}"
    try:
        os.rename(root / version, trash)
    except OSError:
        return  # left listed but not current, as after a kill between rename and pointer
    shutil.rmtree(trash, ignore_errors=True)


def point(root: Path, version: str) -> None:
    """Move `current` to `version` atomically (a new symlink renamed over the old one)."""
    tmp = root / f".{POINTER}.tmp-{os.getpid()}"
    tmp.unlink(missing_ok=True)
    try:
        os.symlink(version, tmp)  # relative: the volume may be mounted elsewhere in each container
        os.replace(tmp, root / POINTER)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(root)


def prune(root: Path, keep: int) -> list[str]:
    """Delete all but the `keep` newest releases; the current one is always kept. A release is
    renamed out of sight first, so a half-deleted folder never looks like a release."""
    cur = current_version(root)
    releases = [r.version for r in list_releases(root)]
    keep_set = set(releases[-max(keep, 1) :]) | ({cur} if cur else set())
    removed: list[str] = []
    for version in releases:
        if version in keep_set:
            continue
        trash = root / f".trash-{version}"
        os.rename(root / version, trash)
        shutil.rmtree(trash, ignore_errors=True)
        removed.append(version)
    return removed


def write_json(path: Path, payload: dict[str, Any]) -> None:
    """Through a temporary file and os.replace: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def prune_runs(root: Path, keep: int = 50) -> None:
    runs = sorted((root / RUNS).glob("*.json"))
    for path in runs[:-keep]:
        path.unlink(missing_ok=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(path: Path) -> None:
    """Flush the staged files before the rename makes them a release: after a power cut the
    release folder must not hold empty files."""
    for dirpath, _, files in os.walk(path):
        for name in files:
            fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(dirpath))
