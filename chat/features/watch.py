"""The watchlist and the platforms a person has: /watch <title> (or Watch later on a card),
/watchlist (paged, with remove buttons), /myplatforms (toggle buttons, remembered) and /new
(what arrived on the person's platforms in the release being served). The alerts themselves
go out from alerts/service.py."""

from __future__ import annotations

from functools import lru_cache

from alerts.queue import Arrival, arrivals
from catalog.errors import QueryError
from domain.text import tidy
from domain.vocabulary import PLATFORM_LETTERS, PLATFORM_OF_LETTER, PLATFORMS, platform_key
from people import WatchlistFull

from .. import keyboards as kb
from .. import views
from ..callbacks import Callback, ExpiredMenu, encode, id_field
from ..cards import card_buttons, offers
from ..context import Context, echo
from ..i18n import platform_name, t
from ..pending import Question
from ..registry import REGISTRY
from ..replies import Button, Html, Keyboard, Person, Reply, bold
from .ask import ask
from .titles import pick, where_to_watch

NEW_LISTED = 30  # arrivals listed by /new (the count says how many in all)


@REGISTRY.command("watch", "verdespues")
async def watch(ctx: Context, person: Person, rest: str) -> Reply:
    if not rest:
        return ask(ctx, person, "watch", "ask_watch")
    match = ctx.catalog.resolve_title(rest)
    if match.title is not None:
        return await add(ctx, person, match.title.id)
    if not match.candidates:
        return Reply(t(person.lang, "not_found", text=echo(rest)))
    return pick(
        ctx, person, rest, match.candidates, lambda c: encode("wa", c.id, owner=person.user_id)
    )


@REGISTRY.button("wa")
async def watch_button(ctx: Context, person: Person, cb: Callback) -> Reply:
    reply = await add(ctx, person, cb.fields[0])
    return Reply(reply.text, reply.keyboard, below=True, toast=reply.toast)


async def add(ctx: Context, person: Person, title_id: str) -> Reply:
    lang = person.lang
    info = ctx.catalog.title(title_id)
    if info is None:
        raise ExpiredMenu(f"title {title_id} no longer in the catalogue")
    name = views.title_ref(lang, info.ref)
    try:
        added = await ctx.stored(ctx.store.watch_add_async(person.user_id, title_id))
    except WatchlistFull as e:
        return Reply(t(lang, "watch_full", limit=e.limit))
    keyboard = [[Button(t(lang, "menu_watchlist"), encode("wl", 0, owner=person.user_id))]]
    platforms = await ctx.stored(ctx.store.platforms_async(person.user_id))
    if not platforms:
        keyboard.append(
            [Button(t(lang, "menu_myplatforms"), encode("mp", "_", owner=person.user_id))]
        )
    # already on one of my platforms: say where it is now, not "I'll tell you when it arrives"
    carried = [o.platform for o in offers(ctx.catalog, info)]
    here = [p for p in carried if p in platforms]
    if here:
        key = "watch_added_here" if added else "watch_already_here"
        text = t(lang, key, title=name, platforms=_names(here, lang))
    elif not platforms:
        # No platforms chosen: an alert comes only for a title new everywhere (alerts/queue.py),
        # and this one streams somewhere already. Say where, and what makes alerts work.
        key = "watch_added_anywhere" if added else "watch_already_anywhere"
        button = t(lang, "menu_myplatforms")
        text = t(lang, key, title=name, platforms=_names(carried, lang), button=button)
    else:
        text = t(lang, "watch_added" if added else "watch_already", title=name)
    return Reply(text, keyboard, toast=t(lang, "saved_toast"))


def _names(platforms: list[str], lang: str) -> str:
    return ", ".join(platform_name(p, lang) for p in dict.fromkeys(platforms))


@REGISTRY.command("watchlist", "milista")
async def watchlist(ctx: Context, person: Person, rest: str) -> Reply:
    return await watchlist_page(ctx, person, 0)


async def watchlist_page(ctx: Context, person: Person, page: int) -> Reply:
    lang = person.lang
    ids = await ctx.stored(ctx.store.watchlist_async(person.user_id))
    if not ids:
        return Reply(t(lang, "watchlist_empty"))
    catalog = ctx.catalog
    newest_first = list(reversed(ids))
    chunk, page, pages = views.page_of(newest_first, page)
    lines: list[str] = [t(lang, "watchlist_header", len(ids), page=page + 1, pages=pages)]
    keyboard: Keyboard = []
    for i, title_id in enumerate(chunk, start=page * views.PAGE_SIZE + 1):
        info = catalog.title(title_id)
        name = views.title_ref(lang, info.ref) if info else bold(title_id)
        lines.append(f"{i}. {name}")
        row = [Button(f"✖ {i}", encode("wr", title_id, page, owner=person.user_id))]
        if info is not None:
            row.insert(0, Button(f"📄 {i}", encode("card", title_id)))
        keyboard.append(row)
    nav = kb.pager(page, pages, lambda p: encode("wl", p, owner=person.user_id))
    if nav:
        keyboard.append(nav)
    return Reply(Html("\n".join(lines)), keyboard)


@REGISTRY.button("wl")
async def watchlist_button(ctx: Context, person: Person, cb: Callback) -> Reply:
    return await watchlist_page(ctx, person, cb.page())


@REGISTRY.button("wr")
async def watch_remove_button(ctx: Context, person: Person, cb: Callback) -> Reply:
    title_id = cb.fields[0]
    if title_id.startswith("~"):  # an id written as a token: one on this person's watchlist
        ids = await ctx.stored(ctx.store.watchlist_async(person.user_id))
        title_id = next((i for i in ids if id_field(i) == title_id), title_id)
    removed = await ctx.stored(ctx.store.watch_remove_async(person.user_id, title_id))
    reply = await watchlist_page(ctx, person, int(cb.fields[1]))
    toast = t(person.lang, "watch_removed" if removed else "watch_not_there")
    return Reply(reply.text, reply.keyboard, toast=toast)


@REGISTRY.command("myplatforms", "misplataformas")
async def myplatforms(ctx: Context, person: Person, rest: str) -> Reply:
    """/myplatforms: the toggles; /myplatforms netflix hulu: those turned on, then the toggles."""
    named = typed_platforms(rest) if rest else None
    if rest and named is None:  # said in the person's words by the router (chat/errors.py)
        raise QueryError("unknown_platform", "platform", rest, f"unknown platform {rest!r}", {})
    if named:
        await _turn_on(ctx, person, named)
    return await platforms_menu(ctx, person)


@REGISTRY.answer("mp")
async def platforms_typed(ctx: Context, person: Person, cb: Callback, text: str) -> Reply:
    """Platforms typed under the toggles ("netflix", "hulu y disney+") are turned on, as their
    buttons would; other words close the question and are a title search, as without it."""
    named = typed_platforms(text)
    if named is None:
        return where_to_watch(ctx, person, text, 0)
    await _turn_on(ctx, person, named)
    return await platforms_menu(ctx, person)


async def _turn_on(ctx: Context, person: Person, named: set[str]) -> None:
    mine = await ctx.stored(ctx.store.platforms_async(person.user_id))
    await ctx.stored(ctx.store.set_platforms_async(person.user_id, mine | named))


AND_WORDS = frozenset({"and", "y", "e", "&", "+", ",", "also", "también", "tambien"})


def typed_platforms(text: str) -> set[str] | None:
    """The platforms a text names, every word a platform's name or alias ("amazon prime, hulu
    y netflix"); None when a word is none of them."""
    words = tidy(text.replace(",", " , ")).split()
    found: set[str] = set()
    i = 0
    while i < len(words):
        if words[i] in AND_WORDS:
            i += 1
            continue
        for n in (3, 2, 1):  # the longest name first: "amazon prime video"
            platform = platform_key(" ".join(words[i : i + n])) if i + n <= len(words) else None
            if platform is not None:
                found.add(platform)
                i += n
                break
        else:
            return None
    return found or None


async def platforms_menu(ctx: Context, person: Person) -> Reply:
    lang = person.lang
    # typed platform names answer the toggles too (platforms_typed)
    ctx.pending.ask(person.user_id, Question(state=encode("mp", "_", owner=person.user_id)))
    mine = await ctx.stored(ctx.store.platforms_async(person.user_id))
    buttons = [
        Button(
            ("✅ " if p in mine else "▫️ ") + platform_name(p, lang),
            encode("mp", letter, owner=person.user_id),
        )
        for p, letter in PLATFORM_LETTERS.items()
    ]
    names = ", ".join(platform_name(p, lang) for p in PLATFORMS if p in mine)
    text = t(lang, "myplatforms", platforms=names) if mine else t(lang, "myplatforms_none")
    return Reply(text, kb.rows(buttons, 2))


@REGISTRY.button("mp")
async def platform_toggle(ctx: Context, person: Person, cb: Callback) -> Reply:
    """A platform's button turns it on or off; "_" only shows the menu."""
    platform = PLATFORM_OF_LETTER.get(cb.fields[0])
    if platform is not None:
        mine = await ctx.stored(ctx.store.platforms_async(person.user_id))
        mine ^= {platform}
        await ctx.stored(ctx.store.set_platforms_async(person.user_id, mine))
    return await platforms_menu(ctx, person)


@REGISTRY.command("new", "nuevo")
async def new(ctx: Context, person: Person, rest: str) -> Reply:
    """What arrived in the release being served, on the person's platforms (all if none),
    numbered like the card buttons of the first ten."""
    lang = person.lang
    release = getattr(ctx.holder, "release", None)
    if release is None:
        return Reply(t(lang, "new_no_release"))
    mine = await ctx.stored(ctx.store.platforms_async(person.user_id))
    catalog = ctx.catalog
    arrived = [
        (a, catalog.title(a.title_id))
        for a in release_arrivals(release.path)
        if not mine or a.platform in mine
    ]
    if not arrived:
        return Reply(t(lang, "new_none", release=release.version))
    # Latest added to its platform first (date_added), then the latest released.
    arrived.sort(
        key=lambda e: (
            -(e[1].date_added.toordinal() if e[1] and e[1].date_added else 0),
            -(e[0].release_year or 0),
            e[0].title,
        )
    )
    lines: list[str] = [t(lang, "new_header", len(arrived), release=release.version)]
    shown = arrived[:NEW_LISTED]
    for i, (a, info) in enumerate(shown, start=1):
        name = views.title_ref(lang, info.ref, with_platform=False) if info else bold(a.title)
        lines.append(f"{i}. {name} — {platform_name(a.platform, lang)}")
    if len(arrived) > len(shown):
        lines.append(t(lang, "new_more", len(arrived) - len(shown)))
    # every arrival is a title of the release being served, so each has a card
    ids = [a.title_id for a, info in shown[: views.PAGE_SIZE] if info is not None]
    return Reply(Html("\n".join(lines)), card_buttons(ids, 0))


@lru_cache(maxsize=4)
def release_arrivals(release_dir: str) -> tuple[Arrival, ...]:
    """A published release's arrivals (its changes.parquet never changes once published)."""
    return tuple(arrivals(release_dir))
