"""Where the ratings behind the scores came from: made up by the demo generator, or people.

The ETL writes `synthetic_ratings` into <data_dir>/reports/etl.json when the ratings folder
carries etl.demo's marker (etl/report.py). Where it does, title cards and /foryou say so once,
plainly: a score from invented ratings must not read as what viewers think (issue 22)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from catalog.core import Catalog
from catalog.reports import read_json


def demo_ratings(catalog: Catalog) -> bool:
    """True when the catalogue's ratings were made up by the demo generator."""
    info = catalog.info
    return _synthetic(info.data_dir, info.version)


@lru_cache(maxsize=8)
def _synthetic(data_dir: str, version: str) -> bool:
    # Read once per catalogue (its version changes when the processed files do).
    report = read_json(Path(data_dir) / "reports" / "etl.json")
    return isinstance(report, dict) and bool(report.get("synthetic_ratings"))
