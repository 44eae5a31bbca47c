"""What an endpoint needs from the application, as FastAPI dependencies.

`create_app` puts the settings, the `CatalogHolder` and the reload count in `app.state`;
endpoints ask for them by type (`Cat`, `Holder`, `Settings`, `State`) instead of closing over
them, so each router is a plain module. The functions are `async def` on purpose: they only
read attributes, and a sync dependency would cost a threadpool hop per request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from api.settings import ApiSettings
from catalog import Catalog, CatalogHolder


@dataclass
class ApiState:
    """The app's own mutable state: reloads since start-up (shown by /health)."""

    reloads: int = 0


def install(app: FastAPI, settings: ApiSettings, holder: CatalogHolder | None) -> None:
    """Put what the dependencies below read into `app.state`; `holder` may come later (lifespan)."""
    app.state.settings = settings
    app.state.api = ApiState()
    if holder is not None:
        app.state.holder = holder


async def get_settings(request: Request) -> ApiSettings:
    settings: ApiSettings = request.app.state.settings
    return settings


async def get_holder(request: Request) -> CatalogHolder:
    holder: CatalogHolder = request.app.state.holder
    return holder


async def get_state(request: Request) -> ApiState:
    state: ApiState = request.app.state.api
    return state


async def get_catalog(holder: Annotated[CatalogHolder, Depends(get_holder)]) -> Catalog:
    """The serving catalogue, read once per request: a reload never changes it under us."""
    return holder.current


Settings = Annotated[ApiSettings, Depends(get_settings)]
Holder = Annotated[CatalogHolder, Depends(get_holder)]
State = Annotated[ApiState, Depends(get_state)]
Cat = Annotated[Catalog, Depends(get_catalog)]
