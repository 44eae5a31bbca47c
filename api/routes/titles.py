"""Titles: search by name, where to watch, one title by id."""

from __future__ import annotations

from fastapi import APIRouter

from api import errors
from api.deps import Cat
from api.errors import responses as r
from api.params import Limit, SearchText, TitleArg, TitleId
from api.schemas import SearchHit, SearchOut, TitleInfo, WhereToWatchItem, WhereToWatchOut
from catalog import TitleNotFound

router = APIRouter(tags=["titles"])


@router.get(
    "/search",
    response_model=SearchOut,
    responses=r(422),
    summary="Find titles by name",
)
def search(c: Cat, q: SearchText, limit: Limit = 10) -> SearchOut:
    """Titles whose name matches `q`, best first; typos and accents are forgiven. No match
    is an empty list, not an error."""
    hits = c.search(q, limit)
    return SearchOut(query=q, hits=[SearchHit.model_validate(h) for h in hits])


@router.get(
    "/where_to_watch",
    response_model=WhereToWatchOut,
    responses=r(404, 422),
    summary="Which platforms carry a title",
)
def where_to_watch(c: Cat, title: TitleArg) -> WhereToWatchOut:
    """Every platform carrying the film or show the text names, one entry per name and
    release year (remakes are separate entries). No match answers 404."""
    found = c.where_to_watch(title)
    if not found:
        raise TitleNotFound(title)
    return WhereToWatchOut(query=title, results=[WhereToWatchItem.model_validate(w) for w in found])


@router.get(
    "/title/{title_id}",
    response_model=TitleInfo,
    responses=r(404, 422),
    summary="One title by id",
)
def title_info(c: Cat, title_id: TitleId) -> TitleInfo:
    """Everything the catalogue knows of one title id (case-insensitive); 404 if unknown."""
    info = c.title(title_id)
    if info is None:
        raise errors.no_such_title_id(title_id)
    return TitleInfo.model_validate(info)
