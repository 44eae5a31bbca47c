"""Operations: what is served (/health), reload, and `/` leading to the docs."""

from __future__ import annotations

import hmac
import logging
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import RedirectResponse

from api import words
from api.accepted import accepted
from api.deps import Cat, Holder, Settings, State
from api.errors import ApiError
from api.errors import responses as r
from api.language import Lang, LangKey
from api.schemas import FileInfo, HealthOut, ReloadOut
from catalog import CatalogLoadError

log = logging.getLogger("api")
router = APIRouter(tags=["operations"])


@router.get("/", include_in_schema=False)
def root(request: Request) -> RedirectResponse:
    """A person who opens the bare address lands on the endpoint list."""
    return RedirectResponse(f"{request.scope.get('root_path', '')}/docs")


@router.get("/health", response_model=HealthOut, summary="What is served")
def health(c: Cat, state: State, holder: Holder) -> HealthOut:
    """Data and model versions, sizes and load time of the catalogue being served.
    Always 200 while the app is up; `status` is 'degraded' when no model is loaded, or when
    the release served is not the one `current` points at (`release.degraded` says why)."""
    i = c.info
    release = holder.release
    degraded = c.recommender is None or (release is not None and release.degraded is not None)
    return HealthOut(
        status="degraded" if degraded else "ok",
        data_version=i.version,
        model_version=i.model_version,
        model_error=i.model_error,
        model=dict(i.model),
        titles=i.titles,
        scored_titles=i.scored_titles,
        per_platform=dict(i.per_platform),
        files=[FileInfo.model_validate(f) for f in i.files],
        threshold=c.threshold,
        loaded_at=i.loaded_at,
        load_seconds=i.load_seconds,
        reloads=state.reloads,
        release=release.as_dict() if release is not None else None,
    )


def _check_token(expected: str | None, given: str | None, lang: LangKey) -> None:
    if expected is None:
        raise ApiError(
            403, "forbidden", words.detail(lang, "error_forbidden"),
            accepted=accepted(lang, "set_token"), lang=lang,
        )  # fmt: skip
    if given is None or not hmac.compare_digest(given.encode(), expected.encode()):
        raise ApiError(
            401, "unauthorized", words.detail(lang, "error_unauthorized"),
            accepted=accepted(lang, "token"), lang=lang,
        )  # fmt: skip


@router.post(
    "/admin/reload",
    response_model=ReloadOut,
    responses=r(401, 403, 422, 503),
    summary="Reload data and model",
)
def reload(
    holder: Holder,
    settings: Settings,
    state: State,
    lang: Lang,
    x_admin_token: Annotated[str | None, Header(description="Must equal API_ADMIN_TOKEN")] = None,
) -> ReloadOut:
    """Build a new catalogue from DATA_DIR and swap it in by one reference assignment;
    requests already running finish on the old one. CatalogHolder.reload's policy, the same
    as the bot's /reload: when the new data breaks the data contract (a missing file or
    column, a column of another type), or its
    model fails to load while a model is being served, the old catalogue and model keep
    serving and 503 `reload_failed` says why. With no model before either, the new data
    goes in and `status` is 'degraded'. Disabled (403) unless API_ADMIN_TOKEN is set."""
    _check_token(settings.admin_token, x_admin_token, lang)
    before = holder.current.info.version
    try:
        fresh = holder.reload()
    except CatalogLoadError as e:  # -> 503 reload_failed; the old catalogue serves on
        log.warning("reload refused: %s", e)
        raise
    state.reloads += 1
    log.info("reloaded: data %s -> %s", before, fresh.info.version)
    return ReloadOut(
        status="ok" if fresh.recommender is not None else "degraded",
        previous_version=before,
        data_version=fresh.info.version,
        model_version=fresh.info.model_version,
        model_error=fresh.info.model_error,
        load_seconds=fresh.info.load_seconds,
    )
