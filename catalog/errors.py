"""What the query layer raises on purpose, and the codes front ends translate.

A wrong argument is a `QueryError(code, arg, value, message, params)`: `code` (one of
QUERY_ERROR_CODES) says what is wrong, `arg` which argument, `value` what was given, `params`
what a message needs (a range's min/max, accepted names); str(e) is the English message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, get_args

from catalog.results import SearchHit


class CatalogError(Exception):
    """Base of everything the query layer raises on purpose."""


# Every code a QueryError can carry. Front ends translate by code (and `arg`, `params`), never
# by parsing the English text; tests check that each one has a translation.
QueryErrorCode = Literal[
    "unknown_platform",
    "invalid_year",
    "invalid_score",
    "invalid_duration_type",
    "unknown_kind",
    "invalid_limit",
    "invalid_offset",
    "invalid_user",
    "empty_text",
    "text_too_long",
    "invalid_rating",
    "invalid_ratings",
    "unknown_genre",
    "invalid_sort",
    "unknown_word",
    "title_not_found",
    "ambiguous_title",
]
QUERY_ERROR_CODES: tuple[QueryErrorCode, ...] = get_args(QueryErrorCode)


class QueryError(CatalogError, ValueError):
    """A wrong argument: `code` says what is wrong, `arg` which argument, `value` what was given.

    `params` holds what a front end needs to say it in its own words (e.g. `min`/`max` of a
    range, `accepted` names); str(e) is the English message naming the value and what is
    accepted.
    """

    def __init__(
        self,
        code: QueryErrorCode,
        arg: str,
        value: object,
        message: str,
        params: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.code: QueryErrorCode = code
        self.arg = arg
        self.value = value
        self.message = message
        self.params: Mapping[str, object] = MappingProxyType(dict(params or {}))


class TitleNotFound(QueryError):
    """No title matches the given id or name."""

    def __init__(self, text: str, arg: str = "title") -> None:
        super().__init__(
            "title_not_found",
            arg,
            text,
            f"no title matches {text!r}; try a title id such as 'ns1' or another name",
        )
        self.text = text


class AmbiguousTitle(QueryError):
    """The name matches several titles; `candidates` (SearchHit) lets a front end offer a choice."""

    def __init__(self, text: str, candidates: Sequence[SearchHit], arg: str = "title") -> None:
        names = "; ".join(
            f"{c.title} ({c.platform}, {c.release_year}, id {c.id})" for c in candidates
        )
        super().__init__(
            "ambiguous_title",
            arg,
            text,
            f"{text!r} matches several titles, pick one by id: {names}",
            {"candidates": tuple(candidates)},
        )
        self.text = text
        self.candidates: tuple[SearchHit, ...] = tuple(candidates)


# Why no model is served, for front ends to word in a person's language (the API's 503).
ModelProblemCode = Literal["no_models_folder", "model_not_loaded", "no_model"]


@dataclass(frozen=True)
class ModelProblem:
    """Why no model is served: `code`, the models `folder`, and where loading failed the
    loader's own error (`cause`, "UnpicklingError: ..." as raised: program output, quoted as
    it is in every language). str() is the English sentence logs, /health and /status show."""

    code: ModelProblemCode
    folder: str = ""
    cause: str | None = None

    def __str__(self) -> str:
        if self.code == "no_models_folder":
            return f"no model: {self.folder} does not exist (run `python -m model train`)"
        if self.code == "model_not_loaded":
            return f"model not loaded from {self.folder}: {self.cause}"
        return "no recommendation model is loaded"


class ModelUnavailable(CatalogError):
    """A recommendation was asked for but no model is loaded; the message (and `problem`,
    for front ends that word it themselves) says why."""

    def __init__(self, message: str, problem: ModelProblem | None = None) -> None:
        super().__init__(message)
        self.problem = problem or ModelProblem("no_model")
