"""Ratings in the chat: /rate offers the most-voted title not yet seen, with star buttons;
/foryou recommends from the person's own ratings (the model's fold-in)."""

from __future__ import annotations

from dataclasses import replace

from catalog.results import TitleInfo
from domain.text import tidy
from domain.vocabulary import LANGUAGES

from .. import keyboards as kb
from .. import picks, views
from ..callbacks import Callback, ExpiredMenu, encode
from ..context import Context, StoreUnavailable, echo
from ..i18n import t
from ..pending import Question
from ..provenance import demo_ratings
from ..registry import REGISTRY
from ..replies import Button, Html, Keyboard, Person, Reply
from .titles import listed, pick, where_to_watch

LIST_SIZE = 50  # recommendations fetched for the paged list
FEW_RATINGS = 3  # below this, /foryou says more ratings would help


@REGISTRY.command("rate", "puntuar")
async def rate(ctx: Context, person: Person, rest: str) -> Reply:
    """/rate: the next title to rate; /rate <title>: that title."""
    if not rest:
        return await next_to_rate(ctx, person, header=None)
    match = ctx.catalog.resolve_title(rest)
    if match.title is not None:
        return await rate_card(ctx, person, match.title, header=None)
    if not match.candidates:
        return Reply(t(person.lang, "not_found", text=echo(rest)))
    return pick(
        ctx, person, rest, match.candidates, lambda c: encode("rq", c.id, owner=person.user_id)
    )


@REGISTRY.button("rq")
async def rate_this(ctx: Context, person: Person, cb: Callback) -> Reply:
    """Rate from a title card or a "which one?" list: the stars for that title, below."""
    info = ctx.catalog.title(cb.fields[0])
    if info is None:
        raise ExpiredMenu(f"title {cb.fields[0]} no longer in the catalogue")
    return replace(await rate_card(ctx, person, info, header=None), below=True)


async def rate_card(
    ctx: Context, person: Person, info: TitleInfo, header: Html | None, edit: bool = False
) -> Reply:
    """The stars for one title; rated before, it says with how many (marked on its button)."""
    lang = person.lang
    parts = [header] if header else []
    details = views.title_details(lang, info)
    parts.append(t(lang, "rate_prompt", title=views.title_ref(lang, info.ref), details=details))
    given = (await ctx.stored(ctx.store.ratings_async(person.user_id))).get(info.id)
    stars = round(given) if given is not None else None
    if stars is not None:
        parts.append(t(lang, "rate_given", stars="★" * stars))
    # typed stars ("4", "★★★★", "saltar") answer it as the buttons do (rate_typed)
    ctx.pending.ask(person.user_id, Question(state=encode("rq", info.id, owner=person.user_id)))
    return Reply(
        Html("\n\n".join(parts)), kb.stars(lang, info.id, stars, owner=person.user_id), edit=edit
    )


async def next_to_rate(
    ctx: Context, person: Person, header: Html | None, edit: bool = False
) -> Reply:
    lang = person.lang
    seen = await ctx.stored(ctx.store.seen_async(person.user_id))
    catalog = ctx.catalog
    # The most informative title this person has neither rated nor skipped (issue 21).
    offered = catalog.to_rate(1, exclude=seen)
    info = catalog.title(offered[0].id) if offered else None
    if info is None:
        parts = [header] if header else []
        parts.append(t(lang, "rate_done"))
        return Reply(Html("\n\n".join(parts)), edit=edit)
    return await rate_card(ctx, person, info, header, edit)


@REGISTRY.answer("rq")
async def rate_typed(ctx: Context, person: Person, cb: Callback, text: str) -> Reply:
    """Stars typed under a title's stars ("4", "4★", "★★★★", "4 estrellas", "skip"), as the
    button would be; any other words close the question and are a title search, as they would
    have been without it."""
    stars = typed_stars(text)
    if stars is None:
        return where_to_watch(ctx, person, text, 0)
    reply = await rated(ctx, person, Callback("rt", (cb.fields[0], str(stars)), cb.owner))
    return replace(reply, edit=False)  # a new message: a typed answer edits nothing


SKIP_WORDS = frozenset({"skip", "saltar"})
STAR_WORDS = frozenset({"★", "star", "stars", "estrella", "estrellas"})


def typed_stars(text: str) -> int | None:
    """1..5 for typed stars, 0 for a skip (the Skip button's label in either language too),
    None for anything else."""
    said = tidy(text)
    if said in SKIP_WORDS or any(said == tidy(str(t(lang, "skip"))) for lang in LANGUAGES):
        return 0
    if said and set(said) == {"★"} and len(said) <= 5:
        return len(said)
    words = said.replace("★", " ★").split()
    if words and words[0] in ("1", "2", "3", "4", "5") and set(words[1:]) <= STAR_WORDS:
        return int(words[0])
    return None


@REGISTRY.button("rt")
async def rated(ctx: Context, person: Person, cb: Callback) -> Reply:
    lang = person.lang
    title_id, stars = cb.fields[0], int(cb.fields[1])
    info = ctx.catalog.title(title_id)
    if info is None:
        raise ExpiredMenu(f"title {title_id} no longer in the catalogue")
    name = views.title_ref(lang, info.ref)
    if stars == 0:
        await ctx.stored(ctx.store.skip_async(person.user_id, title_id))
        header = t(lang, "rate_skipped", title=name)
        return await next_to_rate(ctx, person, header, edit=True)
    # Committed to the store (in its writer thread) before the "saved" reply is even built.
    count = await ctx.stored(ctx.store.add_async(person.user_id, title_id, float(stars)))
    header = t(lang, "rate_saved", count, title=name, stars="★" * stars)
    try:
        reply = await next_to_rate(ctx, person, header, edit=True)
    except StoreUnavailable:  # the rating is saved: say so, whatever the next card does
        reply = Reply(Html(f"{header}\n\n{t(lang, 'store_unavailable')}"), edit=True)
    return Reply(reply.text, reply.keyboard, edit=True, toast=t(lang, "saved_toast"))


@REGISTRY.command("foryou", "parati")
async def foryou(ctx: Context, person: Person, rest: str) -> Reply:
    return await foryou_page(ctx, person, 0)


async def foryou_page(ctx: Context, person: Person, page: int, edit: bool = False) -> Reply:
    lang = person.lang
    ratings = await ctx.stored(ctx.store.ratings_async(person.user_id))
    rate_button = [Button(t(lang, "menu_rate"), encode("menu", "rate"))]
    if not ratings:
        return Reply(t(lang, "foryou_none"), [rate_button], edit=edit)
    items = ctx.catalog.for_ratings(ratings, n=LIST_SIZE)
    if not items:
        return Reply(t(lang, "no_titles"), edit=edit)
    chunk, page, pages = views.page_of(items, page)
    lines: list[str] = [t(lang, "foryou_header", len(ratings), page=page + 1, pages=pages)]
    lines += picks.title_lines(lang, chunk, page * views.PAGE_SIZE)
    if len(ratings) < FEW_RATINGS:
        lines.append(t(lang, "foryou_more", FEW_RATINGS - len(ratings)))
    if demo_ratings(ctx.catalog):  # the model learnt from made-up ratings: said once
        lines.append(t(lang, "demo_ratings"))
    nav = kb.pager(page, pages, lambda p: encode("fy", p, owner=person.user_id))
    keyboard: Keyboard = [*listed(chunk, page, nav), rate_button]
    return Reply(Html("\n".join(lines)), keyboard, edit=edit)


@REGISTRY.button("fy")
async def foryou_button(ctx: Context, person: Person, cb: Callback) -> Reply:
    return await foryou_page(ctx, person, cb.page())
