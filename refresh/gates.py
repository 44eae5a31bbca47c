"""Quality gates: each returns a Gate whose message says what was checked and what was found.

A gate with status "fail" stops the refresh and nothing is published. "overridden" is a failure
that `--force` let through (the titles-per-platform drop only), "skip" says why a comparison
had nothing to compare with, "info" only reports (anomaly counts).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from domain.vocabulary import PROCESSED_COLUMNS, arrow_schema

# A writer on pandas 3 stores text as large_string; the catalogue reads it the same.
_SAME_TYPE = {pa.large_string(): pa.string()}


@dataclass
class Gate:
    name: str
    status: str  # pass | fail | overridden | skip | info
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.status == "fail"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def raw_input(error: str | None) -> Gate:
    if error:
        return Gate("raw_input", "fail", f"the ETL refused the raw CSVs: {error}")
    return Gate("raw_input", "pass", "the ETL read every raw CSV")


def schema(processed: Path) -> Gate:
    """Every processed file has exactly the contract's columns with the contract's Arrow types
    (domain/vocabulary.py PROCESSED_COLUMNS)."""
    problems: dict[str, list[str]] = {}
    for name in PROCESSED_COLUMNS:
        path = processed / f"{name}.parquet"
        try:
            actual = pq.read_schema(path)
        except (OSError, pa.ArrowException) as e:
            problems[name] = [f"unreadable: {e}"]
            continue
        found = _schema_problems(actual, arrow_schema(name))
        if found:
            problems[name] = found
    if problems:
        text = "; ".join(f"{n}.parquet {', '.join(p)}" for n, p in problems.items())
        return Gate(
            "schema", "fail", f"processed files break the column contract: {text}", problems
        )
    files = ", ".join(f"{n}.parquet" for n in PROCESSED_COLUMNS)
    return Gate("schema", "pass", f"every column of {files} has the contract's name and type")


def _schema_problems(actual: pa.Schema, contract: pa.Schema) -> list[str]:
    out = []
    missing = [f.name for f in contract if f.name not in actual.names]
    extra = [n for n in actual.names if n not in contract.names]
    if missing:
        out.append(f"lacks {', '.join(missing)}")
    if extra:
        out.append(f"has unexpected {', '.join(extra)}")
    for f in contract:
        if f.name in actual.names:
            t = actual.field(f.name).type
            if _SAME_TYPE.get(t, t) != f.type:
                out.append(f"{f.name} is {t}, expected {f.type}")
    return out


def per_platform(titles_parquet: Path) -> dict[str, int]:
    col = pq.read_table(titles_parquet, columns=["platform"]).column("platform")
    counts = pc.value_counts(col).to_pylist()
    return {str(c["values"]): int(c["counts"]) for c in sorted(counts, key=lambda c: c["values"])}


def platform_drop(
    now: dict[str, int], before: dict[str, int] | None, max_drop: float, force: bool, prev: str
) -> Gate:
    if before is None:
        return Gate("platform_drop", "skip", "no current release to compare titles per platform")
    drops = {}
    for platform, old in before.items():
        new = now.get(platform, 0)
        if old > 0 and (old - new) / old > max_drop:
            drops[platform] = {"before": old, "now": new, "drop": round((old - new) / old, 4)}
    details = {"before": before, "now": now, "max_drop": max_drop, "dropped": drops}
    if not drops:
        return Gate(
            "platform_drop",
            "pass",
            f"no platform lost more than {max_drop:.0%} of its titles against release {prev}",
            details,
        )
    text = ", ".join(
        f"{p} {d['before']:,} -> {d['now']:,} (-{d['drop']:.0%})" for p, d in drops.items()
    )
    message = f"titles fell by more than {max_drop:.0%} against release {prev}: {text}"
    if force:
        return Gate(
            "platform_drop", "overridden", f"{message} (published anyway: --force)", details
        )
    return Gate("platform_drop", "fail", f"{message}; check the inbox, or pass --force", details)


def anomalies(etl_report: dict[str, Any], before: dict[str, int] | None) -> Gate:
    counts = {k: int(v.get("count", 0)) for k, v in etl_report.get("anomalies", {}).items()}
    found = {k: v for k, v in counts.items() if v}
    text = ", ".join(f"{k} {v:,}" for k, v in found.items()) or "none"
    if before is not None:
        delta = {k: v - before.get(k, 0) for k, v in counts.items() if v != before.get(k, 0)}
        if delta:
            text += " (vs current: " + ", ".join(f"{k} {d:+,}" for k, d in delta.items()) + ")"
    return Gate("anomalies", "info", f"data-quality anomalies: {text}", {"counts": counts})


def model_metrics(meta: dict[str, Any]) -> dict[str, Any]:
    """The figures the manifest keeps from svd.json."""
    sel = meta.get("selection") or {}
    metrics = meta.get("metrics") or {}
    return {
        "model_id": meta.get("model_id"),
        "algorithm": meta.get("algorithm"),
        "chosen": sel.get("chosen"),
        "why": meta.get("why"),
        "params": meta.get("params"),
        "validation_rmse": sel.get("cv_rmse"),
        "baseline_rmse": sel.get("baseline_rmse"),
        "validation_folds": sel.get("folds"),
        "validation_sampled": sel.get("sampled"),
        "train_rmse": metrics.get("train_rmse"),
        "ratings": (meta.get("data") or {}).get("ratings"),
        "users": (meta.get("data") or {}).get("users"),
    }


def beats_baseline(m: dict[str, Any]) -> Gate:
    rmse, base = m.get("validation_rmse"), m.get("baseline_rmse")
    if rmse is None or base is None:
        return Gate(
            "model_vs_baseline",
            "fail",
            "training recorded no validation RMSE against BaselineOnly (was the search skipped?)",
            m,
        )
    if m.get("chosen") != "SVD" or rmse >= base:
        return Gate(
            "model_vs_baseline",
            "fail",
            f"the model does not beat BaselineOnly on validation: {m.get('why') or ''}"
            f" (validation RMSE {rmse:.4f}, BaselineOnly {base:.4f})",
            m,
        )
    return Gate(
        "model_vs_baseline",
        "pass",
        f"validation RMSE {rmse:.4f} beats BaselineOnly's {base:.4f} by {(1 - rmse / base):.1%}",
        m,
    )


def vs_current(m: dict[str, Any], before: dict[str, Any] | None, margin: float, prev: str) -> Gate:
    old = (before or {}).get("validation_rmse")
    if old is None:
        return Gate("model_vs_current", "skip", "no current release model to compare with")
    rmse = m.get("validation_rmse")
    if rmse is None:
        return Gate("model_vs_current", "fail", "the new model has no validation RMSE")
    worse = rmse / old - 1
    details = {"current": old, "new": rmse, "margin": margin, "worse_by": round(worse, 4)}
    text = f"validation RMSE {rmse:.4f} against {old:.4f} of release {prev} ({worse:+.1%})"
    if worse > margin:
        return Gate(
            "model_vs_current",
            "fail",
            f"the model is worse than the current release's by more than {margin:.0%}: {text}",
            details,
        )
    return Gate("model_vs_current", "pass", f"{text}; allowed {margin:+.0%}", details)


def loads(result_error: str | None, info: dict[str, Any]) -> Gate:
    if result_error:
        return Gate("loads", "fail", f"the release does not load as the bot would: {result_error}")
    return Gate(
        "loads",
        "pass",
        f"the catalogue loads it with its model ({info.get('titles', 0):,} titles,"
        f" model {info.get('model_version')}) in {info.get('load_seconds', 0):.1f} s",
        info,
    )
