"""Hot reload: a new Catalog is built beside the serving one and swapped in by one assignment.

Readers take `holder.current` once per question and keep that object, so a question never sees
half-loaded data; a failed build leaves `current` untouched.
"""

from __future__ import annotations

import threading
from pathlib import Path

from catalog.core import Catalog
from catalog.loading import CatalogLoadError, RecommenderLoader
from catalog.threads import limit_blas_threads


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

    def reload(self) -> Catalog:
        """Build a fresh Catalog and swap it in; on failure keep the old one and raise why."""
        with self._reloading:
            try:
                fresh = self._build()
            except Exception as e:
                raise CatalogLoadError(
                    f"reload failed, still serving version {self.current.info.version} "
                    f"loaded at {self.current.info.loaded_at:%Y-%m-%d %H:%M:%S} UTC: {e}"
                ) from e
            self.current = fresh  # the swap: one reference assignment
            return fresh
