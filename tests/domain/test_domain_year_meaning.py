"""What a show's release_year counts on each platform (domain/vocabulary.py `year_meaning`),
checked against the real files (docs/data.md, "What release_year means").

Evidence: where release_year is the *first* season, shows with many seasons were released long
before the platform added them (The Simpsons 1989 with 32 seasons, added 2021); where it is the
*latest* season, a long show is added about when its year says, like a one-season show.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from domain.vocabulary import PLATFORMS, year_meaning


def test_movies_are_their_release_everywhere() -> None:
    assert {year_meaning(p, "movie") for p in PLATFORMS} == {"release"}
    assert year_meaning("disney", "tv show") == "first_season"
    assert year_meaning("netflix", "tv show") == "latest_season"


@pytest.mark.realdata
def test_show_years_match_the_data(real_titles_dir: Path) -> None:
    frames = []
    for path in sorted(real_titles_dir.glob("*_titles.csv")):
        frame = pd.read_csv(path)
        frame["platform"] = path.name.split("_")[0]
        frames.append(frame)
    raw = pd.concat(frames)
    shows = raw[raw.type == "TV Show"].copy()
    shows["seasons"] = shows.duration.str.extract(r"(\d+)").astype(float)
    shows["gap"] = pd.to_datetime(shows.date_added.str.strip(), errors="coerce").dt.year
    shows["gap"] -= shows.release_year
    long_shows = shows[shows.seasons >= 5]
    for platform, g in long_shows.groupby("platform"):
        gap = g.gap.median()
        # first season: years go by before a long show reaches the platform (9-10 here)
        expected = "first_season" if gap >= 5 else "latest_season"
        assert year_meaning(str(platform), "tv show") == expected, (platform, gap)
    # Amazon lists few dates_added: the same shows on Amazon and Hulu say it (Amazon later)
    pairs = shows[shows.platform == "amazon"].merge(
        shows[shows.platform == "hulu"], on="title", suffixes=("_a", "_h")
    )
    pairs = pairs[(pairs.seasons_a >= 3) & (pairs.seasons_h >= 3)]
    assert (pairs.release_year_a - pairs.release_year_h).median() > 0
    simpsons = raw[(raw.title == "The Simpsons") & (raw.platform == "disney")]
    assert simpsons.release_year.item() == 1989
