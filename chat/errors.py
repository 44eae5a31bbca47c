"""The one place where the catalogue's errors become sentences, by code, in the person's
language. Handlers let `QueryError` and `ModelUnavailable` through; the router calls `explain`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from catalog.errors import CatalogError, ModelUnavailable, QueryError
from catalog.validate import USER_ID_MAX

from .context import echo
from .i18n import platforms, t
from .replies import Html, esc

if TYPE_CHECKING:
    from .args import Misplaced
    from .registry import Command

# code -> message key; every message takes the given value as {value}
KEYS = {
    "unknown_platform": "bad_platform",
    "invalid_year": "bad_year",
    "invalid_score": "bad_score",
    "invalid_duration_type": "bad_type",
    "unknown_kind": "bad_type",
    "invalid_user": "bad_user",
    # a text the catalogue refuses (empty, too long) or matching nothing: "no title like …"
    "empty_text": "not_found",
    "text_too_long": "not_found",
    "title_not_found": "not_found",
    "ambiguous_title": "not_found",
    # never from a command's words today (API arguments), said plainly all the same
    "invalid_limit": "bad_value",
    "invalid_offset": "bad_value",
    "invalid_rating": "bad_value",
    "invalid_ratings": "bad_value",
    # browsing's (catalog/browse.py): /browse's words and its menu's typed genre
    "unknown_genre": "bad_genre",
    "invalid_sort": "bad_value",
    "unknown_word": "bad_browse_word",
}

# where the argument words it better than the code alone: a decade ("90s") is not a year
ARGUMENT_KEYS = {("invalid_year", "decade"): "bad_decade"}


def explain(lang: str, error: CatalogError) -> Html:
    """`error` in `lang`, quoting (a bounded prefix of) the value the person gave."""
    if isinstance(error, ModelUnavailable):
        return t(lang, "no_model")
    if not isinstance(error, QueryError):
        return t(lang, "error")
    key = ARGUMENT_KEYS.get((error.code, error.arg)) or KEYS.get(error.code, "error")
    value = echo(str(error.value))
    accepted = platforms(lang, "or")
    return t(lang, key, value=value, text=value, max=USER_ID_MAX, platforms=accepted)


def misplaced(lang: str, error: Misplaced, command: Command) -> Html:
    """A word the command has no place for, named, with what the command takes."""
    name = command.name_in(lang)
    syntax = command.syntax(lang)
    usage = Html(esc(f"/{name} {syntax}".strip()))
    value = echo(error.word)
    if error.field is not None and error.first is not None:
        what = t(lang, f"field_{error.field}")
        first = echo(str(error.first))
        return t(lang, "arg_twice", what=what, first=first, value=value, usage=usage)
    return t(lang, "arg_misplaced", value=value, usage=usage)
