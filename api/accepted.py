"""What each parameter of the API accepts, in words: shown in error bodies and in /docs."""

from __future__ import annotations

from catalog import validate as v
from domain.genres import GENRES
from domain.vocabulary import (
    DURATION_TYPE_INFO,
    KIND_INFO,
    PLATFORM_INFO,
    accepted_words,
)

# The words come from the vocabulary's tables: a new platform or alias needs no edit here.
PLATFORM_ACCEPTED = f"one of {accepted_words(PLATFORM_INFO.values())}; any case"
ACCEPTED: dict[str, str] = {
    "year": f"a release year, a whole number from {v.YEAR_MIN} to {v.YEAR_MAX}",
    "platform": PLATFORM_ACCEPTED,
    "duration_type": f"one of {accepted_words(DURATION_TYPE_INFO.values())}; any case",
    "scored": "a number from 0 to 5 (the user rating scale), e.g. 3.5",
    "user_id": "a non-negative whole number (a userId of the ratings)",
    "title": "a title id such as 'ns123' or (part of) a title name",
    "q": "some text to search for in title names (typos forgiven)",
    "n": f"a whole number from 1 to {v.LIMIT_MAX}",
    "limit": f"a whole number from 1 to {v.LIMIT_MAX}",
    "kind": f"one of {accepted_words(KIND_INFO.values())}; any case",
    "title_id": "a title id such as 'ns123': platform letter + show_id",
    "offset": f"a whole number from 0 to {v.OFFSET_MAX} (0 = the first result)",
    "genre": f"one of {', '.join(GENRES)}, a genre's name in English or Spanish, or a "
    "platform's own label ('TV Comedies')",
    "decade": "its first year, a multiple of 10: 1990 for the 1990s",
    "sort": "'score' (best mean score first, few votes count less) or 'newest' (release year, "
    "then date added)",
    "words": "platform, type, genre, year or decade, minimum score (4+) and sort, in any order",
}
