"""Property-based run of schemathesis against the app's own OpenAPI schema.

Every operation is called with generated arguments, valid and invalid ones; schemathesis' checks
must all pass: no 5xx, every status documented, every body matching its schema, valid arguments
accepted (2xx, or 404/409 for a title or platform that does not exist) and invalid ones
rejected with 4xx. The default run is bounded (about 20 s on 2 cores); the slow-marked one
generates more.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from api.app import create_app
from api.settings import ApiSettings
from catalog import CatalogHolder
from tests.api_helpers import build_demo

# The API's text parameters are "non-blank" strings (api/params.py): text with at least one
# character str.strip() keeps. A blank one is the catalogue's 422, as the schema says.
schemathesis.openapi.format("non-blank", st.text(min_size=1).filter(lambda s: bool(s.strip())))

# The schema is read at import, before the demo data exists: the app starts with a placeholder
# holder, and the fixture below puts the real one in app.state before the first call.
app = create_app(ApiSettings(api_admin_token=None), holder=CatalogHolder.__new__(CatalogHolder))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="session", autouse=True)
def api_data_for_schema(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = build_demo(tmp_path_factory.getbasetemp() / "api-demo")
    app.state.holder = CatalogHolder(data)  # admin reload stays disabled: no token
    return data


FAST = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,  # the default run is reproducible; the slow run explores
    suppress_health_check=list(HealthCheck),
    database=None,
)
SLOW = settings(FAST, max_examples=300, derandomize=False)


@schema.parametrize()
@FAST
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    response = case.call_and_validate()
    assert response.status_code < 500, response.text


@pytest.mark.slow
@schema.parametrize()
@SLOW
def test_api_conforms_to_its_schema_at_volume(case: schemathesis.Case) -> None:
    response = case.call_and_validate()
    assert response.status_code < 500, response.text
