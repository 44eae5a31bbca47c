"""Hot reload: a new Catalog is built beside the serving one and swapped in by one assignment.

Readers take `holder.current` once per question and keep that object, so a question never sees
half-loaded data; a failed build leaves `current` untouched.

`CatalogHolder.reload` is the one reload of the project: the bot's /reload and the API's
POST /admin/reload both call it, so both follow one policy (docs/architecture.md):
- the new data fails to load or breaks the contract -> keep the old catalogue, raise why;
- the new catalogue came up without a model while the old one has a model -> keep the old
  catalogue and its model, raise why (a corrupt or missing model must never turn
  recommendations off);
- the new catalogue has no model and neither had the old one -> swap it in; the caller says so
  (`catalog.recommender is None`, `catalog.model_error` is the reason).

Releases (refresh/, docs/refresh.md): when `<data_dir>/releases/current` exists, the catalogue
is loaded from the release it points at (its processed/, models/, reports/); without it,
`<data_dir>/processed` and `<data_dir>/models` serve exactly as before. The holder follows the
pointer by itself: at most every `follow_seconds`, taking `current` costs one readlink(2), and a
moved pointer starts `reload` in a background thread (the same policy as /reload; the question
that noticed it, and every one until the swap, is answered from the old catalogue). A refused
release is logged and not retried until the pointer moves again; /reload still retries it.
`holder.release` describes the release being served (None in the old layout).

Every release is checked against the checksums its manifest lists (domain/releasefiles.py)
before it loads: a truncated or replaced file is refused by name. A start whose `current` is
damaged does not fail: it serves the newest release that loads, logs an error saying so, and
`holder.release.degraded` says why until `current` points at a release that loads (/health and
/status show "degraded").
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from catalog.core import Catalog
from catalog.loading import CatalogLoadError, RecommenderLoader
from catalog.threads import limit_blas_threads
from domain.releasefiles import damage

log = logging.getLogger("catalog")

RELEASES = "releases"
POINTER = "current"
MANIFEST = "manifest.json"


class ReloadError(CatalogLoadError):
    """A refused reload; str(e) names what keeps serving, `reason` is only why."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class ReleaseInfo:
    """The release a catalogue was loaded from: what /status and /health show."""

    version: str
    built_at: str | None
    path: str
    previous: str | None
    inputs: tuple[dict[str, Any], ...]  # path (inside the inbox), bytes, sha256, rows
    # Why this is not the release `current` points at (a damaged or refused current); None when
    # it is. Set by CatalogHolder.release at each access.
    degraded: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "built_at": self.built_at,
            "previous": self.previous,
            "inputs": [dict(f) for f in self.inputs],
            "degraded": self.degraded,
        }


def release_of(folder: Path | str) -> ReleaseInfo | None:
    """The release whose folder this is (its manifest.json), None for the old layout."""
    path = Path(folder)
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict):
        return None
    inputs = (manifest.get("inputs") or {}).get("files") or []
    keys = ("path", "bytes", "sha256", "rows")
    return ReleaseInfo(
        version=str(manifest.get("version") or path.name),
        built_at=manifest.get("built_at"),
        path=str(path),
        previous=manifest.get("previous"),
        inputs=tuple({k: f.get(k) for k in keys} for f in inputs if isinstance(f, dict)),
    )


class CatalogHolder:
    """Owns the serving Catalog of one data_dir."""

    def __init__(
        self,
        data_dir: Path | str,
        threshold: float = 3.5,
        catalog: Catalog | None = None,
        recommender_loader: RecommenderLoader | None = None,
        blas_threads: int | None = None,
        follow_seconds: float | None = 2.0,
    ) -> None:
        """`blas_threads=1` caps this process's BLAS pools for serving (catalog/threads.py):
        the model's products are too small to share out, and extra threads only wait for a
        core. None leaves BLAS alone (tests, training). `follow_seconds` is how often taking
        `current` checks the releases pointer; None or 0 turns following off."""
        if blas_threads is not None:
            limit_blas_threads(blas_threads)
        self.data_dir = Path(data_dir)
        self.threshold = threshold
        self._loader = recommender_loader
        # Serialises builds only; readers never take this lock.
        self._reloading = threading.Lock()
        self._follow_every = follow_seconds or 0.0
        self._next_check = 0.0
        self._follower: threading.Thread | None = None
        self._checking = threading.Lock()
        # Called (in the follower thread) after a moved pointer was followed and swapped in:
        # bot/replication.py announces the release to the other replicas.
        self.on_followed: Callable[[Catalog], None] | None = None
        self._pointer_seen = self.pointer()
        self._state: tuple[Catalog, ReleaseInfo | None]
        # why the pointer's release is not the one served (it was refused); None when it is
        self._refused: tuple[str | None, str] | None = None
        self.current = catalog if catalog is not None else self._start()
        self._next_check = time.monotonic() + self._follow_every

    # ------------------------------------------------------------------ serving state

    @property
    def current(self) -> Catalog:
        """The serving catalogue (take it once per question). May start following a moved
        releases pointer in the background; never waits for it."""
        if self._follow_every and time.monotonic() >= self._next_check:
            self._check_pointer()
        return self._state[0]

    @current.setter
    def current(self, catalog: Catalog) -> None:
        folder = getattr(getattr(catalog, "info", None), "data_dir", None)
        # one assignment: a reader never pairs one catalogue with another's release
        self._state = (catalog, release_of(folder) if folder else None)

    @property
    def release(self) -> ReleaseInfo | None:
        """The release being served, None when the old layout (data_dir/processed) serves.
        Its `degraded` says why when it is not the release `current` points at."""
        info = self._state[1]
        if info is None:
            return None
        target = self.pointer()
        pointed = Path(target).name if target is not None else None
        if pointed == info.version:
            return info
        refused = self._refused
        why = refused[1] if refused is not None and refused[0] == target else None
        text = f"serving release {info.version}, but current is {pointed or 'not set'}"
        return replace(info, degraded=f"{text}: {why}" if why else text)

    # ------------------------------------------------------------------ releases pointer

    def pointer(self) -> str | None:
        """Where `<data_dir>/releases/current` points (a readlink), None without releases."""
        try:
            return os.readlink(self.data_dir / RELEASES / POINTER)
        except OSError:
            return None

    def source(self) -> Path:
        """The folder a reload reads: the current release, else data_dir itself."""
        target = self.pointer()
        if target is None:
            return self.data_dir
        folder = self.data_dir / RELEASES / Path(target).name
        if not (folder / MANIFEST).is_file():
            raise CatalogLoadError(
                f"{self.data_dir / RELEASES / POINTER} points to {target}, which is not a "
                "complete release (python -m refresh list; rollback VERSION)"
            )
        return folder  # resolved once: the whole load reads one release

    def _check_pointer(self) -> None:
        # readers of many threads may arrive here at once: one checks, the others go on
        if not self._checking.acquire(blocking=False):
            return
        try:
            self._next_check = time.monotonic() + self._follow_every
            target = self.pointer()
            if target == self._pointer_seen:
                return
            if self._follower is not None and self._follower.is_alive():
                return
            self._follower = threading.Thread(
                target=self._follow, args=(target,), name="catalog-follow", daemon=True
            )
            self._follower.start()
        finally:
            self._checking.release()

    def _follow(self, target: str | None) -> None:
        try:
            fresh = self.reload()
            log.info(
                "release %s now serving (data %s, model %s)",
                target,
                fresh.info.version,
                fresh.info.model_version,
            )
        except CatalogLoadError as e:
            log.warning("release %s not taken: %s", target, e)
            self._pointer_seen = target  # a refused release is not retried until it moves
            self._refused = (target, getattr(e, "reason", str(e)))
            return
        hook = self.on_followed
        if hook is not None:
            try:
                hook(fresh)
            except Exception:  # telling others must never break serving
                log.exception("after following release %s", target)

    def follow_now(self) -> Catalog:
        """Check the pointer and, when it moved, reload in this thread (tests, start-up)."""
        target = self.pointer()
        if target != self._pointer_seen:
            self._follow(target)
        return self._state[0]

    # ------------------------------------------------------------------ reload

    def _build(self) -> Catalog:
        return self._load(self.source())

    def _load(self, folder: Path) -> Catalog:
        """Catalog.load of one folder; a release is first checked against its manifest's
        checksums, so a damaged file is refused by name before anything reads it."""
        if folder != self.data_dir:
            try:
                manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            except (OSError, ValueError) as e:
                raise CatalogLoadError(f"{folder / MANIFEST} is unreadable: {e}") from e
            problems = damage(folder, manifest if isinstance(manifest, dict) else {})
            if problems:
                raise CatalogLoadError(
                    f"release {folder.name} is damaged: {'; '.join(problems)}"
                    " (python -m refresh rollback VERSION points current at a good one)"
                )
        return Catalog.load(folder, self.threshold, recommender_loader=self._loader)

    def _start(self) -> Catalog:
        """The first load. A damaged `current` does not stop the process: the newest other
        release that loads serves instead, with an error in the log and `release.degraded`
        set, until `current` moves to a release that loads."""
        try:
            return self._build()
        except CatalogLoadError as e:
            target = self.pointer()
            if target is None:
                raise
            first_error = e
        others = sorted(
            (
                p
                for p in (self.data_dir / RELEASES).iterdir()
                if p.is_dir() and p.name != Path(target).name and (p / MANIFEST).is_file()
            ),
            key=lambda p: p.name,
            reverse=True,
        )
        for folder in others:
            try:
                catalog = self._load(folder)
            except CatalogLoadError as e:
                log.error("release %s does not load either: %s", folder.name, e)
                continue
            if catalog.recommender is None:
                log.error("release %s loads without its model: not used", folder.name)
                continue
            log.error(
                "DEGRADED: current release %s does not load (%s); serving the last good release "
                "%s instead. Point current at a good release (python -m refresh rollback "
                "VERSION) or publish a new one.",
                target,
                first_error,
                folder.name,
            )
            self._refused = (target, str(first_error))
            return catalog
        raise first_error

    def reload(self, build: Callable[[], Catalog] | None = None) -> Catalog:
        """Build a fresh Catalog and swap it in; return the one now serving.

        On refusal (see the module docstring) the old one keeps serving and CatalogLoadError
        says why. `build` replaces Catalog.load of the current release or data_dir (tests).
        Blocking: call it from a worker thread in an event loop.
        """
        with self._reloading:
            old = self._state[0]
            serving = (
                f"still serving data {old.info.version}"
                + (f" and model {old.info.model_version}" if old.recommender is not None else "")
                + f" loaded at {old.info.loaded_at:%Y-%m-%d %H:%M:%S} UTC"
            )
            pointer = self.pointer()
            try:
                fresh = (build or self._build)()
            except Exception as e:
                reason = str(e) or type(e).__name__
                raise ReloadError(f"reload failed, {serving}: {reason}", reason) from e
            if fresh.recommender is None and old.recommender is not None:
                reason = f"the new model did not load ({fresh.model_error or 'no model'})"
                raise ReloadError(f"reload refused, {serving}: {reason}", reason)
            self.current = fresh  # the swap: one reference assignment
            self._pointer_seen = pointer
            self._refused = None
            return fresh
