"""The FastAPI application over `catalog`: the same questions the bot answers, as JSON.

The catalogue is loaded once at start-up (lifespan) into a `CatalogHolder`; every request takes
`holder.current` once and keeps that object (api/deps.py), and POST /admin/reload swaps a
freshly built one in by one reference assignment, exactly as the bot's /reload does.

The endpoints live in api/routes/, one APIRouter per tag. They are plain `def`: FastAPI runs
them in its threadpool. Each answer costs well under 5 ms of Python (lookups in precomputed
tables, numpy over the title factors), so `async def` would also do, but a thread keeps the
event loop free for /health and for accepting connections while a slower call (fuzzy search
over full-scale names, a reload that reads parquet for seconds) runs; the hop costs tens of
microseconds (docs/api.md has the numbers).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from api import deps, errors, openapi_doc
from api.head import HeadAsGet
from api.params import USER_ID_MAX
from api.routes import operations, questions, recommendations, titles
from api.settings import ApiSettings
from catalog import CatalogHolder

__all__ = ["USER_ID_MAX", "create_app"]

log = logging.getLogger("api")

DESCRIPTION = (
    "The questions the streamrec bot answers, as JSON. Every error is "
    "`{error, detail, parameter, accepted, candidates}`: 422 for a missing or malformed "
    "parameter, 404 for an unknown platform or title, 409 when a title name is "
    "ambiguous (pick an id from `candidates`), 503 when a recommendation is asked for "
    "and no model is loaded. Lists are paged: `offset`, `limit` (or `n`) and the `total` "
    "matching. The words (reasons, a year in words, genre names, an error's `detail` and "
    "`accepted`) follow `lang` or the Accept-Language header, English by default. Every GET "
    "answers HEAD too."
)


def create_app(settings: ApiSettings | None = None, holder: CatalogHolder | None = None) -> FastAPI:
    """The app; `holder` (tests) skips loading at start-up and serves that one instead."""
    settings = settings or ApiSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if holder is None:  # else the caller's holder is already in app.state
            app.state.holder = await anyio.to_thread.run_sync(_load, settings)
        yield

    # FastAPIOffline: /docs and /redoc load Swagger UI's and ReDoc's JS and CSS from the
    # fastapi-offline package (under /static-offline-docs), not from a CDN, so the pages render
    # where the API runs without internet (tests/api/test_api_pages.py renders them in Chromium).
    app = FastAPIOffline(
        title="streamrec API",
        version="1.0.0",
        summary="The Amazon Prime, Disney+, Hulu and Netflix catalogues and a recommender",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    # With a holder given, usable without a lifespan too (schemathesis' ASGI client, tests).
    deps.install(app, settings, holder)
    errors.install(app)
    for module in (questions, titles, recommendations, operations):
        app.include_router(module.router)
    app.add_middleware(HeadAsGet)
    openapi_doc.install(app)
    return app


def _load(settings: ApiSettings) -> CatalogHolder:
    log.info("loading catalogue from %s", settings.data_dir)
    holder = CatalogHolder(settings.data_dir, settings.recommend_threshold)
    info = holder.current.info
    log.info(
        "serving data %s (%d titles), model %s%s",
        info.version,
        info.titles,
        info.model_version,
        f" ({info.model_error})" if info.model_error else "",
    )
    return holder
