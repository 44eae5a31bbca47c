"""Titles: where to watch (/search and free text), /similar, /recommend and /top."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from catalog.results import SearchHit
from catalog.validate import AmbiguousTitle, parse_user_id

from .. import keyboards as kb
from .. import views
from ..callbacks import Callback, ExpiredMenu, encode
from ..context import Context, echo
from ..i18n import t
from ..registry import REGISTRY
from ..replies import Button, Html, Person, Reply

LIST_SIZE = 50  # results fetched for paged lists (5 pages of views.PAGE_SIZE)
CANDIDATES = 8  # titles offered when a name matches several


@REGISTRY.command("search", "buscar")
async def search(ctx: Context, person: Person, rest: str) -> Reply:
    return where_to_watch(ctx, person, rest)


def where_to_watch(ctx: Context, person: Person, text: str) -> Reply:
    lang = person.lang
    if not text:
        return Reply(t(lang, "usage_search"))
    groups = ctx.catalog.where_to_watch(text)
    if not groups:
        return Reply(t(lang, "not_found", text=echo(text)))
    return Reply(views.where_to_watch(lang, echo(text), groups))


@REGISTRY.command("similar", "similares")
async def similar(ctx: Context, person: Person, rest: str) -> Reply:
    lang = person.lang
    if not rest:
        return Reply(t(lang, "usage_similar"))
    match = ctx.catalog.resolve_title(rest)
    if match.title is not None:
        return similar_page(ctx, person, match.title.id, 0)
    if not match.candidates:
        return Reply(t(lang, "not_found", text=echo(rest)))
    return _pick(lang, rest, match.candidates, lambda c: encode("sim", c.id, 0))


def similar_page(ctx: Context, person: Person, title_id: str, page: int) -> Reply:
    lang = person.lang
    catalog = ctx.catalog
    info = catalog.title(title_id)
    if info is None:
        raise ExpiredMenu(f"title {title_id} no longer in the catalogue")
    items = catalog.similar(title_id, n=LIST_SIZE)
    name = views.title_ref(lang, info.ref)
    if not items:
        return Reply(t(lang, "similar_none", title=name))
    chunk, page, pages = views.page_of(items, page)
    lines: list[str] = [t(lang, "similar_header", title=name, page=page + 1, pages=pages)]
    lines += views.title_lines(lang, chunk, page * views.PAGE_SIZE)
    nav = kb.pager(page, pages, lambda p: encode("sim", title_id, p))
    return Reply(Html("\n".join(lines)), [nav] if nav else None)


@REGISTRY.command("recommend", "recomendar")
async def recommend(ctx: Context, person: Person, rest: str) -> Reply:
    words = rest.split(None, 1)
    if len(words) < 2:
        return Reply(t(person.lang, "usage_recommend"))
    return recommendation(ctx, person, parse_user_id(words[0]), words[1])


def recommendation(ctx: Context, person: Person, user_id: int, title: str) -> Reply:
    try:
        result = ctx.catalog.recommend(user_id, title)
    except AmbiguousTitle as e:
        return _pick(person.lang, title, e.candidates, lambda c: encode("rec", user_id, c.id))
    return Reply(views.recommendation(person.lang, result))


@REGISTRY.command("top")
async def top(ctx: Context, person: Person, rest: str) -> Reply:
    words = rest.split()
    if len(words) != 1:
        return Reply(t(person.lang, "usage_top"))
    return top_page(ctx, person, parse_user_id(words[0]), 0)


def top_page(ctx: Context, person: Person, user_id: int, page: int) -> Reply:
    lang = person.lang
    catalog = ctx.catalog
    items = catalog.top(user_id, n=LIST_SIZE)
    if not items:
        return Reply(t(lang, "no_titles"))
    chunk, page, pages = views.page_of(items, page)
    lines: list[str] = [t(lang, "top_header", user=user_id, page=page + 1, pages=pages)]
    recommender = catalog.recommender
    if recommender is not None and not recommender.knows_user(user_id):
        lines.append(t(lang, "top_unknown_user", user=user_id))
    lines += views.title_lines(lang, chunk, page * views.PAGE_SIZE)
    nav = kb.pager(page, pages, lambda p: encode("top", user_id, p))
    return Reply(Html("\n".join(lines)), [nav] if nav else None)


def _pick(
    lang: str, text: str, candidates: Sequence[SearchHit], data: Callable[[SearchHit], str]
) -> Reply:
    """ "Which one?" with a button per candidate title."""
    labelled = views.candidate_labels(candidates[:CANDIDATES])
    buttons = [[Button(label, data(c))] for c, label in labelled]
    return Reply(t(lang, "pick_title", text=echo(text)), buttons)


# ----- buttons ---------------------------------------------------------------------------------


@REGISTRY.button("w")
async def where_button(ctx: Context, person: Person, cb: Callback) -> Reply:
    info = ctx.catalog.title(cb.fields[0])
    if info is None:
        raise ExpiredMenu(f"title {cb.fields[0]} no longer in the catalogue")
    return where_to_watch(ctx, person, info.title)


@REGISTRY.button("sim")
async def similar_button(ctx: Context, person: Person, cb: Callback) -> Reply:
    return similar_page(ctx, person, cb.fields[0], int(cb.fields[1]))


@REGISTRY.button("rec")
async def recommend_button(ctx: Context, person: Person, cb: Callback) -> Reply:
    user_id, title_id = int(cb.fields[0]), cb.fields[1]
    if ctx.catalog.title(title_id) is None:
        raise ExpiredMenu(f"title {title_id} no longer in the catalogue")
    return recommendation(ctx, person, user_id, title_id)


@REGISTRY.button("top")
async def top_button(ctx: Context, person: Person, cb: Callback) -> Reply:
    return top_page(ctx, person, int(cb.fields[0]), int(cb.fields[1]))
