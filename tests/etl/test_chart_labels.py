"""charts.base's label helpers: what the charts' findings name (the platform with most titles,
the peak year, the row with most votes) must not change with the index's label type."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from charts.pandas_helpers import number_label, row_at_max, top_label


def test_top_label_names_the_first_largest_and_smallest() -> None:
    counts = pd.Series([5, 9, 9, 1], index=["netflix", "hulu", "disney", "amazon"])
    assert top_label(counts) == "hulu"  # first of a tie, as idxmax
    assert top_label(counts, lowest=True) == "amazon"


def test_number_label_accepts_numbers_and_refuses_text() -> None:
    assert number_label(np.int64(2019)) == 2019.0
    assert number_label(4.5) == 4.5
    with pytest.raises(TypeError, match="numeric index label"):
        number_label("2019")


def test_row_at_max_skips_nan_and_ignores_the_index_labels() -> None:
    frame = pd.DataFrame(
        {"name": ["a", "b", "c"], "value": [3.0, np.nan, 7.0]}, index=["x", "x2", "y"]
    )
    row = row_at_max(frame, "value")
    assert row["name"] == "c"
    assert row.name == frame["value"].idxmax()
