"""The catalogue's index written with the processed files, so that serving processes read it
instead of each building it again (issue 24 item 8; docs/data.md, "The catalogue index").

The index is the catalogue's own format: its builder and writer live in catalog/ and this module
only calls them on the staged output, before the staged folder replaces data/processed/, so the
index and the parquet files it was built from are published together or not at all. This is
the one place where etl imports catalog; catalog never imports etl.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from catalog.errors import CatalogError
from catalog.loading import write_catalog_index
from etl.errors import EtlError

log = logging.getLogger("etl")


def write_indexes(processed: Path) -> None:
    """Build and write processed/index/ from the parquet files staged in `processed`."""
    started = time.perf_counter()
    try:
        folder = write_catalog_index(processed)
    except CatalogError as e:  # the catalogue refuses what the ETL wrote: nothing is published
        raise EtlError(f"the catalogue index could not be built: {e}") from e
    log.info("catalogue index: %s in %.1f s", folder.name, time.perf_counter() - started)
