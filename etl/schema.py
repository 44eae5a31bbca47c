"""Names fixed by DESIGN.md for the ETL's input: raw columns, the platforms' file names.

Platforms, their id letters, the rating scale and the processed files' columns are the domain's
(domain/vocabulary.py).
"""

from __future__ import annotations

TITLE_COLUMNS = (
    "show_id",
    "type",
    "title",
    "director",
    "cast",
    "country",
    "date_added",
    "release_year",
    "rating",
    "duration",
    "listed_in",
    "description",
)
RATING_COLUMNS = ("userId", "rating", "timestamp", "movieId")

# The platform is the first word of the titles file name (etl/titles.py platform_of).
# File names the real Kaggle downloads use; the demo generator writes the same.
PLATFORM_FILES = {
    "amazon": "amazon_prime_titles.csv",
    "disney": "disney_plus_titles.csv",
    "hulu": "hulu_titles.csv",
    "netflix": "netflix_titles.csv",
}
# Fields lower-cased by rule 4 (every text field; date_added, release_year and duration are
# typed instead).
TEXT_COLUMNS = (
    "show_id",
    "type",
    "title",
    "director",
    "cast",
    "country",
    "rating",
    "listed_in",
    "description",
)
MISSING_RATING = "G"
