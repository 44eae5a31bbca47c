"""What each parameter of the API accepts, in words, in the answer's language: the `accepted`
field of an error body (and, in English, the parameter descriptions of /docs).

The sentences are locales/api.<lang>.po's `accepted_<parameter>`; the words they list (platform,
kind and duration aliases, genre keys, the ranges) come from the vocabulary's tables and the
catalogue's limits, so a new platform or alias needs no edit here.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import locales
from catalog import validate as v
from domain.genres import GENRES
from domain.vocabulary import (
    DURATION_TYPE_INFO,
    KIND_INFO,
    PLATFORM_INFO,
    DurationType,
    Kind,
    Platform,
    accepted_words,
)

DOMAIN = "api"  # locales/api.<lang>.po, as api/words.py

# Every parameter with an `accepted_<name>` text; each route's parameters are among them
# (tests/api/test_api_errors.py).
PARAMETERS = (
    "year", "platform", "duration_type", "scored", "user_id", "title", "q", "n", "limit",
    "kind", "title_id", "offset", "genre", "decade", "min_score", "sort", "format", "lang",
    "name",
)  # fmt: skip
# What an answer other than a parameter's asks for: an ambiguous title's `candidates`, an id
# to find with /search, an unknown path, a method, the model, the admin token.
OTHER = ("ambiguous", "title_id_search", "endpoints", "methods", "model", "token", "set_token")


def _words(lang: str, records: Iterable[Platform | Kind | DurationType]) -> str:
    """The vocabulary's accepted words with `lang`'s connecting words ("also", "for")."""
    also = locales.text(DOMAIN, lang, "accepted_also")
    alias = locales.text(DOMAIN, lang, "accepted_alias")
    return accepted_words(records, also, alias)


@cache
def _fields(lang: str) -> dict[str, object]:
    return {
        "platforms": _words(lang, PLATFORM_INFO.values()),
        "kinds": _words(lang, KIND_INFO.values()),
        "durations": _words(lang, DURATION_TYPE_INFO.values()),
        "genres": ", ".join(GENRES),
        "year_min": v.YEAR_MIN,
        "year_max": v.YEAR_MAX,
        "score_min": f"{v.SCORE_MIN:g}",
        "score_max": f"{v.SCORE_MAX:g}",
        "limit_max": v.LIMIT_MAX,
        "offset_max": v.OFFSET_MAX,
    }


def accepted(lang: str, name: str, **fields: object) -> str | None:
    """What `name` (a parameter, or one of OTHER) accepts, in `lang`; None for a name with no
    text (a parameter no route declares)."""
    template = locales.messages(DOMAIN, lang).get(f"accepted_{name}")
    if template is None:
        return None
    return template.format(**_fields(lang), **fields)


# The English texts, for the parameter descriptions of /docs (api/params.py).
ACCEPTED: dict[str, str] = {
    name: text for name in PARAMETERS if (text := accepted("en", name)) is not None
}
PLATFORM_ACCEPTED = ACCEPTED["platform"]
