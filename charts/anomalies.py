"""The chart of the ETL's anomaly report (etl.json): how many rows of each kind were kept but
flagged, with a few sample ids. Split from charts/ratings.py (issue 13), which re-exports these
names."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

import locales
from charts.base import Chart, EdaData, chart, finish, new_figure, plain_log_axis, style, thousands
from charts.findings import Count, Words, say


def anomaly_counts(report: Mapping[str, Any]) -> pd.Series:
    rows = {
        str(k): int(v.get("count", 0)) if isinstance(v, dict) else int(v)
        for k, v in (report.get("anomalies") or {}).items()
    }
    return pd.Series(rows, dtype="int64").sort_values(ascending=False)


@chart("anomalies", "Anomalies reported by the ETL", needs=("etl_report",))
def chart_anomalies(data: EdaData) -> Chart:
    report = dict(data.etl_report or {})
    counts = anomaly_counts(report)
    fig, ax = new_figure(figsize=(10.0, 0.45 * max(4, len(counts)) + 1.2))
    y = np.arange(len(counts))
    ax.barh(y, counts.clip(lower=0).to_numpy(), color="#C0392B", height=0.6)
    for i, v in enumerate(counts.to_numpy()):
        ax.text(max(v, 0), i, f" {thousands(v)}", va="center", fontsize=9)
    ax.set_yticks(y, [n.replace("_", " ") for n in counts.index])
    ax.invert_yaxis()
    if counts.max() > 0:
        ax.set_xscale("symlog", linthresh=1)
        ax.set_xlim(0, counts.max() * 3)
        plain_log_axis(ax, "x")
    ax.set_xlabel("rows (symmetric log scale)")
    style(ax)
    ax.grid(axis="y", visible=False)
    nonzero = counts[counts > 0]
    if len(nonzero):
        first = nonzero.index[0]
        samples = (report["anomalies"][first] or {}).get("samples") or []
        eg = ", ".join(map(str, samples[:3]))
        rows, kinds, largest = nonzero.sum(), len(nonzero), nonzero.iloc[0]
        kind = anomaly_name(first)
        example = say("anomalies_example", eg=eg) if eg else Words({"en": "", "es": ""})
        findings = say(
            "anomalies",
            kinds,
            rows=Count(rows),
            kinds=Count(kinds),
            kind=kind,
            largest=Count(largest),
            example=example,
        )
    else:
        findings = say("anomalies_none")
    return finish(fig, "anomalies", "Anomalies counted by the ETL (kept, not fixed)", findings)


def anomaly_name(kind: str) -> Words | str:
    """An ETL anomaly kind in words, per language; a kind the catalogues do not name yet as the
    ETL writes it, underscores as spaces."""
    if locales.messages("charts", "en").get(f"anomaly_{kind}") is None:
        return kind.replace("_", " ")
    return say(f"anomaly_{kind}")


__all__ = ["anomaly_counts", "anomaly_name", "chart_anomalies"]
