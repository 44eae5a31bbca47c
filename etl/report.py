"""The data-quality report: counts and sample ids of everything that looks wrong."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

MAX_SAMPLES = 10


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
