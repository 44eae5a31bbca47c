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
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from catalog.core import Catalog
from catalog.loading import CatalogLoadError, RecommenderLoader
from catalog.threads import limit_blas_threads


class ReloadError(CatalogLoadError):
    """A refused reload; str(e) names what keeps serving, `reason` is only why."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class CatalogHolder:
    """Owns the serving Catalog of one data_dir."""

    def __init__(
        self,
        data_dir: Path | str,
        threshold: float = 3.5,
        catalog: Catalog | None = None,
        recommender_loader: RecommenderLoader | None = None,
        blas_threads: int | None = None,
    ) -> None:
        """`blas_threads=1` caps this process's BLAS pools for serving (catalog/threads.py):
        the model's products are too small to share out, and extra threads only wait for a
        core. None leaves BLAS alone (tests, training)."""
        if blas_threads is not None:
            limit_blas_threads(blas_threads)
        self.data_dir = Path(data_dir)
        self.threshold = threshold
        self._loader = recommender_loader
        # Serialises builds only; readers never take this lock.
        self._reloading = threading.Lock()
        self.current: Catalog = catalog if catalog is not None else self._build()

    def _build(self) -> Catalog:
        return Catalog.load(self.data_dir, self.threshold, recommender_loader=self._loader)

    def reload(self, build: Callable[[], Catalog] | None = None) -> Catalog:
        """Build a fresh Catalog and swap it in; return the one now serving.

        On refusal (see the module docstring) the old one keeps serving and CatalogLoadError
        says why. `build` replaces Catalog.load of data_dir (tests). Blocking: call it from a
        worker thread in an event loop.
        """
        with self._reloading:
            old = self.current
            serving = (
                f"still serving data {old.info.version}"
                + (f" and model {old.info.model_version}" if old.recommender is not None else "")
                + f" loaded at {old.info.loaded_at:%Y-%m-%d %H:%M:%S} UTC"
            )
            try:
                fresh = (build or self._build)()
            except Exception as e:
                reason = str(e) or type(e).__name__
                raise ReloadError(f"reload failed, {serving}: {reason}", reason) from e
            if fresh.recommender is None and old.recommender is not None:
                reason = f"the new model did not load ({fresh.model_error or 'no model'})"
                raise ReloadError(f"reload refused, {serving}: {reason}", reason)
            self.current = fresh  # the swap: one reference assignment
            return fresh
