"""Every argument check of the query layer, in one place.

The bot, the console chat and the API pass user text straight through; a wrong value raises
`QueryError` (catalog/errors.py) carrying a machine `code`, the argument name
`arg`, the offending `value` and render `params` (a range's min/max, accepted names); each front
end translates it in one place, and str(e) is an English message naming the value and what is
accepted.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from numbers import Integral, Real

from catalog.errors import QueryError
from domain.text import tidy
from domain.vocabulary import (
    ALL_PLATFORM_WORDS,
    DURATION_TYPE_INFO,
    DURATION_TYPES,
    KIND_INFO,
    KINDS,
    PLATFORM_INFO,
    PLATFORMS,
    RATING_MAX,
    RATING_MIN,
    accepted_words,
    duration_type_key,
    kind_key,
    platform_key,
)

SCORE_MIN, SCORE_MAX = 0.0, 5.0
# Release years of the real catalogues run 1920..2021; anything outside this window is a typo.
YEAR_MIN = 1850
YEAR_MAX = dt.date.today().year + 5
LIMIT_MAX = 100
# Past the last page of any list: /titles, /top and /similar page through every title of a
# full-scale catalogue (23k), with room to grow; deeper costs no more than the whole ranking.
OFFSET_MAX = 100_000
TEXT_MAX = 200
# One rule for user ids everywhere -- bot commands, callback data, the API: a whole number from
# 0 to 2**63 - 1 (SQLite's INTEGER). Dataset userIds (int32) and Telegram ids (< 2**53) fit;
# anything longer is refused with a message instead of reaching a button or the model.
USER_ID_MAX = 2**63 - 1
USER_ID_DIGITS = len(str(USER_ID_MAX))  # 19: what callback data allows for a user field


def parse_platform(text: object) -> str:
    """Loose platform alias -> canonical name (a key of domain.vocabulary.PLATFORM_INFO)."""
    found = platform_key(text)
    if found is not None:
        return found
    raise QueryError(
        "unknown_platform",
        "platform",
        text,
        f"unknown platform {text!r}; use one of {accepted_words(PLATFORM_INFO.values())}",
        {"accepted": PLATFORMS},
    )


def parse_optional_platform(text: object) -> str | None:
    """None, '' or 'all' (no filter; also the bot's other words for every platform) or a
    platform alias."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if isinstance(text, str) and tidy(text) in ALL_PLATFORM_WORDS:
        return None
    return parse_platform(text)


def _as_int(value: object) -> int | None:
    """An integer from int, integral float or a digit string; None when it is not one."""
    if isinstance(value, bool):  # True is an int in Python but never a year
        return None
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Real) and math.isfinite(float(value)) and float(value).is_integer():
        return int(float(value))  # an integral float (2001.0) or numpy float
    # A digit string longer than any number we accept is not one (and int() of over 4,300
    # digits raises ValueError instead of giving a number).
    if isinstance(value, str) and len(value) <= 64 and re.fullmatch(r"\s*[+-]?\d+\s*", value):
        return int(value)
    return None


def parse_year(value: object) -> int:
    """A release year as an int within YEAR_MIN..YEAR_MAX."""
    year = _as_int(value)
    if year is None or not YEAR_MIN <= year <= YEAR_MAX:
        raise QueryError(
            "invalid_year",
            "year",
            value,
            f"invalid year {value!r}; give a release year as a whole number "
            f"between {YEAR_MIN} and {YEAR_MAX}",
            {"min": YEAR_MIN, "max": YEAR_MAX},
        )
    return year


def parse_optional_year(value: object) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_year(value)


def parse_score(value: object) -> float:
    """A user score threshold within the rating scale 0..5 (a decimal comma is accepted)."""
    number: float | None = None
    if isinstance(value, Real) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            number = None
    if number is None or not math.isfinite(number) or not SCORE_MIN <= number <= SCORE_MAX:
        raise QueryError(
            "invalid_score",
            "score",
            value,
            f"invalid score {value!r}; give a number from {SCORE_MIN:g} to {SCORE_MAX:g} "
            "(the user rating scale), e.g. 3.5",
            {"min": SCORE_MIN, "max": SCORE_MAX},
        )
    return number


def parse_duration_type(value: object) -> str:
    """'min'/'minutes' -> 'min', 'season'/'seasons' -> 'season'; None -> 'min' (the default)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "min"
    found = duration_type_key(value)
    if found is not None:
        return found
    raise QueryError(
        "invalid_duration_type",
        "duration_type",
        value,
        f"invalid duration type {value!r}; use one of "
        f"{accepted_words(DURATION_TYPE_INFO.values())}",
        {"accepted": DURATION_TYPES},
    )


def parse_kind(value: object) -> str | None:
    """'movie' or 'tv show' (aliases movies, film, show, series, tv); None/'' -> None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    found = kind_key(value)
    if found is not None:
        return found
    raise QueryError(
        "unknown_kind",
        "kind",
        value,
        f"invalid kind {value!r}; use one of {accepted_words(KIND_INFO.values())}",
        {"accepted": KINDS},
    )


def parse_limit(value: object, name: str = "limit") -> int:
    """How many results to return: a whole number 1..LIMIT_MAX."""
    number = _as_int(value)
    if number is None or not 1 <= number <= LIMIT_MAX:
        raise QueryError(
            "invalid_limit",
            name,
            value,
            f"invalid {name} {value!r}; give a whole number from 1 to {LIMIT_MAX}",
            {"min": 1, "max": LIMIT_MAX},
        )
    return number


def parse_offset(value: object) -> int:
    """Where a page of results starts: a whole number 0..OFFSET_MAX (0 = the first result)."""
    number = _as_int(value)
    if number is None or not 0 <= number <= OFFSET_MAX:
        raise QueryError(
            "invalid_offset",
            "offset",
            value,
            f"invalid offset {str(value)[:50]!r}; give a whole number from 0 to {OFFSET_MAX}",
            {"min": 0, "max": OFFSET_MAX},
        )
    return number


def parse_user_id(value: object) -> int:
    """A user id: a whole number 0..USER_ID_MAX (ratings userId or a Telegram user id)."""
    number = _as_int(value)
    if number is None or not 0 <= number <= USER_ID_MAX:
        raise QueryError(
            "invalid_user",
            "user_id",
            value,
            f"invalid user id {str(value)[:50]!r}; give a whole number from 0 to {USER_ID_MAX}",
            {"min": 0, "max": USER_ID_MAX},
        )
    return number


def parse_text(value: object, what: str = "title", arg: str | None = None) -> str:
    """Non-empty search text, at most TEXT_MAX characters (the longest real title has 109).

    `what` names the text in the English message; `arg` (default: `what` with underscores)
    is the argument name the error carries.
    """
    name = arg if arg is not None else what.replace(" ", "_")
    if not isinstance(value, str) or not value.strip():
        raise QueryError(
            "empty_text", name, value, f"invalid {what} {value!r}; give some text to search for"
        )
    if len(value.strip()) > TEXT_MAX:
        # Bounds the work of one search (each unknown word is looked up in the vocabulary).
        length = len(value.strip())
        raise QueryError(
            "text_too_long",
            name,
            value,
            f"{what} too long ({length} characters); give at most {TEXT_MAX}",
            {"max": TEXT_MAX, "length": length},
        )
    return value.strip()


def parse_rating(value: object) -> float:
    """One user rating on the 0.5..5 scale (what the model's fold-in accepts)."""
    number = None
    if isinstance(value, Real) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            number = None
    if number is None or not math.isfinite(number) or not RATING_MIN <= number <= RATING_MAX:
        raise QueryError(
            "invalid_rating",
            "rating",
            value,
            f"invalid rating {value!r}; give a number from {RATING_MIN:g} to {RATING_MAX:g}",
            {"min": RATING_MIN, "max": RATING_MAX},
        )
    return number


def parse_ratings(value: object) -> dict[str, float]:
    """A mapping title id -> rating; ids are lower-cased (ids in the data are lower-case)."""
    if not isinstance(value, Mapping):
        raise QueryError(
            "invalid_ratings",
            "ratings",
            value,
            "ratings must be a mapping of title id to a rating from 0.5 to 5",
        )
    return {parse_text(k, "title id").lower(): parse_rating(v) for k, v in value.items()}
