"""Names fixed by DESIGN.md: raw columns, platforms and their id letters, output columns."""

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

# The platform is the first word of the titles file name; its letter prefixes show_id (rule 1).
PLATFORM_LETTERS = {"amazon": "a", "disney": "d", "hulu": "h", "netflix": "n"}
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
# display.parquet: every text a person reads, in its original casing (issue 14: cards and the API
# showed "rating": "g" and "In paris..."). type is a machine value (movie / tv show), not here.
DISPLAY_COLUMNS = ("title", "director", "cast", "country", "rating", "listed_in", "description")
MISSING_RATING = "G"
RATING_MIN, RATING_MAX = 0.5, 5.0
