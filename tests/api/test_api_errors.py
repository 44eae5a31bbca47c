"""api/errors.py: every code of the catalogue's QueryError has an HTTP answer, and the answer
names the endpoint's own parameter where the catalogue calls the argument otherwise."""

from __future__ import annotations

from typing import get_args

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api import errors
from api.app import create_app
from api.routes import operations, questions, recommendations, titles
from api.schemas import ErrorName, ErrorOut
from api.settings import ApiSettings
from catalog import CatalogHolder, SearchHit
from catalog import errors as query_errors
from catalog import validate as v

STATUS_OF_ERROR = {"not_found": 404, "ambiguous_title": 409, "invalid_argument": 422}


def test_every_catalogue_code_has_a_status_and_an_error_name() -> None:
    assert set(errors.BY_CODE) == set(query_errors.QUERY_ERROR_CODES)
    for code, (status, error) in errors.BY_CODE.items():
        assert error in get_args(ErrorName), code
        assert STATUS_OF_ERROR[error] == status, code


@pytest.mark.parametrize("code", query_errors.QUERY_ERROR_CODES)
def test_every_code_translates_to_the_one_error_format(code: query_errors.QueryErrorCode) -> None:
    message = f"what was wrong with the {code} and what to send"
    e = query_errors.QueryError(code, "year", "bad", message)
    if code == "ambiguous_title":
        hit = SearchHit("ns1", "Dick Johnson Is Dead", "netflix", "movie", 2020, 100.0)
        e = query_errors.AmbiguousTitle("dick", (hit,))
        message = str(e)
    api = errors.translate(e, "year")
    assert api.status == errors.BY_CODE[code][0]
    body = ErrorOut.model_validate(api.body.model_dump(mode="json"))
    assert body.error == errors.BY_CODE[code][1]
    assert body.detail == message and body.parameter == "year"
    assert body.accepted  # what to send instead, always
    if code == "ambiguous_title":
        assert body.candidates and body.candidates[0].id == "ns1"
        assert body.accepted == errors.AMBIGUOUS_ACCEPTED
    else:
        assert body.candidates is None and body.accepted == errors.ACCEPTED["year"]


def test_the_real_parsers_errors_keep_their_message() -> None:
    with pytest.raises(query_errors.QueryError) as info:
        v.parse_platform("hbo")
    api = errors.translate(info.value, "platform")
    assert (api.status, api.body.error) == (404, "not_found")
    assert api.body.detail == str(info.value) and "'hbo'" in api.body.detail


ROUTES = {
    r.path: r
    for module in (questions, titles, recommendations, operations)
    for r in module.router.routes
    if isinstance(r, APIRoute)
}


def declared(path: str) -> list[str]:
    d = ROUTES[path].dependant
    return [p.alias for p in (*d.query_params, *d.path_params)]


@pytest.mark.parametrize(
    ("path", "arg", "parameter"),
    [
        ("/score_count", "score", "scored"),  # the catalogue's score is the API's `scored`
        ("/score_count", "platform", "platform"),
        ("/search", "title", "q"),  # Catalog.search parses its text as a title
        ("/search", "search_text", "q"),
        ("/search", "limit", "limit"),
        ("/recommend", "title", "title"),
        ("/recommend", "user_id", "user_id"),
        ("/top", "n", "n"),
        ("/similar", "title", "title"),
        ("/search", "offset", "offset"),  # paged since issue 22
        ("/score_count", "offset", None),  # no such parameter: named by nothing, not wrongly
    ],
)
def test_the_error_names_the_endpoints_parameter(
    path: str, arg: str, parameter: str | None
) -> None:
    assert errors.parameter_of(arg, declared(path)) == parameter


def test_without_a_route_the_catalogue_argument_is_kept() -> None:
    assert errors.parameter_of("year", None) == "year"


def test_a_served_error_names_the_parameter_of_the_route_that_raised() -> None:
    """Through the app's own handler: the route in the request scope gives the names."""
    app = create_app(ApiSettings(), holder=CatalogHolder.__new__(CatalogHolder))

    @app.get("/probe")
    def probe(q: str, scored: float) -> None:
        if q == "score":
            v.parse_score(scored)
        v.parse_text(" ")  # the catalogue calls this text a title

    with TestClient(app) as client:
        r = client.get("/probe", params={"q": "x", "scored": 1})
        body = r.json()
        assert (r.status_code, body["error"], body["parameter"]) == (422, "invalid_argument", "q")
        assert body["detail"] == "invalid title ' '; give some text to search for"
        assert body["accepted"] == errors.ACCEPTED["q"]
        r = client.get("/probe", params={"q": "score", "scored": 9})
        assert (r.status_code, r.json()["parameter"]) == (422, "scored")
