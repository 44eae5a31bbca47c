"""One error format for every failure, and the one place catalogue errors become HTTP answers.

| status | error | when |
|---|---|---|
| 404 | not_found | unknown platform, title (or title id), or endpoint |
| 405 | method_not_allowed | e.g. POST on a GET endpoint (Allow header lists the methods) |
| 409 | ambiguous_title | the title text names several titles: `candidates` lists them |
| 422 | invalid_argument | a missing or malformed query parameter |
| 401/403 | unauthorized / forbidden | /admin/reload without the right token, or disabled |
| 503 | model_unavailable / reload_failed | no model loaded; a reload that failed |

Endpoints let the catalogue's exceptions through; `install` registers the handlers that turn
them into ErrorOut: a `QueryError` by its `code` (`BY_CODE`), naming the endpoint's parameter
its `arg` stands for. FastAPI's own validation errors get the catalogue's message for that
parameter (api/validation.py). Nothing a client sends should reach the 500 handler; it exists so
that a bug still answers JSON (and is logged with its traceback) instead of a bare text page.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import words
from api.accepted import accepted as accepted_text
from api.language import LangKey, request_lang
from api.schemas import ErrorName, ErrorOut, SearchHit
from api.validation import reworded
from catalog import AmbiguousTitle, ModelUnavailable, QueryError, ReloadError
from catalog import SearchHit as CatalogSearchHit
from catalog.errors import ModelProblem, QueryErrorCode
from catalog.loading import CatalogLoadError

log = logging.getLogger("api")

# Every code of catalog.errors.QUERY_ERROR_CODES -> (status, error); tests/api/test_api_errors.py
# checks that none is missing.
BY_CODE: dict[QueryErrorCode, tuple[int, ErrorName]] = {
    # Well formed, but not something we carry: like an unknown path, 404.
    "unknown_platform": (404, "not_found"),
    "title_not_found": (404, "not_found"),
    "unknown_genre": (404, "not_found"),
    # The request is valid; the data makes it ambiguous: pick one of `candidates`.
    "ambiguous_title": (409, "ambiguous_title"),
    "invalid_year": (422, "invalid_argument"),
    "invalid_score": (422, "invalid_argument"),
    "invalid_duration_type": (422, "invalid_argument"),
    "unknown_kind": (422, "invalid_argument"),
    "invalid_limit": (422, "invalid_argument"),
    "invalid_offset": (422, "invalid_argument"),
    "invalid_user": (422, "invalid_argument"),
    "empty_text": (422, "invalid_argument"),
    "text_too_long": (422, "invalid_argument"),
    "invalid_rating": (422, "invalid_argument"),
    "invalid_ratings": (422, "invalid_argument"),
    "invalid_sort": (422, "invalid_argument"),
    "unknown_word": (422, "invalid_argument"),
}

# The catalogue's argument names that an endpoint calls otherwise: /score_count's `scored` is
# the catalogue's score, /search's `q` the text it searches for, /director's `name` the director.
_ALSO_CALLED: dict[str, tuple[str, ...]] = {
    "score": ("scored",),
    "title": ("q",),
    "search_text": ("q",),
    "director": ("name",),
}


class ApiError(Exception):
    """An answer other than 200; rendered as ErrorOut. `detail` is already in `lang`;
    `accepted`, when not given, is what `parameter` accepts, in `lang` too."""

    def __init__(
        self,
        status: int,
        error: ErrorName,
        detail: str,
        parameter: str | None = None,
        accepted: str | None = None,
        candidates: Sequence[CatalogSearchHit] | None = None,
        headers: Mapping[str, str] | None = None,
        lang: LangKey | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.lang = lang  # the language of `detail`, sent as Content-Language
        if accepted is None and parameter is not None:
            accepted = accepted_text(lang or "en", parameter)
        self.body = ErrorOut(
            error=error,
            detail=detail,
            parameter=parameter,
            accepted=accepted,
            candidates=(
                None
                if candidates is None
                else [SearchHit.model_validate(c, from_attributes=True) for c in candidates]
            ),
        )
        self.headers = headers


def translate(e: QueryError, parameter: str | None, lang: LangKey = "en") -> ApiError:
    """The catalogue's QueryError as the API's answer, on the endpoint's `parameter`, its
    `detail` and `accepted` in `lang` (api/words.py: by code and params, not from the English
    message)."""
    status, error = BY_CODE[e.code]
    detail = words.error_detail(lang, e, parameter)
    if isinstance(e, AmbiguousTitle):
        return ApiError(
            status, error, detail, parameter, accepted_text(lang, "ambiguous"),
            candidates=e.candidates, lang=lang,
        )  # fmt: skip
    return ApiError(status, error, detail, parameter, lang=lang)


def parameter_of(arg: str, declared: Sequence[str] | None) -> str | None:
    """The endpoint's name for the catalogue's argument `arg`; `declared` are its parameters
    (None: not known, `arg` is kept). None when the endpoint has no such parameter."""
    if declared is None or arg in declared:
        return arg
    return next((name for name in _ALSO_CALLED.get(arg, ()) if name in declared), None)


def _declared(request: Request) -> list[str] | None:
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return None
    d = route.dependant
    return [p.alias for p in (*d.query_params, *d.path_params)]


def no_such_title_id(title_id: str, lang: LangKey = "en") -> ApiError:
    """/title/{title_id}: the catalogue answers None for an id it does not carry."""
    detail = words.detail(lang, "error_no_such_title_id", value=words.shown_value(title_id))
    return ApiError(
        404, "not_found", detail, "title_id", accepted_text(lang, "title_id_search"), lang=lang
    )


def no_such_director(name: str, lang: LangKey = "en") -> ApiError:
    """/director: no director's name holds the words."""
    detail = words.detail(lang, "error_no_director", value=words.shown_value(name))
    return ApiError(404, "not_found", detail, "name", lang=lang)


def model_unavailable(problem: ModelProblem, lang: LangKey = "en") -> ApiError:
    """503: why no model is served, worded in `lang` from the problem's code; the folder and
    the loader's own error (program output) are quoted as they are."""
    why = words.detail(lang, f"model_{problem.code}", folder=problem.folder, cause=problem.cause)
    return ApiError(
        503, "model_unavailable", words.detail(lang, "error_model_unavailable", why=why),
        accepted=accepted_text(lang, "model"), lang=lang,
    )  # fmt: skip


def _render(err: ApiError, lang: LangKey | None = None) -> JSONResponse:
    headers = dict(err.headers or {})
    if lang is not None:
        headers["Content-Language"] = lang  # the language `detail` is in
    return JSONResponse(
        err.body.model_dump(mode="json", exclude_none=False),
        status_code=err.status,
        headers=headers,
    )


def _http_error(request: Request, exc: StarletteHTTPException, lang: LangKey) -> ApiError:
    """Starlette's own 404/405 (no such path or method) in the one format."""
    path = request.url.path
    if exc.status_code == 404:
        return ApiError(
            404, "not_found", words.detail(lang, "error_no_endpoint", value=repr(path)),
            accepted=accepted_text(lang, "endpoints"), lang=lang,
        )  # fmt: skip
    if exc.status_code == 405:
        allow = (exc.headers or {}).get("Allow", "")
        detail = words.detail(lang, "error_method_not_allowed", method=request.method, path=path)
        return ApiError(
            405, "method_not_allowed", detail,
            accepted=accepted_text(lang, "methods", allow=allow) if allow else None,
            headers=exc.headers, lang=lang,
        )  # fmt: skip
    error: ErrorName = "invalid_argument" if exc.status_code < 500 else "internal_error"
    return ApiError(exc.status_code, error, str(exc.detail), headers=exc.headers, lang=lang)


def reload_failed(exc: CatalogLoadError, version: str, lang: LangKey = "en") -> ApiError:
    """503 for a refused reload: what keeps serving, in `lang`; why (a file, a column, the
    loader's error) as the holder gave it."""
    reason = exc.reason if isinstance(exc, ReloadError) else str(exc)
    detail = words.detail(lang, "error_reload_failed", version=version, reason=reason)
    return ApiError(503, "reload_failed", detail, lang=lang)


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into ErrorOut JSON."""

    async def api_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return _render(exc, exc.lang)

    async def query_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, QueryError)
        lang = request_lang(request)
        return _render(translate(exc, parameter_of(exc.arg, _declared(request)), lang), lang)

    async def no_model(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ModelUnavailable)
        lang = request_lang(request)
        return _render(model_unavailable(exc.problem, lang), lang)

    async def load_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, CatalogLoadError)
        lang = request_lang(request)
        holder = getattr(request.app.state, "holder", None)
        version = holder.current.info.version if holder is not None else "?"
        return _render(reload_failed(exc, version, lang), lang)

    async def validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        lang = request_lang(request)
        detail, parameter = reworded(exc, lang)
        return _render(ApiError(422, "invalid_argument", detail, parameter, lang=lang), lang)

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        lang = request_lang(request)
        return _render(_http_error(request, exc, lang), lang)

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        lang = request_lang(request)
        detail = words.detail(lang, "error_internal")
        return _render(ApiError(500, "internal_error", detail, lang=lang), lang)

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(QueryError, query_error)
    app.add_exception_handler(ModelUnavailable, no_model)
    app.add_exception_handler(CatalogLoadError, load_error)
    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the error statuses an endpoint can answer."""
    text = {
        401: "Missing or wrong X-Admin-Token",
        403: "Admin endpoints are disabled (API_ADMIN_TOKEN is not set)",
        404: "Unknown platform or title",
        405: "Method not allowed",
        409: "The title text names several titles; `candidates` lists them",
        422: "A missing or malformed parameter; `detail` and `accepted` say what to send",
        503: "No recommendation model is loaded (or a reload failed)",
    }
    return {s: {"model": ErrorOut, "description": text[s]} for s in statuses}
