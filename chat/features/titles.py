"""Titles: where to watch (/search and free text, paged), title cards, /similar."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from catalog.browse import BrowsePage, BrowseQuery
from catalog.errors import QueryError
from catalog.results import RecommendedTitle, SearchHit
from catalog.search.words import BANDS, PHRASE

from .. import cards, picks, views
from .. import keyboards as kb
from ..callbacks import Callback, ExpiredMenu, encode
from ..context import Context, echo
from ..i18n import platform_name, t
from ..limits import BUTTON_TEXT_MAX, clip
from ..pending import Question
from ..provenance import demo_ratings
from ..registry import REGISTRY
from ..replies import Button, Html, Keyboard, Person, Reply, esc
from .ask import ask
from .browse import results as browse_results
from .browse_menu import describe, fields_of

LIST_SIZE = 50  # results fetched for paged lists (5 pages of views.PAGE_SIZE)
CANDIDATES = 8  # titles offered when a name matches several
# A match below an unchanged phrase (search's PHRASE tier at its top, catalog/search/words.py)
# is loose: words only, a number near the one typed ("1917" -> Kruty 1918), a fuzzy name.
LOOSE_BELOW = BANDS[PHRASE][0]


@REGISTRY.command("search", "buscar")
async def search(ctx: Context, person: Person, rest: str) -> Reply:
    if not rest:
        return ask(ctx, person, "search", "ask_search")
    return where_to_watch(ctx, person, rest, 0)


def where_to_watch(ctx: Context, person: Person, text: str, page: int) -> Reply:
    """One page of titles matching `text`, how many match, a card button for each. Words that
    also read as a browse ("películas de terror", "netflix 2020") get the catalogue filtered by
    them when they name no title, and a button to it when they do ("comedias": Comedians in
    Cars…, and 🧭 Comedy)."""
    lang = person.lang
    size = views.PAGE_SIZE
    found = ctx.catalog.where_to_watch_page(text, page * size, size)
    browsed = _as_browse(ctx, text) if page == 0 else None
    if browsed is not None and (not found.groups or is_loose(found.groups[0].match)):
        return browse_results(person, browsed)
    if not found.groups:
        if page == 0:
            return Reply(t(lang, "not_found", text=echo(text)))
        raise ExpiredMenu("search page past the end")  # the catalogue changed since
    pages = -(-found.total // size)
    first = found if page == 0 else ctx.catalog.where_to_watch_page(text, 0, 1)
    loose = bool(first.groups) and is_loose(first.groups[0].match)
    keyboard = cards.card_buttons([g.offers[0].id for g in found.groups], page * size)
    token = ctx.queries.token(text, person.chat_id)
    nav = kb.pager(page, pages, lambda p: encode("sp", token, p))
    if nav:
        keyboard.append(nav)
    if browsed is not None:
        what = describe(lang, browsed.query)
        label = clip(str(t(lang, "browse_instead", what=what)), BUTTON_TEXT_MAX)
        keyboard.append([Button(label, encode("br", *fields_of(browsed.query)))])
    return Reply(views.where_to_watch(lang, echo(text), found, pages, loose), keyboard)


def _as_browse(ctx: Context, text: str) -> BrowsePage | None:
    """The first page of /browse for `text` when every word of it is a filter, one at least
    filters and some title passes ("comedias", "netflix 2020"); None otherwise ("frozen",
    "the")."""
    try:
        browsed = ctx.catalog.browse_words(text, 0, views.PAGE_SIZE)
    except QueryError:
        return None
    filters = replace(browsed.query, sort="score") != BrowseQuery()
    return browsed if filters and browsed.total else None


@REGISTRY.button("sp")
async def search_page_button(ctx: Context, person: Person, cb: Callback) -> Reply:
    text = ctx.queries.text(cb.fields[0], person.chat_id)
    if text is None:
        raise ExpiredMenu("search token forgotten (restart or evicted) or of another chat")
    return where_to_watch(ctx, person, text, int(cb.fields[1]))


@REGISTRY.button("w")
async def where_button(ctx: Context, person: Person, cb: Callback) -> Reply:
    """Where to watch one title: its card (older messages carry this action)."""
    return card(ctx, person, cb.fields[0])


@REGISTRY.button("card")
async def card_button(ctx: Context, person: Person, cb: Callback) -> Reply:
    return replace(card(ctx, person, cb.fields[0]), below=True)  # the list stays above


def card(ctx: Context, person: Person, title_id: str) -> Reply:
    catalog = ctx.catalog
    info = catalog.title(title_id)
    if info is None:
        raise ExpiredMenu(f"title {title_id} no longer in the catalogue")
    carried = cards.offers(catalog, info)
    lang = person.lang
    keyboard = cards.card_keyboard(lang, info, carried, owner=person.user_id)
    text = cards.card_text(lang, info, carried, demo=demo_ratings(catalog))
    return Reply(text, keyboard)


@REGISTRY.command("similar", "similares")
async def similar(ctx: Context, person: Person, rest: str) -> Reply:
    lang = person.lang
    if not rest:
        return ask(ctx, person, "similar", "ask_similar")
    match = ctx.catalog.resolve_title(rest)
    if match.title is not None:
        return similar_page(ctx, person, match.title.id, 0)
    if not match.candidates:
        return Reply(t(lang, "not_found", text=echo(rest)))
    return pick(ctx, person, rest, match.candidates, lambda c: encode("sim", c.id, 0))


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
    if items[0].reason_code == "content":  # no ratings to go on: say what it is based on
        lines.append(t(lang, "similar_by_content"))
    lines += picks.title_lines(lang, chunk, page * views.PAGE_SIZE)
    nav = kb.pager(page, pages, lambda p: encode("sim", title_id, p))
    return Reply(Html("\n".join(lines)), listed(chunk, page, nav))


def listed(chunk: Sequence[RecommendedTitle], page: int, nav: list[Button]) -> Keyboard:
    """Card buttons for a page of recommended titles, then the pager."""
    keyboard = cards.card_buttons([item.title.id for item in chunk], page * views.PAGE_SIZE)
    return [*keyboard, nav] if nav else keyboard


def pick(
    ctx: Context,
    person: Person,
    text: str,
    candidates: Sequence[SearchHit],
    data: Callable[[SearchHit], str],
) -> Reply:
    """ "Which one?" with a button per candidate title; a typed reply that names one of them
    ("2", "the U.K. one", "la de 2001") presses its button (chat/choices.py)."""
    labelled = views.candidate_labels(candidates[:CANDIDATES])
    choices = tuple((label, data(c)) for c, label in labelled)
    ctx.pending.ask(person.user_id, Question(choices=choices))
    # none is named by the text ("1917" -> Reply 1997, Kruty 1918): say so, then offer them
    key = "pick_loose" if all(is_loose(c.match) for c in candidates) else "pick_title"
    return Reply(t(person.lang, key, text=echo(text)), [[Button(*c)] for c in choices])


def is_loose(match: float) -> bool:
    """A match too loose to say the text names the title: "harry potter" -> My Month with Mrs
    Potter, "1917" -> Reply 1997."""
    return match < LOOSE_BELOW


@REGISTRY.button("sim")
async def similar_button(ctx: Context, person: Person, cb: Callback) -> Reply:
    return similar_page(ctx, person, cb.fields[0], int(cb.fields[1]))


@REGISTRY.button("cs")
async def card_similar_button(ctx: Context, person: Person, cb: Callback) -> Reply:
    """Similar titles from a card: the list goes below the card, which stays."""
    return replace(similar_page(ctx, person, cb.fields[0], 0), below=True)


DIRECTOR_SHOWN = 15  # titles listed per platform; the rest are counted


@REGISTRY.command("director")  # the same word in Spanish
async def director(ctx: Context, person: Person, rest: str) -> Reply:
    """/director <name>: which titles a director made, per platform."""
    lang = person.lang
    if not rest:
        return ask(ctx, person, "director", "ask_director")
    found = ctx.catalog.director(rest)
    if found.director is None:
        if not found.candidates:
            return Reply(t(lang, "director_none", text=echo(rest)))
        return Reply(t(lang, "director_pick", text=echo(rest), names=", ".join(found.candidates)))
    lines: list[str] = [t(lang, "director_header", len(found.titles), name=found.director)]
    for platform, refs in found.by_platform().items():
        lines += ["", f"<b>{esc(platform_name(platform, lang))}</b>"]
        lines += [f"• {views.title_ref(lang, r, False)}" for r in refs[:DIRECTOR_SHOWN]]
        if len(refs) > DIRECTOR_SHOWN:
            lines.append(t(lang, "director_more", len(refs) - DIRECTOR_SHOWN))
    return Reply(Html("\n".join(lines)))
