"""GET /director: the bot's /director as JSON (docs/architecture.md, "How to add a command":
the route over the same `Catalog.director`). The expected titles are read from the processed
files, not from the query under test."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from api.accepted import accepted
from api.app import create_app
from api.settings import ApiSettings
from catalog import Catalog, CatalogHolder
from domain.text import fold
from domain.vocabulary import PLATFORMS
from tests.api_helpers import build_demo


@pytest.fixture(scope="module")
def holder(tmp_path_factory: pytest.TempPathFactory) -> CatalogHolder:
    return CatalogHolder(build_demo(tmp_path_factory.getbasetemp() / "api-demo"))


@pytest.fixture(scope="module")
def client(holder: CatalogHolder) -> Iterator[TestClient]:
    with TestClient(create_app(ApiSettings(data_dir=holder.data_dir), holder=holder)) as c:
        yield c


@pytest.fixture(scope="module")
def made(holder: CatalogHolder) -> dict[str, set[str]]:
    """Each director's name (as display.parquet writes it) -> the served ids they directed."""
    cat = holder.current
    path = Path(holder.data_dir) / "processed" / "display.parquet"
    found: dict[str, set[str]] = defaultdict(set)
    for r in pq.read_table(path, columns=["id", "director"]).to_pylist():
        for name in (r["director"] or "").split(","):
            if name.strip() and cat.title(r["id"]) is not None:  # test rows are not served
                found[name.strip()].add(r["id"])
    return found


def test_a_directors_titles_paged_by_platform_newest_first(
    client: TestClient, holder: CatalogHolder, made: dict[str, set[str]]
) -> None:
    cat: Catalog = holder.current
    name = max(made, key=lambda n: (len(made[n]), n))
    assert len(made[name]) > 2
    first = client.get("/director", params={"name": fold(name).upper(), "limit": 2})
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["director"] == name and body["candidates"] == []
    assert body["total"] == len(made[name]) and body["offset"] == 0
    platforms = Counter(cat.title(i).platform for i in made[name])  # type: ignore[union-attr]
    assert body["per_platform"] == dict(platforms)
    ids: list[str] = []
    for offset in range(0, body["total"] + 2, 2):  # one page past the end: empty
        page = client.get("/director", params={"name": name, "offset": offset, "limit": 2}).json()
        assert page["total"] == body["total"] and page["offset"] == offset
        ids += [t["id"] for t in page["titles"]]
    assert len(ids) == len(set(ids)) and set(ids) == made[name]
    refs = [cat.title(i) for i in ids]
    order = [(PLATFORMS.index(r.platform), -(r.release_year or 0)) for r in refs if r]
    assert order == sorted(order)
    # the titles carry the year in words like every other title of the API
    es = client.get("/director", params={"name": name, "lang": "es"}).json()
    assert [t["id"] for t in es["titles"]] == ids[:20]
    assert all(t["year_label"] for t in es["titles"] if t["release_year"] is not None)


def test_words_several_directors_share_answer_their_names(
    client: TestClient, made: dict[str, set[str]]
) -> None:
    words = Counter(w for n in made for w in set(fold(n).split()))
    word, sharing = words.most_common(1)[0]
    assert sharing > 1
    body = client.get("/director", params={"name": word}).json()
    assert body["director"] is None and body["total"] == 0 and body["titles"] == []
    holders = {n for n in made if word in fold(n).split()}
    assert len(body["candidates"]) == min(8, len(holders))
    assert set(body["candidates"]) <= holders
    # most titles first, as the bot offers them
    counts = [len(made[n]) for n in body["candidates"]]
    assert counts == sorted(counts, reverse=True)


def test_no_such_director_is_404_in_the_answers_language(client: TestClient) -> None:
    en = client.get("/director", params={"name": "zzqq nobody"})
    es = client.get("/director", params={"name": "zzqq nobody"},
                    headers={"Accept-Language": "es"})  # fmt: skip
    assert en.status_code == es.status_code == 404
    assert en.json()["error"] == "not_found" and en.json()["parameter"] == "name"
    assert en.json()["detail"].startswith("no director is called 'zzqq nobody'")
    assert es.json()["detail"].startswith("ningún director se llama 'zzqq nobody'")
    assert en.json()["accepted"] == accepted("en", "name")
    assert es.json()["accepted"] == accepted("es", "name")


@pytest.mark.parametrize(("params", "parameter"), [
    ({}, "name"), ({"name": " "}, "name"), ({"name": "x" * 300}, "name"),
    ({"name": "a", "limit": 0}, "limit"), ({"name": "a", "offset": -1}, "offset"),
])  # fmt: skip
def test_bad_arguments(client: TestClient, params: dict, parameter: str) -> None:
    r = client.get("/director", params=params)
    assert r.status_code == 422 and r.json()["parameter"] == parameter, r.text
    assert r.json()["accepted"]


def test_documented(client: TestClient) -> None:
    op = client.get("/openapi.json").json()["paths"]["/director"]["get"]
    assert {p["name"] for p in op["parameters"]} == {"name", "lang", "offset", "limit"}
    assert all(p["description"] for p in op["parameters"])
    assert client.head("/director", params={"name": "a"}).status_code in (200, 404)
