"""api/errors.py: every code of the catalogue's QueryError has an HTTP answer, and the answer
names the endpoint's own parameter where the catalogue calls the argument otherwise."""

from __future__ import annotations

from collections.abc import Callable
from typing import get_args

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

import locales
from api import errors, words
from api.accepted import ACCEPTED, OTHER, PARAMETERS, accepted
from api.app import create_app
from api.routes import operations, questions, recommendations, titles
from api.schemas import ErrorName, ErrorOut
from api.settings import ApiSettings
from catalog import CatalogHolder, SearchHit, browse
from catalog import errors as query_errors
from catalog import validate as v
from domain.vocabulary import LANGUAGES

STATUS_OF_ERROR = {"not_found": 404, "ambiguous_title": 409, "invalid_argument": 422}


def test_every_catalogue_code_has_a_status_and_an_error_name() -> None:
    assert set(errors.BY_CODE) == set(query_errors.QUERY_ERROR_CODES)
    for code, (status, error) in errors.BY_CODE.items():
        assert error in get_args(ErrorName), code
        assert STATUS_OF_ERROR[error] == status, code


@pytest.mark.parametrize("code", query_errors.QUERY_ERROR_CODES)
def test_every_code_translates_to_the_one_error_format(code: query_errors.QueryErrorCode) -> None:
    e = query_errors.QueryError(code, "year", "bad", "the catalogue's English, never shown")
    if code == "ambiguous_title":
        hit = SearchHit("ns1", "Dick Johnson Is Dead", "netflix", "movie", 2020, 100.0)
        e = query_errors.AmbiguousTitle("dick", (hit,))
    message = words.error_detail("en", e, "year")
    assert "English, never shown" not in message and "{" not in message
    api = errors.translate(e, "year")
    assert api.status == errors.BY_CODE[code][0]
    body = ErrorOut.model_validate(api.body.model_dump(mode="json"))
    assert body.error == errors.BY_CODE[code][1]
    assert body.detail == message and body.parameter == "year"
    assert body.accepted  # what to send instead, always
    if code == "ambiguous_title":
        assert body.candidates and body.candidates[0].id == "ns1"
        assert body.accepted == accepted("en", "ambiguous")
    else:
        assert body.candidates is None and body.accepted == ACCEPTED["year"]


def test_the_real_parsers_errors_keep_their_message() -> None:
    with pytest.raises(query_errors.QueryError) as info:
        v.parse_platform("hbo")
    api = errors.translate(info.value, "platform")
    assert (api.status, api.body.error) == (404, "not_found")
    assert api.body.detail.startswith("unknown platform 'hbo'; use one of amazon, disney")


@pytest.mark.parametrize("code", query_errors.QUERY_ERROR_CODES)
def test_every_code_has_an_english_and_a_spanish_text(code: str) -> None:
    en = locales.messages(words.DOMAIN, "en").get(f"error_{code}")
    es = locales.messages(words.DOMAIN, "es").get(f"error_{code}")
    assert en and es and en != es, code


def test_every_error_key_is_in_both_languages() -> None:
    for lang in LANGUAGES:
        missing = set(words.error_keys()) - locales.messages(words.DOMAIN, lang).names()
        assert not missing, (lang, missing)


def _raised(call: Callable[[], object]) -> query_errors.QueryError:
    with pytest.raises(query_errors.QueryError) as info:
        call()
    return info.value


HIT = SearchHit("ns1", "Dick Johnson Is Dead", "netflix", "movie", 2020, 100.0)
# The real parsers' errors, with what the Spanish detail must say (the value it names, the
# range or names it offers), written here, not read from the catalogue.
SPANISH = [
    (lambda: v.parse_platform("hbo"), "plataforma desconocida 'hbo'; usa una de amazon, disney"),
    (lambda: v.parse_year("abc"), "year no válido 'abc'; da un año de estreno, un número entero "
     f"entre {v.YEAR_MIN} y {v.YEAR_MAX}"),
    (lambda: v.parse_score("7"), "scored no válido '7'; da un número de 0 a 5"),
    (lambda: v.parse_limit(0, "n"), "n no válido 0; da un número entero de 1 a 100"),
    (lambda: v.parse_offset(-1), "offset no válido -1; da un número entero de 0 a 100000"),
    (lambda: v.parse_user_id("x"), "id de usuario no válido 'x'"),
    (lambda: v.parse_text(" "), "title no válido ' '; da algún texto que buscar"),
    (lambda: v.parse_text("x" * 300), "title demasiado largo (300 caracteres)"),
    (lambda: v.parse_rating(0.1), "puntuación no válida 0.1; da un número de 0,5 a 5"),
    (lambda: browse.parse_genre("cartoonz"), "género desconocido 'cartoonz'; usa uno de "),
    (lambda: browse.parse_decade("1995"), "decade no válida '1995'; da su primer año"),
    (lambda: browse.parse_sort("worst"), "orden no válido 'worst'"),
    (lambda: browse.parse_words("netflix zzz"), "'zzz' no es una plataforma"),
    (lambda: v.parse_kind("cartoon"), "tipo no válido 'cartoon'"),
    (lambda: v.parse_duration_type("hours"), "tipo de duración no válido 'hours'"),
    (lambda: (_ for _ in ()).throw(query_errors.TitleNotFound("zzz")),
     "ningún título coincide con 'zzz'"),
    (lambda: (_ for _ in ()).throw(query_errors.AmbiguousTitle("dick", (HIT,))),
     "'dick' coincide con varios títulos; elige uno por su id: Dick Johnson Is Dead (netflix, "
     "2020, id ns1)"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "spanish"), SPANISH)
def test_the_parsers_errors_in_spanish(call: Callable[[], object], spanish: str) -> None:
    e = _raised(call)
    parameter = "scored" if e.arg == "score" else e.arg
    es = errors.translate(e, parameter, "es")
    en = errors.translate(e, parameter, "en")
    assert es.body.detail.startswith(spanish), es.body.detail
    assert en.body.detail != es.body.detail and "{" not in es.body.detail
    # what to send is in the same language as the detail (a parameter no route has, such as
    # the chat's `rating`, has no `accepted`)
    name = "ambiguous" if e.code == "ambiguous_title" else parameter
    assert es.body.accepted == accepted("es", name) and en.body.accepted == accepted("en", name)
    assert es.body.accepted != en.body.accepted or name not in (*PARAMETERS, *OTHER)
    # only the words change: the machine-readable fields are the same in both languages
    assert es.body.model_dump(exclude={"detail", "accepted"}) == en.body.model_dump(
        exclude={"detail", "accepted"}
    )


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
        assert body["detail"] == "invalid q ' '; give some text to search for"
        assert body["accepted"] == ACCEPTED["q"]
        r = client.get("/probe", params={"q": "score", "scored": 9})
        assert (r.status_code, r.json()["parameter"]) == (422, "scored")
