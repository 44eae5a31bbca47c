"""display.parquet keeps every text people read in its raw casing (issue 14: cards and the API
showed `"rating": "g"` and "In paris..."); titles.parquet keeps the five rules."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from domain.vocabulary import DISPLAY_COLUMNS
from etl.__main__ import main
from tests.etl_helpers import minimal_raw, title_row, write_titles


def test_display_keeps_the_raw_text_and_titles_the_rules(tmp_path: Path) -> None:
    raw = minimal_raw(tmp_path / "raw")
    write_titles(
        raw / "titles" / "hulu_titles.csv",
        [
            title_row(
                "s1",
                country="France",
                rating="TV-MA",
                listed_in="Drama, International",
                description="In Paris, a chef meets Hernandez v. Texas.",
            ),
            title_row("s2", rating=""),  # no maturity rating: rule 2 fills "g" in titles only
            title_row("s3", rating="2 Seasons", duration=""),  # a duration in the rating column
        ],
    )
    out = tmp_path / "processed"
    assert main(["--raw", str(raw), "--out", str(out), "-q"]) == 0
    display = pq.read_table(out / "display.parquet").to_pandas().set_index("id")
    titles = pq.read_table(out / "titles.parquet").to_pandas().set_index("id")
    assert display.loc["hs1"].to_dict() == {
        "title": "The Grand Seduction",
        "director": "Don McKellar",
        "cast": "Brendan Gleeson, Taylor Kitsch",
        "country": "France",
        "rating": "TV-MA",
        "listed_in": "Drama, International",
        "description": "In Paris, a chef meets Hernandez v. Texas.",
    }
    assert titles.loc["hs1", "description"] == "in paris, a chef meets hernandez v. texas."
    assert (titles.loc["hs1", "rating"], titles.loc["hs1", "country"]) == ("tv-ma", "france")
    assert titles.loc["hs2", "rating"] == "g" and pd.isna(display.loc["hs2", "rating"])
    assert titles.loc["hs3", "rating"] == "2 seasons" and pd.isna(display.loc["hs3", "rating"])


@pytest.mark.realdata
def test_display_equals_the_raw_cells_on_the_real_titles(
    real_titles_dir: Path, tmp_path: Path
) -> None:
    raw = minimal_raw(tmp_path / "raw")  # only its ratings are used
    out = tmp_path / "processed"
    args = ["--titles", str(real_titles_dir), "--ratings", str(raw / "ratings")]
    assert main([*args, "--out", str(out), "-q"]) == 0
    display = pq.read_table(out / "display.parquet").to_pandas()
    frames = []
    for path in sorted(real_titles_dir.glob("*_titles.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            frames.append(pd.DataFrame(list(csv.DictReader(f))))
    rows = pd.concat(frames, ignore_index=True)
    assert len(display) == len(rows) == 22998
    for column in DISPLAY_COLUMNS:
        expected = rows[column].where(rows[column].str.strip() != "")
        if column == "rating":  # a duration there ("2 Seasons") is no maturity rating
            expected = expected.where(
                ~expected.str.match(r"(?i)^\s*\d+\s*(min|season)").fillna(False)
            )
        same = (display[column].fillna("\0") == expected.fillna("\0")).to_numpy()
        assert same.all(), (column, display[column][~same].head(3).tolist())
    first = display.set_index("id").loc["ns1"]
    assert (first.rating, first.country, first.listed_in) == ("PG-13", "United States",
                                                              "Documentaries")  # fmt: skip
