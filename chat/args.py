"""Loose words -> typed arguments, each parsed once with the catalogue's own parsers.

`/maxduration netflix 2020 season`, `/scorecount 3,5 prime 2019`: the words come in any order.
A word that is a bad value of something the command takes raises the catalogue's `QueryError`
(code, arg, value); a word that has no place in the command ("2020" twice, a score given to
/maxduration, a year given to /platformcount) raises `Misplaced`, which names that word and
what the command takes. The bot turns both into sentences in one place (chat/errors.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog.errors import QueryError, QueryErrorCode
from catalog.validate import parse_platform, parse_score, parse_year
from domain.vocabulary import KIND_INFO, duration_type_key, kind_key, platform_key

FIELDS = ("platform", "year", "score", "type")
CODES: dict[str, QueryErrorCode] = {
    "platform": "unknown_platform",
    "year": "invalid_year",
    "score": "invalid_score",
    "type": "invalid_duration_type",
}
# "every platform", wherever a platform is optional (the menus' All button)
ALL_PLATFORMS = frozenset({"all", "any", "todas", "todos", "cualquiera", "*"})


class Misplaced(ValueError):
    """A word the command has no place for: `field` is what it looks like ("year" when a second
    year came), or None when it looks like nothing the command takes."""

    def __init__(self, word: str, field: str | None, first: object = None) -> None:
        super().__init__(f"{word!r} has no place here ({field})")
        self.word = word
        self.field = field
        self.first = first  # the value already given for `field`, when it came twice


@dataclass(frozen=True)
class Args:
    platform: str | None = None
    year: int | None = None
    score: float | None = None
    duration_type: str | None = None
    any_platform: bool = False  # the person said "all": no platform filter, on purpose


def classify(words: list[str], allow: frozenset[str], optional_platform: bool = False) -> Args:
    """Sort loose words into platform / year / score / type, whatever their order.

    A 4-digit number is a year; another number is a score; min/season words (and movie/show
    words) are a type; "all" is every platform where the platform is optional; the rest (one or
    two words, "amazon prime") is a platform.
    """
    found: dict[str, object] = {}
    any_platform = False
    i = 0
    while i < len(words):
        word = words[i]
        low = word.lower()
        field = _looks_like(low)
        if field == "all" and optional_platform:
            if "platform" in found or any_platform:
                raise Misplaced(word, "platform", found.get("platform", word))
            any_platform = True
        elif field is None and "platform" in allow:
            if "platform" in found or any_platform:
                # looked up only now (the cold path): a second platform, or just a stray word
                second = platform_key(low) is not None
                raise Misplaced(word, "platform" if second else None, found.get("platform"))
            found["platform"], used = _platform(words, i)
            i += used - 1
        elif field in allow and field in found:
            raise Misplaced(word, field, found[field])
        elif field == "year" and "year" in allow:
            found["year"] = parse_year(low)
        elif field == "score" and "score" in allow:
            found["score"] = parse_score(low)
        elif field == "type" and "type" in allow:
            found["type"] = _duration_type(low)
        elif field == "number" and "year" in allow and "score" not in allow:
            raise _invalid("year", word)  # "20", "2020.5": a year that is not one
        elif field == "number" and "score" in allow:
            raise _invalid("score", word)  # "7": a score off the scale
        else:
            raise Misplaced(word, None if field in (None, "number", "all") else field)
        i += 1
    return Args(
        platform=found.get("platform"),  # type: ignore[arg-type]
        year=found.get("year"),  # type: ignore[arg-type]
        score=found.get("score"),  # type: ignore[arg-type]
        duration_type=found.get("type"),  # type: ignore[arg-type]
        any_platform=any_platform,
    )


def _platform(words: list[str], i: int) -> tuple[str, int]:
    """The platform named from words[i] on, longest name first ("amazon prime video"), and how
    many words it took; an unknown name raises unknown_platform."""
    for n in (3, 2):
        key = platform_key(" ".join(words[i : i + n])) if i + n <= len(words) else None
        if key is not None:
            return key, n
    return parse_platform(words[i]), 1


def _looks_like(low: str) -> str | None:
    """What a word looks like, before checking it is valid: year, score, number, type, all."""
    if low.isdigit() and len(low) == 4:
        return "year"
    if _is_number(low):
        value = float(low.replace(",", "."))
        return "score" if 0 <= value <= 5 else "number"
    if duration_type_key(low) is not None or kind_key(low) is not None:
        return "type"
    if low in ALL_PLATFORMS:
        return "all"
    return None  # a platform, or a word that fits nothing: parse_platform tells (parsed once)


def _duration_type(low: str) -> str:
    """'season', 'temporadas' -> 'season'; a kind word ('movie', 'película') -> its unit."""
    key = duration_type_key(low)
    if key is not None:
        return key
    return KIND_INFO[kind_key(low) or ""].duration_type


def _invalid(field: str, word: str) -> QueryError:
    """A word that is not a valid `field`, as the catalogue's error."""
    code = CODES[field]
    return QueryError(code, field, word, f"{field} {word!r} not understood", {})


def _is_number(word: str) -> bool:
    try:
        float(word.replace(",", "."))
    except ValueError:
        return False
    return True
