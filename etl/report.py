"""The data-quality report: counts and sample ids of everything that looks wrong."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_SAMPLES = 10
# Written by `python -m etl.demo` beside the ratings it makes up: the ETL reports those ratings as
# synthetic (etl.json `synthetic_ratings`), so the EDA report and charts can say so.
SYNTHETIC_MARKER = "SYNTHETIC.json"


@dataclass
class Anomaly:
    count: int = 0
    samples: list[str] = field(default_factory=list)


@dataclass
class QualityReport:
    files: dict[str, dict[str, int]] = field(default_factory=dict)
    nulls_filled: dict[str, int] = field(default_factory=dict)
    anomalies: dict[str, Anomaly] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, name: str, count: int, samples: Iterable[Any] = ()) -> None:
        """Count an anomaly; an empty count still registers the name so the report lists it."""
        entry = self.anomalies.setdefault(name, Anomaly())
        entry.count += int(count)
        room = MAX_SAMPLES - len(entry.samples)
        if room > 0:
            for s in samples:
                if room == 0:
                    break
                entry.samples.append(str(s))
                room -= 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "nulls_filled": self.nulls_filled,
            "anomalies": {
                k: {"count": v.count, "samples": v.samples}
                for k, v in sorted(self.anomalies.items())
            },
            "notes": self.notes,
        }


def synthetic_ratings(
    folder: Path, files: Mapping[str, Mapping[str, int]]
) -> dict[str, Any] | None:
    """What the ratings folder's SYNTHETIC.json marker says, with the rows the ETL kept from the
    files it names (chat ratings exported beside them stay real); None without a marker."""
    path = folder / SYNTHETIC_MARKER
    try:
        marker = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(marker, dict):
        return None
    names = {str(n) for n in marker.get("files") or []}
    rows = sum(
        int(f.get("rows_written", 0))
        for p, f in files.items()
        if Path(p).parent == folder and Path(p).name in names
    )
    return {
        "generator": str(marker.get("generator", "etl.demo")),
        "files": sorted(names),
        "rows": rows,
    }
