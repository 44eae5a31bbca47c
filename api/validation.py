"""FastAPI's 422 for a parameter, reworded: the catalogue's own message, never pydantic's.

The schema (api/params.py) refuses what the catalogue would; for the words, the value is handed
to the catalogue's parser for that parameter, whose QueryError message is the one the bot shows
too. Where that parser would take what the schema refused, the words are still ours.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi.exceptions import RequestValidationError

from api import words
from api.accepted import accepted
from api.language import LangKey
from catalog import QueryError, browse
from catalog import validate as v

# The catalogue's parser of each parameter, keyed by the API's name for it.
PARSERS: dict[str, Callable[[object], object]] = {
    "year": v.parse_year,
    "platform": v.parse_platform,
    "duration_type": v.parse_duration_type,
    "scored": v.parse_score,
    "user_id": v.parse_user_id,
    "title": v.parse_text,
    "q": lambda x: v.parse_text(x, "search text"),
    "name": lambda x: v.parse_text(x, "director"),
    "n": lambda x: v.parse_limit(x, "n"),
    "limit": v.parse_limit,
    "kind": v.parse_kind,
    "offset": v.parse_offset,
    "min_score": v.parse_score,
    "sort": browse.parse_sort,
    "genre": browse.parse_genre,
    "decade": browse.parse_decade,
}


def reworded(exc: RequestValidationError, lang: LangKey = "en") -> tuple[str, str | None]:
    """(detail in `lang`, parameter) for the first error FastAPI found; always a 422."""
    errors = exc.errors()
    first = errors[0] if errors else {}
    loc = first.get("loc", ())
    name = str(loc[-1]) if len(loc) > 1 else None
    value = first.get("input")
    if first.get("type") == "missing":
        detail = words.detail(lang, "error_missing", arg=name)
        what = accepted(lang, name or "")
        if what is not None:
            detail = words.detail(lang, "error_give", detail=detail, accepted=what)
        return detail, name
    parser = PARSERS.get(name or "")
    if parser is not None:
        try:
            parser(value)
        except QueryError as e:
            return words.error_detail(lang, e, name), name
        except Exception:  # a parser may choke on what FastAPI passed; fall through
            pass
    what = accepted(lang, name or "")
    if what is not None:
        # Our parser took what the schema refused (e.g. user_id '٣': Python reads Arabic-Indic
        # digits, pydantic does not): still our own words, never pydantic's "Input should be...".
        label = (name or "").replace("_", " ")
        shown = words.detail(
            lang, "error_invalid_parameter", arg=label, value=repr(str(value)[:50])
        )
        return words.detail(lang, "error_give", detail=shown, accepted=what), name
    msg = first.get("msg", "invalid value")  # pydantic's English: a case no parser covers
    shown = words.detail(lang, "error_invalid_parameter", arg=name or "argument", value=repr(value))
    return f"{shown}: {msg}", name
