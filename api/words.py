"""The API's text fields in the client's language (locales/api.<lang>.po): a show's year as its
platform means it ("since 1989", "latest season 2019"; docs/data.md), a recommendation's
reason, a similar title's reasons, and every error's `detail` (by the QueryError's code and
params, never its English)."""

from __future__ import annotations

from typing import get_args

import locales
from catalog import AmbiguousTitle, QueryError, Recommendation
from catalog.errors import QUERY_ERROR_CODES, ModelProblemCode
from domain.genres import genre_name
from domain.vocabulary import PLATFORM_LETTERS, YearMeaning

DOMAIN = "api"


def year_label(lang: str, meaning: YearMeaning, year: int | None) -> str | None:
    """'2019' for a movie, 'since 1989' for a show counted from its first season, 'latest
    season 2019' for one counted from its latest; None without a year."""
    if year is None:
        return None
    return locales.text(DOMAIN, lang, f"year_{meaning}").format(year=year)


def reason(lang: str, rec: Recommendation) -> str:
    """The decision and what it rests on, naming the title, in `lang`."""
    verdict = "verdict_yes" if rec.recommended else "verdict_no"
    values = {
        "estimate": f"{rec.estimate:.2f}",
        "threshold": f"{rec.threshold:.2f}",
        "user": rec.user_id,
        "title": rec.title.title,
    }
    why = locales.messages(DOMAIN, lang).get(f"why_{rec.reason_code}")
    text = locales.text(DOMAIN, lang, verdict).format(**values)
    return f"{text}; {why.format(**values)}" if why else text


SIMILAR_REASONS = ("same_director", "same_cast", "co_rated")  # and "same_genre:<key>"


def similar_reason(lang: str, code: str) -> str | None:
    """One of /similar's reason codes (model/similarity.py) in words, as the bot says it:
    "same director", "also drama", "people who liked it liked this"; None for a code we have
    no words for."""
    if code.startswith("same_genre:"):
        genre = genre_name(code.split(":", 1)[1], lang).lower()
        return locales.text(DOMAIN, lang, "reason_same_genre").format(genre=genre)
    return locales.text(DOMAIN, lang, f"reason_{code}") if code in SIMILAR_REASONS else None


# ---------------------------------------------------------------- error details

# A QueryError's code -> its message key in locales/api.*.po; where one code covers cases that
# read differently, the key is chosen by the error's argument or params (below, `_error_key`).
ERROR_PREFIX = "error_"


def _error_key(e: QueryError) -> str:
    if e.code == "invalid_year" and e.arg == "decade":
        return "error_invalid_decade"
    if e.code == "unknown_word" and "field" in e.params:
        return "error_unknown_word_twice"
    return ERROR_PREFIX + e.code


def error_keys() -> tuple[str, ...]:
    """Every message key an error detail can use: one per QueryError code, and the variants."""
    codes = tuple(ERROR_PREFIX + c for c in QUERY_ERROR_CODES)
    return (*codes, "error_invalid_decade", "error_unknown_word_twice", *OTHER_ERROR_KEYS)


# The API's own failures that are not a catalogue argument's (api/errors.py, api/validation.py).
OTHER_ERROR_KEYS = (
    "error_missing",
    "error_invalid_parameter",
    "error_no_such_title_id",
    "error_no_director",
    "error_no_endpoint",
    "error_method_not_allowed",
    "error_model_unavailable",
    "error_internal",
    "error_forbidden",
    "error_unauthorized",
    "error_reload_failed",
    "error_give",
    # the 503's reason, one per catalog.errors.ModelProblemCode
    *(f"model_{code}" for code in get_args(ModelProblemCode)),
)


def shown_value(value: object) -> str:
    """The value a client sent as the catalogue's messages show it: a number as written, any
    other value quoted as Python's repr quotes it, cut to 50 characters."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return repr(value)
    return repr((value if isinstance(value, str) else str(value))[:50])


def _number(lang: str, value: object) -> str:
    if isinstance(value, int):
        return str(value)  # a year or a user id: no grouping, no exponent
    if isinstance(value, float):
        return locales.short(lang, value)
    return str(value)


def error_detail(lang: str, e: QueryError, parameter: str | None = None) -> str:
    """What was wrong and what to send instead, in `lang`, from the error's code, argument
    (`parameter`: the endpoint's name for it) and params; never parsed from its English text."""
    p = e.params
    accepted = p.get("accepted", ())
    fields: dict[str, object] = {
        "arg": parameter or e.arg,
        "value": shown_value(e.value),
        "min": _number(lang, p.get("min", "")),
        "max": _number(lang, p.get("max", "")),
        "length": _number(lang, p.get("length", "")),
        "accepted": ", ".join(str(a) for a in accepted)
        if isinstance(accepted, tuple | list)
        else str(accepted),
        "field": str(p.get("field", "")),
        "letters": "/".join(PLATFORM_LETTERS.values()),
        "first": shown_value(p.get("first", "")),
        "candidates": "; ".join(
            locales.text(DOMAIN, lang, "error_candidate").format(
                title=c.title, platform=c.platform, year=c.release_year, id=c.id
            )
            for c in (e.candidates if isinstance(e, AmbiguousTitle) else ())
        ),
    }
    return locales.text(DOMAIN, lang, _error_key(e)).format(**fields)


def detail(lang: str, key: str, **fields: object) -> str:
    """One of the API's own error details (OTHER_ERROR_KEYS) in `lang`."""
    return locales.text(DOMAIN, lang, key).format(**fields)
