"""The API as a person meets it (issue 14): /docs and /redoc render offline in a real headless
Chromium and list the endpoints; `/` leads there; HEAD /health answers; a title card carries the
original casing; reasons name titles, not ids; a bad user id gets our own words.

The Chromium tests skip (with the reason) only where /usr/bin/chromium is absent; .ci/run
installs it (`make chromium`), so CI runs them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ApiSettings
from catalog import Catalog, CatalogHolder
from tests.catalog_helpers import FakeRecommender, write_processed

ENDPOINTS = [
    "/max_duration", "/score_count", "/count_platform", "/actor", "/search", "/where_to_watch",
    "/title/{title_id}", "/recommend", "/top", "/similar", "/health", "/admin/reload",
]  # fmt: skip
# The flags headless Chromium needs on these machines (as root, no network but loopback):
# without the background-networking ones it keeps trying (and failing) to reach Google.
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]  # fmt: skip


class WordyModel(FakeRecommender):
    """Words its reason with the raw id, as model.recommender does."""

    def predict(self, user_id: int, title_id: str):  # type: ignore[no-untyped-def]
        p = super().predict(user_id, title_id)
        reason = f"recommended; predicted from user {user_id}'s ratings and title {title_id}"
        return type(p)(**{**p.__dict__, "reason": reason})


@pytest.fixture(scope="module")
def holder(tmp_path_factory: pytest.TempPathFactory) -> CatalogHolder:
    data = write_processed(tmp_path_factory.mktemp("pages"))
    (data / "models").mkdir()
    cat = Catalog.load(data, recommender_loader=lambda d, t, k: WordyModel(t, k))
    return CatalogHolder(data, catalog=cat)


@pytest.fixture(scope="module")
def client(holder: CatalogHolder) -> Iterator[TestClient]:
    with TestClient(create_app(ApiSettings(data_dir=holder.data_dir), holder=holder)) as c:
        yield c


def test_root_leads_to_the_docs(client: TestClient) -> None:
    r = client.get("/", follow_redirects=False)
    assert r.status_code in (302, 307) and r.headers["location"] == "/docs"
    assert client.get("/").url.path == "/docs"


def test_head_health_answers_200(client: TestClient) -> None:
    r = client.head("/health")
    assert r.status_code == 200 and r.content == b""


def test_the_docs_pages_load_their_assets_from_this_server(client: TestClient) -> None:
    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        assert "cdn.jsdelivr.net" not in html and "unpkg.com" not in html, page
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js"):
        r = client.get(f"/static-offline-docs/{asset}")
        assert r.status_code == 200 and len(r.content) > 10_000, asset


def test_a_title_keeps_its_original_casing(client: TestClient) -> None:
    body = client.get("/title/ns1").json()
    assert (body["title"], body["country"], body["rating"]) == ("Amélie", "United States", "PG")
    assert (body["listed_in"], body["description"]) == ("Drama", "A title made for the tests.")
    assert client.get("/title/as1").json()["rating"] is None  # none in the raw data: not rated


def test_a_reason_names_the_title_not_its_id(client: TestClient) -> None:
    body = client.get("/recommend", params={"user_id": 1, "title": "ds2"}).json()
    assert "“The Lion King”" in body["reason"] and "ds2" not in body["reason"]


@pytest.mark.parametrize("user_id", ["-1", "9223372036854775808", "1e30", "٣", "5.5"])
def test_a_bad_user_id_gets_our_own_words(client: TestClient, user_id: str) -> None:
    for path, extra in (("/top", {}), ("/recommend", {"title": "ns1"})):
        r = client.get(path, params={"user_id": user_id, **extra})
        body = r.json()
        assert r.status_code == 422 and body["parameter"] == "user_id", body
        assert body["detail"].startswith(f"invalid user id {user_id!r}"), body
        assert "Input should" not in body["detail"] and "pydantic" not in body["detail"]


# ---------------------------------------------------------------- in a real browser


@pytest.fixture(scope="module")
def server(holder: CatalogHolder) -> Iterator[str]:
    """The app on a real uvicorn on loopback, in a thread of this process."""
    app = create_app(ApiSettings(data_dir=holder.data_dir), holder=holder)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not (srv.started and srv.servers and srv.servers[0].sockets):
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    port = srv.servers[0].sockets[0].getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    assert httpx.get(f"{url}/health", timeout=5).status_code == 200
    yield url
    srv.should_exit = True
    thread.join(timeout=15)


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("chromium is not installed (`make chromium` installs Debian's package)")
    return path


def rendered_dom(url: str) -> str:
    """The page's DOM after its scripts ran: --virtual-time-budget lets the page fetch
    openapi.json and render before --dump-dom prints (virtual time: no wall-clock guess)."""
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
             "--virtual-time-budget=30000", "--dump-dom", url],
            capture_output=True, text=True, timeout=240,
            env={**os.environ, "HOME": profile},
        )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_swagger_page_renders_every_endpoint_in_chromium(server: str) -> None:
    dom = rendered_dom(f"{server}/docs")
    # Swagger UI writes one operation block per endpoint, each with data-path.
    listed = {p for p in ENDPOINTS if f'data-path="{p}"' in dom}
    assert listed == set(ENDPOINTS), sorted(set(ENDPOINTS) - listed)
    assert "streamrec API" in dom


def test_redoc_page_renders_every_endpoint_in_chromium(server: str) -> None:
    dom = rendered_dom(f"{server}/redoc")
    for summary in ("Longest movie (minutes) or show (seasons)", "Find titles by name",
                    "Would this user like this title?", "Reload data and model"):  # fmt: skip
        assert summary in dom, summary
    missing = [p for p in ENDPOINTS if p not in dom]
    assert not missing, missing


def test_root_in_chromium_lands_on_the_rendered_docs(server: str) -> None:
    dom = rendered_dom(f"{server}/")
    assert 'data-path="/search"' in dom
