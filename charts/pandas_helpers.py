"""Pandas helpers for the chart functions: comma-separated cells to rows, index labels as str or
float, the row at a column's maximum, logarithmic bins. `charts.base` re-exports them."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


def split_list(values: pd.Series) -> pd.DataFrame:
    """Comma-separated cells -> one row per (title row, item), trimmed, empties and repeats
    within a cell dropped. Columns: row (index label of the input), item."""
    s = values.dropna().astype(str).str.split(",").explode().str.strip()
    s = s[s.ne("")]
    out = pd.DataFrame({"row": s.index, "item": s.to_numpy()})
    return out.drop_duplicates()


def top_label(values: pd.Series, lowest: bool = False) -> str:
    """idxmax (idxmin with `lowest`) of a Series indexed by names (platforms, columns): pandas
    types any index label as Hashable, these are str."""
    return str(values.idxmin() if lowest else values.idxmax())


def number_label(label: object) -> float:
    """An index label known to be a number (a year, a star rating) as a float; pandas types
    labels as Hashable."""
    if isinstance(label, (int, float, np.number)):
        return float(label)
    raise TypeError(f"expected a numeric index label, got {label!r}")


def row_at_max(frame: pd.DataFrame, column: str) -> pd.Series:
    """The row holding `column`'s largest value (NaN skipped; the first on ties), by position so
    the index's label type does not matter."""
    return frame.iloc[int(frame[column].argmax())]


def log_bins(max_value: float, per_decade: int = 8) -> list[float]:
    top = max(1.0, math.log10(max(1.0, max_value)))
    edges = np.unique(np.round(np.logspace(0, top, int(top * per_decade) + 2)).astype(int))
    return [float(e) - 0.5 for e in (*edges, edges[-1] + 1)]
