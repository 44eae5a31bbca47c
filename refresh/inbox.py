"""The inbox: the raw CSVs a refresh builds from, their fingerprints, and when they have settled.

Layout (the same as data/raw/): `<inbox>/titles/<platform>_titles.csv` and
`<inbox>/ratings/*.csv` (the exported chat ratings go there too). Dot-files and temporary names
(`~`, `.part`, `.tmp`, ...) are copies in progress: neither recorded nor read; a name with a
control character is refused (domain/inputfiles.py, the rule the ETL reads by).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from domain.inputfiles import is_temporary, refused_name
from domain.releasefiles import sha256_of

SUBFOLDERS = ("titles", "ratings")


class InboxError(Exception):
    """The inbox is missing or laid out wrongly; the message says how to fill it."""


@dataclass(frozen=True)
class InputFile:
    path: str  # relative to the inbox, e.g. titles/netflix_titles.csv
    bytes: int
    mtime_ns: int
    sha256: str = ""

    def key(self) -> tuple[str, int, int]:
        return (self.path, self.bytes, self.mtime_ns)


def check_layout(inbox: Path) -> None:
    if not inbox.is_dir():
        raise InboxError(
            f"no inbox at {inbox}: create {inbox}/titles/ and {inbox}/ratings/ and put the raw "
            "CSVs there (docs/deploy.md), or pass --raw DIR"
        )
    missing = [s for s in SUBFOLDERS if not (inbox / s).is_dir()]
    if missing:
        loose = sorted(p.name for p in inbox.glob("*.csv"))
        hint = (
            f"; found {', '.join(loose)} at the top: move them into the subfolders" if loose else ""
        )
        raise InboxError(
            f"{inbox} lacks {' and '.join(s + '/' for s in missing)} (titles CSVs go in "
            f"{inbox}/titles/, ratings CSVs in {inbox}/ratings/){hint}"
        )
    for sub in SUBFOLDERS:
        refused = refused_name(inbox / sub)
        if refused:
            raise InboxError(refused)


def snapshot(inbox: Path) -> list[InputFile]:
    """Every input under titles/ and ratings/ with size and mtime (no hashing): cheap to poll.
    Temporary names are left out; unsafe names are in (a change `serve` must notice), and
    `check_layout` refuses them before a run reads anything."""
    files = []
    for sub in SUBFOLDERS:
        folder = inbox / sub
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.is_file() and not is_temporary(path.name):
                st = path.stat()
                files.append(InputFile(f"{sub}/{path.name}", st.st_size, st.st_mtime_ns))
    return files


def hashed(inbox: Path, files: list[InputFile]) -> list[InputFile]:
    return [InputFile(f.path, f.bytes, f.mtime_ns, sha256_of(inbox / f.path)) for f in files]


def fingerprint(files: list[InputFile]) -> str:
    """Short hash of the inputs' names and contents: part of the release version."""
    h = hashlib.sha256()
    for f in files:
        h.update(f"{f.path}\0{f.sha256}\n".encode())
    return h.hexdigest()[:8]


def as_dicts(files: list[InputFile]) -> list[dict[str, Any]]:
    return [asdict(f) for f in files]


def same_inputs(files: list[InputFile], manifest: dict[str, Any] | None, by_hash: bool) -> bool:
    """Whether the inbox holds exactly the files a release was built from: by name, size and
    mtime (no reading), or by name and sha256."""
    if not manifest:
        return False
    old = manifest.get("inputs", {}).get("files", [])
    if by_hash:
        return sorted((f.path, f.sha256) for f in files) == sorted(
            (o.get("path"), o.get("sha256")) for o in old
        )
    return sorted(f.key() for f in files) == sorted(
        (o.get("path"), o.get("bytes"), o.get("mtime_ns")) for o in old
    )


class SettleWatch:
    """Tells when the inbox changed and then stayed unchanged (names, sizes, mtimes) for
    `settle` seconds: a copy in progress keeps moving the size or mtime, so it never triggers."""

    def __init__(self, inbox: Path, settle: float, clock: Any = time.monotonic) -> None:
        self.inbox = inbox
        self.settle = settle
        self.clock = clock
        self.seen: list[tuple[str, int, int]] | None = None
        self.since = 0.0
        self.handled: list[tuple[str, int, int]] | None = None

    def poll(self) -> list[tuple[str, int, int]] | None:
        """The settled snapshot when it is new (not handled yet), else None."""
        snap = [f.key() for f in snapshot(self.inbox)]
        now = self.clock()
        if snap != self.seen:
            self.seen, self.since = snap, now
            return None
        if not snap or snap == self.handled or now - self.since < self.settle:
            return None
        return snap

    def mark_handled(self, snap: list[tuple[str, int, int]]) -> None:
        self.handled = snap
