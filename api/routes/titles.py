"""Titles: browse the catalogue, search by name, where to watch, a director's titles, one title
by id."""

from __future__ import annotations

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import Response

from api import errors
from api.deps import Cat
from api.errors import responses as r
from api.language import Lang
from api.params import (
    Decade,
    DirectorName,
    FormatArg,
    Genre,
    KindOpt,
    Limit,
    MinScore,
    Offset,
    PlatformOpt,
    SearchText,
    SortArg,
    TitleArg,
    TitleId,
    YearOpt,
)
from api.schemas import (
    BrowseFilters,
    BrowseTitle,
    DirectorOut,
    SearchHit,
    SearchOut,
    TitleInfo,
    TitleRef,
    TitlesOut,
    WhereToWatchItem,
    WhereToWatchOut,
)
from catalog import TitleNotFound
from catalog import validate as v
from catalog.browse import BrowsePage
from domain.genres import genre_name

router = APIRouter(tags=["titles"])

CSV_COLUMNS = (
    "id", "title", "platform", "type", "release_year", "year_meaning", "year_label", "score",
    "votes", "genres", "genre_names", "date_added",
)  # fmt: skip
CSV_RESPONSE = {
    "content": {"text/csv": {"schema": {"type": "string"}}},
    "description": "The page as JSON, or as CSV with format=csv or Accept: text/csv",
}


@router.get(
    "/titles",
    response_model=TitlesOut,
    responses={200: CSV_RESPONSE, **r(404, 422)},
    summary="Browse the catalogue",
)
def titles(
    c: Cat,
    lang: Lang,
    platform: PlatformOpt = None,
    kind: KindOpt = None,
    genre: Genre = None,
    year: YearOpt = None,
    decade: Decade = None,
    min_score: MinScore = None,
    sort: SortArg = None,
    offset: Offset = 0,
    limit: Limit = 20,
    format: FormatArg = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> TitlesOut | Response:
    """Titles under the filters, `limit` from `offset`, with the `total` matching: "comedies
    on Netflix from 2020" is `platform=netflix&genre=comedy&year=2020`. Genres are one
    vocabulary over the four platforms' labels (Netflix's "Comedies" and "TV Comedies", Hulu's
    "Comedy" and "Sitcom" are all `comedy`). Sorted by mean user score (a score from few votes
    counts less; unrated titles last) or by `newest`. An unknown platform or genre answers 404."""
    page = c.browse(platform, kind, genre, year, decade, min_score, sort, offset, limit)
    out = _titles_out(page, lang)
    wants_csv = format == "csv" or (format is None and _accepts_csv(accept))
    if not wants_csv:
        return out
    return Response(
        _csv(out),
        media_type="text/csv; charset=utf-8",
        headers={
            "X-Total-Count": str(out.total),
            "X-Offset": str(out.offset),
            "Content-Disposition": 'inline; filename="titles.csv"',
            "Content-Language": lang,
        },
    )


def _titles_out(page: BrowsePage, lang: str) -> TitlesOut:
    ctx = {"lang": lang}
    items = [
        BrowseTitle.model_validate(
            {
                **i.title.__dict__,
                "score": i.score,
                "votes": i.votes,
                "genres": list(i.genres),
                "genre_names": [genre_name(g, lang) for g in i.genres],
                "date_added": i.date_added,
            },
            context=ctx,
        )
        for i in page.items
    ]
    q = page.query
    filters = BrowseFilters.model_validate(q, from_attributes=True)
    return TitlesOut(filters=filters, total=page.total, offset=page.offset, items=items)


def _accepts_csv(accept: str | None) -> bool:
    """Accept: text/csv before any JSON type (a browser's */* keeps JSON)."""
    for part in (accept or "").split(","):
        kind = part.split(";")[0].strip().lower()
        if kind == "text/csv":
            return True
        if kind in ("application/json", "*/*", "application/*"):
            return False
    return False


def _csv(out: TitlesOut) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for t in out.items:
        row = t.model_dump(mode="json")
        row["genres"] = ";".join(t.genres)
        row["genre_names"] = ";".join(t.genre_names)
        writer.writerow(["" if row[k] is None else row[k] for k in CSV_COLUMNS])
    return buffer.getvalue()


@router.get(
    "/search",
    response_model=SearchOut,
    responses=r(422),
    summary="Find titles by name",
)
def search(c: Cat, q: SearchText, offset: Offset = 0, limit: Limit = 10) -> SearchOut:
    """Titles whose name matches `q`, best first, `limit` from `offset`, with the `total`
    matching; typos and accents are forgiven. No match is an empty list, not an error."""
    page = c.search_page(v.parse_text(q, "search text"), offset, limit)
    return SearchOut(
        query=q,
        total=page.total,
        offset=page.offset,
        hits=[SearchHit.model_validate(h) for h in page.hits],
    )


@router.get(
    "/where_to_watch",
    response_model=WhereToWatchOut,
    responses=r(404, 422),
    summary="Which platforms carry a title",
)
def where_to_watch(
    c: Cat, title: TitleArg, offset: Offset = 0, limit: Limit = 10
) -> WhereToWatchOut:
    """Every platform carrying the film or show the text names, one entry per name and
    release year (remakes are separate entries), `limit` from `offset` with the `total`.
    No match answers 404."""
    page = c.where_to_watch_page(title, offset, limit)
    if page.total == 0:
        raise TitleNotFound(title)
    return WhereToWatchOut(
        query=title,
        total=page.total,
        offset=page.offset,
        results=[WhereToWatchItem.model_validate(w) for w in page.groups],
    )


@router.get(
    "/director",
    response_model=DirectorOut,
    responses=r(404, 422),
    summary="A director's titles",
)
def director(
    c: Cat, name: DirectorName, lang: Lang, offset: Offset = 0, limit: Limit = 20
) -> DirectorOut:
    """The titles a director made, by platform and newest first, `limit` from `offset` with
    the `total` and the count `per_platform`: the bot's /director. The name is compared
    without accents or case, words in any order ("scorsese" finds Martin Scorsese when no other
    director is called so); words several directors share answer `director: null` and their
    names in `candidates`. No director answers 404."""
    found = c.director(name)
    if found.director is None and not found.candidates:
        raise errors.no_such_director(found.query, lang)
    return DirectorOut(
        query=found.query,
        director=found.director,
        candidates=list(found.candidates),
        per_platform={p: len(refs) for p, refs in found.by_platform().items()},
        total=len(found.titles),
        offset=offset,
        titles=[
            TitleRef.model_validate(t, context={"lang": lang})
            for t in found.titles[offset : offset + limit]
        ],
    )


@router.get(
    "/title/{title_id}",
    response_model=TitleInfo,
    responses=r(404, 422),
    summary="One title by id",
)
def title_info(c: Cat, title_id: TitleId, lang: Lang) -> TitleInfo:
    """Everything the catalogue knows of one title id (case-insensitive); 404 if unknown."""
    info = c.title(title_id)
    if info is None:
        raise errors.no_such_title_id(title_id, lang)
    return TitleInfo.model_validate(info, context={"lang": lang})
