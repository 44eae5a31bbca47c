"""Every text field of an error follows the answer's language (issue 22 item 9): `detail` and
`accepted` (what to send instead), for the catalogue's refusals, FastAPI's, the API's own (an
unknown path or id, a method, the admin token) and the 503s (no model, a refused reload), whose
reason is worded from its code, the folder and the loader's error quoted as they are."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import locales
from api import words
from api.accepted import OTHER, PARAMETERS, accepted
from api.app import create_app
from api.settings import ApiSettings
from catalog import CatalogHolder
from domain.vocabulary import LANGUAGES, PLATFORM_INFO
from tests.api_helpers import build_demo

SPANISH = {"lang": "es"}
SPANISH_HEADER = {"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"}


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.getbasetemp() / "api-demo")


@pytest.fixture(scope="module")
def client(data: Path) -> Iterator[TestClient]:
    holder = CatalogHolder(data)
    with TestClient(create_app(ApiSettings(data_dir=data), holder=holder)) as c:
        yield c


def test_every_accepted_text_is_in_both_languages() -> None:
    for name in (*PARAMETERS, *OTHER):
        en, es = (locales.messages(words.DOMAIN, lang).get(f"accepted_{name}") for lang in
                  ("en", "es"))  # fmt: skip
        assert en and es and en != es, name
    for lang in LANGUAGES:
        missing = set(words.error_keys()) - locales.messages(words.DOMAIN, lang).names()
        assert not missing, (lang, missing)


def test_every_parameter_of_every_route_has_an_accepted_text(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path, ops in spec["paths"].items():
        for op in ops.values():
            for p in op.get("parameters", []):
                if p["in"] in ("query", "path"):
                    assert p["name"] in PARAMETERS, (path, p["name"])


def test_the_platform_words_come_from_the_tables_in_spanish() -> None:
    text = accepted("es", "platform")
    assert text is not None and text.startswith("una de amazon, disney, hulu, netflix (también ")
    for p in PLATFORM_INFO.values():
        assert f" para {p.key}" in text and all(a in text for a in p.aliases)
    assert " for " not in text and "also" not in text


# (method, url, params, status, the parameter or answer whose `accepted` it is, a piece of the
# Spanish detail written here, not read from locales/)
CASES = [
    ("GET", "/score_count", {"platform": "hbo", "scored": 3, "year": 2020}, 404, "platform",
     "plataforma desconocida"),
    ("GET", "/actor", {"platform": "netflix", "year": "abc"}, 422, "year", "year no válido"),
    ("GET", "/top", {"user_id": 1, "n": 0}, 422, "n", "n no válido"),
    ("GET", "/titles", {"format": "xml"}, 422, "format", "format no válido 'xml'; da 'json'"),
    ("GET", "/titles", {"genre": "cartoonz"}, 404, "genre", "género desconocido"),
    ("GET", "/titles", {"kind": "cartoon"}, 422, "kind", "tipo no válido"),
    ("GET", "/score_count", {"platform": "netflix", "scored": "3,5", "year": 2020}, 422,
     "scored", "con punto decimal: 3.5"),
    ("GET", "/recommend", {"title": "ns1"}, 422, "user_id",
     "falta el parámetro obligatorio 'user_id'; da un número entero no negativo"),
    ("GET", "/title/zz999", {}, 404, "title_id_search", "ningún título tiene el id"),
    ("GET", "/no_such_route", {}, 404, "endpoints", "no existe el endpoint"),
    ("POST", "/max_duration", {}, 405, "methods", "POST no se admite en /max_duration"),
    ("POST", "/admin/reload", {}, 403, "set_token", "la recarga está desactivada"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "url", "params", "status", "name", "spanish"), CASES)
def test_detail_and_accepted_follow_the_language(
    client: TestClient, method: str, url: str, params: dict, status: int, name: str, spanish: str
) -> None:
    en = client.request(method, url, params=params)
    by_lang = client.request(method, url, params={**params, **SPANISH})
    by_header = client.request(method, url, params=params, headers=SPANISH_HEADER)
    assert en.status_code == by_lang.status_code == by_header.status_code == status, en.text
    allow = {"allow": en.headers.get("allow", "")}
    assert en.json()["accepted"] == accepted("en", name, **allow)
    for r in (by_lang, by_header):
        body = r.json()
        assert r.headers["content-language"] == "es"
        assert spanish in body["detail"], body["detail"]
        assert body["accepted"] == accepted("es", name, **allow) != en.json()["accepted"]
        assert {k: x for k, x in body.items() if k not in ("detail", "accepted")} == {
            k: x for k, x in en.json().items() if k not in ("detail", "accepted")
        }
    assert spanish not in en.json()["detail"]


def _no_model_answers(base: Path) -> tuple[dict, dict]:
    with TestClient(create_app(ApiSettings(data_dir=base))) as c:
        en = c.get("/recommend", params={"user_id": 1, "title": "ns1"})
        es = c.get("/top", params={"user_id": 1}, headers=SPANISH_HEADER)
        assert en.status_code == es.status_code == 503
        assert en.json()["error"] == es.json()["error"] == "model_unavailable"
        assert es.headers["content-language"] == "es"
        assert en.json()["accepted"] == accepted("en", "model")
        assert es.json()["accepted"] == accepted("es", "model")
        return en.json(), es.json()


def test_no_model_503_in_both_languages(data: Path, tmp_path: Path) -> None:
    shutil.copytree(data / "processed", tmp_path / "processed")
    en, es = _no_model_answers(tmp_path)
    models = str(tmp_path / "models")
    assert en["detail"] == (f"recommendations are unavailable: no model: {models} does not "
                            "exist (run `python -m model train`)")  # fmt: skip
    assert es["detail"] == (f"las recomendaciones no están disponibles: no hay modelo: {models} "
                            "no existe (ejecuta `python -m model train`)")  # fmt: skip


def test_a_broken_model_503_in_both_languages(data: Path, tmp_path: Path) -> None:
    shutil.copytree(data / "processed", tmp_path / "processed")
    shutil.copytree(data / "models", tmp_path / "models")
    (tmp_path / "models" / "svd.pkl").write_bytes(b"not a pickle")
    en, es = _no_model_answers(tmp_path)
    models = str(tmp_path / "models")
    assert en["detail"].startswith(f"recommendations are unavailable: model not loaded from "
                                   f"{models}: ")  # fmt: skip
    prefix = f"las recomendaciones no están disponibles: el modelo de {models} no se pudo cargar: "
    assert es["detail"].startswith(prefix)
    # the loader's own error is program output: quoted as it is in both languages
    assert es["detail"][len(prefix) :] == en["detail"].split(f"{models}: ", 1)[1]
    assert "Error" in es["detail"][len(prefix) :]


def test_admin_reload_refusals_in_spanish(data: Path, tmp_path: Path) -> None:
    shutil.copytree(data / "processed", tmp_path / "processed")
    shutil.copytree(data / "models", tmp_path / "models")
    app = create_app(ApiSettings(data_dir=tmp_path, api_admin_token="s3cret"))
    with TestClient(app) as c:
        version = c.get("/health").json()["data_version"]
        wrong = c.post("/admin/reload", headers={"X-Admin-Token": "no", **SPANISH_HEADER})
        assert wrong.status_code == 401 and wrong.headers["content-language"] == "es"
        assert wrong.json()["detail"] == "falta la cabecera X-Admin-Token o no es la correcta"
        assert wrong.json()["accepted"] == accepted("es", "token")
        (tmp_path / "processed" / "titles.parquet").write_bytes(b"not parquet")
        for params, start in (
            ({}, f"reload refused, still serving data {version}: "),
            (SPANISH, f"recarga rechazada; se sigue sirviendo la versión de datos {version}: "),
        ):
            r = c.post("/admin/reload", params=params, headers={"X-Admin-Token": "s3cret"})
            assert r.status_code == 503 and r.json()["error"] == "reload_failed"
            assert r.json()["detail"].startswith(start), r.json()["detail"]
            assert "titles.parquet" in r.json()["detail"]  # why, as the loader said it
