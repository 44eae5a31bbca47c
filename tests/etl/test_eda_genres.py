"""EDA on the real titles (issue 22, item 13): the genre headline counts the genre over every
platform's labels (Drama was "4,728" from Amazon's and Hulu's "Drama" alone, beside Netflix's
"Dramas" and "TV Dramas"), and long labels are wrapped on their chart, never cut with "…"."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from charts import render_chart
from charts.base import wrap
from etl.eda import load_frames

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def real(real_titles_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("eda-real")
    py = sys.executable
    for cmd in (
        [py, "-m", "etl.demo", "--out", str(base / "raw"), "--titles-from",
         str(real_titles_dir), "--ratings", "20000", "--seed", "4"],
        [py, "-m", "etl", "--data-dir", str(base), "--titles", str(real_titles_dir), "-q"],
    ):  # fmt: skip
        subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True)
    return base


def test_drama_counts_every_platforms_label(real: Path, real_titles_dir: Path) -> None:
    frames = [pd.read_csv(p) for p in sorted(real_titles_dir.glob("*_titles.csv"))]
    labels = pd.concat(frames).listed_in.fillna("").str.split(",")
    drama = labels.map(lambda ls: bool({x.strip() for x in ls} & {"Drama", "Dramas",
                                                                  "TV Dramas"}))  # fmt: skip
    finding = render_chart("genres", load_frames(real)).finding
    m = re.search(r"The most frequent genre is Drama \(([\d,]+) titles", finding)
    assert m, finding
    # every title carrying one of the three labels (plus the merged melodrama/medical ones)
    assert int(m[1].replace(",", "")) >= int(drama.sum()) > 7_000


def test_long_names_are_wrapped_not_cut(real: Path) -> None:
    chart = render_chart("durations", load_frames(real))
    assert "…" not in chart.finding
    assert wrap("Marvel Studios' Avengers: Endgame", 30) == "Marvel Studios' Avengers:\nEndgame"
