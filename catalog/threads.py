"""One BLAS thread for serving: the model's products are far too small to share out.

Each model call (top, similar, fold-in) is a 23,000 x 50 matrix-vector product or a tiny solve.
With OpenBLAS's default of one thread per core, on a busy 2-core machine every call waits for
threads that are busy elsewhere (figures in docs/benchmarks.md). Environment variables
only work before numpy loads, which a library cannot promise, so this uses threadpoolctl on the
BLAS already loaded. Both front ends reach it through `CatalogHolder(..., blas_threads=1)`, so
neither imports the other.
"""

from __future__ import annotations

import logging
import os
from typing import Any

log = logging.getLogger(__name__)

BLAS_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

_limiter: Any = None  # kept alive: threadpoolctl's limits last while the object lives


def limit_blas_threads(threads: int = 1) -> bool:
    """Cap the BLAS/OpenMP pools of this process at `threads`; True when it was applied.

    An explicit OPENBLAS_NUM_THREADS (or OMP/MKL) in the environment wins: the operator chose.
    Without threadpoolctl installed nothing happens (a debug line says so). Idempotent.
    """
    global _limiter
    if any(os.environ.get(v) for v in BLAS_ENV):
        return False
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - it is a dependency; stay harmless without it
        log.debug("threadpoolctl not installed; BLAS keeps its default threads")
        return False
    import numpy  # noqa: F401  (the BLAS must be loaded for threadpoolctl to find it)

    _limiter = threadpool_limits(limits=threads)
    return True


def blas_threads() -> list[int]:
    """The thread count of each BLAS/OpenMP pool loaded in this process (for tests, /status)."""
    from threadpoolctl import threadpool_info

    return [int(i["num_threads"]) for i in threadpool_info()]
