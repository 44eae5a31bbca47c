"""Loose words -> typed arguments, each parsed once with the catalogue's own parsers.

`/maxduration netflix 2020 season`, `/scorecount 3,5 prime 2019`: the words come in any order.
A word that fits nothing raises the catalogue's `QueryError` (code, arg, value), which the bot
turns into a sentence in one place (bot/errors.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog.validate import (
    QueryError,
    QueryErrorCode,
    parse_platform,
    parse_score,
    parse_year,
)
from domain.vocabulary import duration_type_key, platform_key

FIELDS = ("platform", "year", "score", "type")
CODES: dict[str, QueryErrorCode] = {
    "platform": "unknown_platform",
    "year": "invalid_year",
    "score": "invalid_score",
    "type": "invalid_duration_type",
}


@dataclass(frozen=True)
class Args:
    platform: str | None = None
    year: int | None = None
    score: float | None = None
    duration_type: str | None = None


def classify(words: list[str], allow: frozenset[str]) -> Args:
    """Sort loose words into platform / year / score / type, whatever their order.

    A 4-digit number is a year; another number is a score; min/season words are a type; the
    rest (one or two words, "amazon prime") is a platform.
    """
    found: dict[str, object] = {}
    i = 0
    while i < len(words):
        word = words[i]
        low = word.lower()
        number = _is_number(low)
        if "year" in allow and "year" not in found and low.isdigit() and len(low) == 4:
            found["year"] = parse_year(low)
        elif "score" in allow and "score" not in found and number:
            found["score"] = parse_score(low)
        elif number and ("year" in allow or "score" in allow):
            # a number that is neither a 4-digit year nor an allowed score
            raise _invalid("year" if "year" in allow and low.isdigit() else "score", word)
        elif "type" in allow and "type" not in found and duration_type_key(low) is not None:
            found["type"] = duration_type_key(low)
        elif "platform" in allow and "platform" not in found:
            pair = platform_key(f"{low} {words[i + 1].lower()}") if i + 1 < len(words) else None
            if pair is not None:
                found["platform"] = pair
                i += 1
            else:
                found["platform"] = parse_platform(word)  # raises unknown_platform
        else:
            raise _invalid(_missing(allow, found), word)
        i += 1
    return Args(
        platform=found.get("platform"),  # type: ignore[arg-type]
        year=found.get("year"),  # type: ignore[arg-type]
        score=found.get("score"),  # type: ignore[arg-type]
        duration_type=found.get("type"),  # type: ignore[arg-type]
    )


def _invalid(field: str, word: str) -> QueryError:
    """A word that is not a valid `field` (or one too many), as the catalogue's error."""
    code = CODES[field]
    return QueryError(code, field, word, f"{field} {word!r} not understood", {})


def _missing(allow: frozenset[str], found: dict[str, object]) -> str:
    for name in FIELDS:
        if name in allow and name not in found:
            return name
    return "platform"


def _is_number(word: str) -> bool:
    try:
        float(word.replace(",", "."))
    except ValueError:
        return False
    return True
