"""Recommendations by title: /recommend <title> for the person asking (from their chat ratings,
the model's fold-in), /recommend <userId> <title> for a user of the ratings data, and /top
<userId>, an analyst's list (admins; the API has it too)."""

from __future__ import annotations

from catalog.errors import AmbiguousTitle
from catalog.results import SearchHit
from catalog.validate import parse_user_id

from .. import keyboards as kb
from .. import picks, views
from ..callbacks import Callback, ExpiredMenu, encode
from ..context import Context, echo
from ..i18n import t
from ..registry import REGISTRY
from ..replies import Button, Html, Person, Reply
from .ask import ask
from .titles import LIST_SIZE, is_loose, listed, pick


@REGISTRY.command("recommend", "recomendar")
async def recommend(ctx: Context, person: Person, rest: str) -> Reply:
    if not rest:
        return ask(ctx, person, "recommend", "ask_recommend")
    words = rest.split(None, 1)
    if _names_a_dataset_user(ctx, words, rest):
        return for_user(ctx, person, parse_user_id(words[0]), words[1])
    return await for_asker(ctx, person, rest)


def _names_a_dataset_user(ctx: Context, words: list[str], rest: str) -> bool:
    """ "42 the crown" is user 42 and a title. A lone number ("1917") is always a title: a
    person means the film, and the ratings data's user form needs an id and a title. A number
    and words are a title when the whole text names one better than the words after the
    number do ("13 reasons why", "2001 a space odyssey"), whether or not the model knows a
    user 13; else the number is a user id ("13 frozen machine", "42 the crown")."""
    if len(words) < 2 or not words[0].isdigit():
        return False
    if len(words[0]) > 18:  # no title starts with such a number: a user id, maybe a bad one
        return True
    return _best_match(ctx, words[1]) >= _best_match(ctx, rest)


def _best_match(ctx: Context, text: str) -> float:
    """How well `text` names its closest title (search's match, 100 = the exact name)."""
    return max((hit.match for hit in ctx.catalog.search(text, 1)), default=0.0)


def for_user(ctx: Context, person: Person, user_id: int, title: str) -> Reply:
    # the title first: a name several titles carry is asked about, model or not
    match = ctx.catalog.resolve_title(title)
    if match.title is None and match.candidates:
        return pick(ctx, person, title, match.candidates, lambda c: encode("rec", user_id, c.id))
    try:
        result = ctx.catalog.recommend(user_id, match.title.id if match.title else title)
    except AmbiguousTitle as e:
        return pick(ctx, person, title, e.candidates, lambda c: encode("rec", user_id, c.id))
    return Reply(picks.recommendation(person.lang, result))


async def for_asker(ctx: Context, person: Person, title: str) -> Reply:
    """Would I like it? From the person's own ratings; with none, ask them to rate first."""
    lang = person.lang
    match = ctx.catalog.resolve_title(title)  # which title first, model or not

    def choose(c: SearchHit) -> str:
        return encode("ry", c.id, owner=person.user_id)

    if match.title is None and all(is_loose(c.match) for c in match.candidates):
        # no title is called that: said before anything else ("No title called “1917”")
        if not match.candidates:
            return Reply(t(lang, "not_found", text=echo(title)))
        return pick(ctx, person, title, match.candidates, choose)
    ratings = await ctx.stored(ctx.store.ratings_async(person.user_id))
    if not ratings:
        rate = [[Button(t(lang, "menu_rate"), encode("menu", "rate"))]]
        return Reply(t(lang, "recommend_rate_first"), rate)
    if match.title is None:
        return pick(ctx, person, title, match.candidates, choose)
    try:
        result = ctx.catalog.recommend_for_ratings(ratings, match.title.id)
    except AmbiguousTitle as e:
        return pick(ctx, person, title, e.candidates, choose)
    card = [[Button(t(lang, "open_card"), encode("card", result.title.id))]]
    return Reply(picks.recommendation(lang, result), card)


@REGISTRY.command("top", admin=True)
async def top(ctx: Context, person: Person, rest: str) -> Reply:
    words = rest.split()
    if not words:
        return ask(ctx, person, "top", "ask_top")
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
    lines += picks.title_lines(lang, chunk, page * views.PAGE_SIZE)
    nav = kb.pager(page, pages, lambda p: encode("top", user_id, p))
    return Reply(Html("\n".join(lines)), listed(chunk, page, nav))


# ----- buttons ---------------------------------------------------------------------------------


@REGISTRY.button("rec")
async def recommend_button(ctx: Context, person: Person, cb: Callback) -> Reply:
    user_id, title_id = int(cb.fields[0]), cb.fields[1]
    if ctx.catalog.title(title_id) is None:
        raise ExpiredMenu(f"title {title_id} no longer in the catalogue")
    return for_user(ctx, person, user_id, title_id)


@REGISTRY.button("ry")
async def recommend_asker_button(ctx: Context, person: Person, cb: Callback) -> Reply:
    if ctx.catalog.title(cb.fields[0]) is None:
        raise ExpiredMenu(f"title {cb.fields[0]} no longer in the catalogue")
    return await for_asker(ctx, person, cb.fields[0])


@REGISTRY.button("top")
async def top_button(ctx: Context, person: Person, cb: Callback) -> Reply:
    if not person.is_admin:
        raise ExpiredMenu("top is for admins")
    return top_page(ctx, person, int(cb.fields[0]), int(cb.fields[1]))
