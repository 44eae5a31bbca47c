"""The five transformations of DESIGN.md, each a vectorised function over a pandas Series.

These and only these change the data; everything else the ETL does is reading, checking and
writing.
"""

from __future__ import annotations

import pandas as pd

from domain.vocabulary import PLATFORM_LETTERS
from etl.schema import MISSING_RATING

DATE_FORMAT = "%B %d, %Y"  # "March 30, 2021"
# "93 min", "1 Season", "2 Seasons"; case and surrounding spaces forgiven.
DURATION_PATTERN = r"^\s*(\d+)\s*(min|mins|season|seasons)\s*$"


def make_id(show_id: pd.Series, platform: str) -> pd.Series:
    """Rule 1: platform letter + show_id (`as123` for Amazon's `s123`)."""
    return PLATFORM_LETTERS[platform] + show_id.astype("string").str.lower()


def fill_rating(rating: pd.Series) -> tuple[pd.Series, int]:
    """Rule 2: a missing maturity rating becomes G. Returns the series and how many were filled."""
    rating = rating.astype("string")
    missing = rating.isna() | (rating.str.strip() == "")
    return rating.mask(missing, MISSING_RATING), int(missing.sum())


def parse_date_added(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Rule 3: `March 30, 2021` (stray spaces forgiven) to a date.

    Returns the dates (datetime64, NaT where empty or unparsable) and a mask of the cells that
    had text but could not be parsed, for the report.
    """
    text = raw.astype("string").str.strip()
    dates = pd.to_datetime(text, format=DATE_FORMAT, errors="coerce")
    had_text = text.notna() & (text != "")
    return dates, had_text & dates.isna()


def timestamp_to_date(seconds: pd.Series) -> pd.Series:
    """Rule 3 for ratings: Unix seconds to a UTC calendar date."""
    return pd.to_datetime(seconds, unit="s", utc=True).dt.tz_localize(None).dt.normalize()


def lower_text(values: pd.Series) -> pd.Series:
    """Rule 4: every text field lower-case (Unicode-aware), nulls kept."""
    return values.astype("string").str.lower()


def split_duration(duration: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Rule 5: `93 min` → (93, "min"), `1 Season`/`2 Seasons` → (1|2, "season").

    Returns duration_int (Int32), duration_type (string) and a mask of non-empty cells that did
    not match, for the report.
    """
    text = duration.astype("string")
    parts = text.str.extract(DURATION_PATTERN, flags=2)  # re.IGNORECASE
    number = pd.to_numeric(parts[0], errors="coerce").astype("Int32")
    unit = parts[1].str.lower()
    kind = unit.map({"min": "min", "mins": "min", "season": "season", "seasons": "season"})
    had_text = text.notna() & (text.str.strip() != "")
    return number, kind.astype("string"), had_text & number.isna()


def looks_like_duration(values: pd.Series) -> pd.Series:
    """Cells shaped like a duration: used to spot durations sitting in the rating column."""
    return values.astype("string").str.match(DURATION_PATTERN, case=False).fillna(False)
