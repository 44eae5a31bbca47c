"""One error format for every failure, mapped centrally from the catalogue's exceptions.

| status | error | when |
|---|---|---|
| 404 | not_found | unknown platform, title (or title id), or endpoint |
| 405 | method_not_allowed | e.g. POST on a GET endpoint (Allow header lists the methods) |
| 409 | ambiguous_title | the title text names several titles: `candidates` lists them |
| 422 | invalid_argument | a missing or malformed query parameter |
| 401/403 | unauthorized / forbidden | /admin/reload without the right token, or disabled |
| 503 | model_unavailable / reload_failed | no model loaded; a reload that failed |

Nothing a client sends should reach the 500 handler; it exists so that a bug still answers JSON
(and is logged with its traceback) instead of a bare text page.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.schemas import ErrorOut, SearchHit
from catalog import AmbiguousTitle, ModelUnavailable, QueryError, TitleNotFound
from catalog import validate as v
from catalog.loading import CatalogLoadError
from domain.vocabulary import PLATFORM_LETTERS, PLATFORMS

log = logging.getLogger("api")

PLATFORM_ACCEPTED = (
    f"one of {', '.join(PLATFORMS)} (any case; also prime, amazon prime, disney+, "
    f"disney plus, or the first letter {'/'.join(PLATFORM_LETTERS.values())})"
)
# What each query parameter accepts, shown in the error body and in the OpenAPI descriptions.
ACCEPTED: dict[str, str] = {
    "year": f"a release year, a whole number from {v.YEAR_MIN} to {v.YEAR_MAX}",
    "platform": PLATFORM_ACCEPTED,
    "duration_type": "'min' (or minutes) for movies, 'season' (or seasons) for shows",
    "scored": "a number from 0 to 5 (the user rating scale), e.g. 3.5",
    "user_id": "a non-negative whole number (a userId of the ratings)",
    "title": "a title id such as 'ns123' or (part of) a title name",
    "q": "some text to search for in title names (typos forgiven)",
    "n": f"a whole number from 1 to {v.LIMIT_MAX}",
    "limit": f"a whole number from 1 to {v.LIMIT_MAX}",
    "kind": "'movie' or 'tv show' (also movies, film, show, shows, series, tv)",
    "title_id": "a title id such as 'ns123': platform letter + show_id",
}

# The catalogue's own parser for each parameter: its message is the one the bot shows too.
_PARSERS: dict[str, Any] = {
    "year": v.parse_year,
    "platform": v.parse_platform,
    "duration_type": v.parse_duration_type,
    "scored": v.parse_score,
    "user_id": v.parse_user_id,
    "title": v.parse_text,
    "q": lambda x: v.parse_text(x, "search text"),
    "n": lambda x: v.parse_limit(x, "n"),
    "limit": v.parse_limit,
    "kind": v.parse_kind,
}


class ApiError(Exception):
    """An answer other than 200, raised by an endpoint; rendered as ErrorOut."""

    def __init__(
        self,
        status: int,
        error: str,
        detail: str,
        parameter: str | None = None,
        accepted: str | None = None,
        candidates: tuple[Any, ...] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.body = ErrorOut(
            error=error,  # type: ignore[arg-type]
            detail=detail,
            parameter=parameter,
            accepted=accepted if accepted is not None else ACCEPTED.get(parameter or ""),
            candidates=(
                None
                if candidates is None
                else [SearchHit.model_validate(c, from_attributes=True) for c in candidates]
            ),
        )
        self.headers = headers


def from_query_error(e: QueryError, parameter: str | None) -> ApiError:
    """The catalogue's QueryError as an API error on `parameter`."""
    if isinstance(e, AmbiguousTitle):
        return ApiError(
            409,
            "ambiguous_title",
            str(e),
            parameter,
            "one title id from `candidates`, or a more exact name",
            candidates=tuple(e.candidates),
        )
    if isinstance(e, TitleNotFound):
        return ApiError(404, "not_found", str(e), parameter)
    return ApiError(422, "invalid_argument", str(e), parameter)


def platform_not_found(e: QueryError) -> ApiError:
    return ApiError(404, "not_found", str(e), "platform")


def _render(err: ApiError) -> JSONResponse:
    return JSONResponse(
        err.body.model_dump(mode="json", exclude_none=False),
        status_code=err.status,
        headers=err.headers,
    )


def _validation_error(exc: RequestValidationError) -> ApiError:
    """FastAPI's 422 for a query parameter, worded like the catalogue's own messages."""
    errors = exc.errors()
    first = errors[0] if errors else {}
    loc = first.get("loc", ())
    name = str(loc[-1]) if len(loc) > 1 else None
    value = first.get("input")
    if first.get("type") == "missing":
        detail = f"missing required parameter {name!r}"
        if name in ACCEPTED:
            detail += f"; give {ACCEPTED[name]}"
        return ApiError(422, "invalid_argument", detail, name)
    parser = _PARSERS.get(name or "")
    if parser is not None:
        try:
            parser(value)
        except QueryError as e:
            return ApiError(422, "invalid_argument", str(e), name)
        except Exception:  # a parser may choke on what FastAPI passed; fall through
            pass
    if name in ACCEPTED:
        # Our parser took what the schema refused (e.g. user_id '٣': Python reads Arabic-Indic
        # digits, pydantic does not): still our own words, never pydantic's "Input should be...".
        label = name.replace("_", " ")
        value_text = str(value)[:50]
        return ApiError(
            422, "invalid_argument", f"invalid {label} {value_text!r}; give {ACCEPTED[name]}", name
        )
    msg = first.get("msg", "invalid value")
    return ApiError(422, "invalid_argument", f"invalid {name or 'argument'} {value!r}: {msg}", name)


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into ErrorOut JSON."""

    async def api_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return _render(exc)

    async def query_error(request: Request, exc: Exception) -> JSONResponse:
        # Endpoints tag errors with their parameter; this catches what they did not foresee.
        assert isinstance(exc, QueryError)
        return _render(from_query_error(exc, None))

    async def model_unavailable(request: Request, exc: Exception) -> JSONResponse:
        return _render(
            ApiError(
                503,
                "model_unavailable",
                f"recommendations are unavailable: {exc}",
                accepted="the catalogue questions still answer; see /health for the model state",
            )
        )

    async def load_error(request: Request, exc: Exception) -> JSONResponse:
        return _render(ApiError(503, "reload_failed", str(exc)))

    async def validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return _render(_validation_error(exc))

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404:
            err = ApiError(
                404,
                "not_found",
                f"no endpoint {request.url.path!r}",
                accepted="see /docs for the endpoints",
            )
        elif exc.status_code == 405:
            allow = (exc.headers or {}).get("Allow", "")
            err = ApiError(
                405,
                "method_not_allowed",
                f"{request.method} is not allowed on {request.url.path}",
                accepted=f"methods: {allow}" if allow else None,
                headers=exc.headers,
            )
        else:
            err = ApiError(
                exc.status_code,
                "invalid_argument" if exc.status_code < 500 else "internal_error",
                str(exc.detail),
                headers=exc.headers,
            )
        return _render(err)

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _render(
            ApiError(500, "internal_error", "internal error; it has been logged", accepted=None)
        )

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(QueryError, query_error)
    app.add_exception_handler(ModelUnavailable, model_unavailable)
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
