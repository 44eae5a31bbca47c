"""/browse (es /explorar): the catalogue filtered by platform, type, genre, year or decade and
minimum score, sorted by score or newest, paged through cards (catalog/browse.py answers).

Typed: `/browse netflix comedy 2020` (words in any order, catalog.browse.parse_words). Bare: a
menu asks platform -> type -> genre, each question answered by a button or by typing. The
query travels whole in the callback data (nothing kept per chat), so a pager or the sort
button works on any message, however old."""

from __future__ import annotations

from dataclasses import replace

from catalog.browse import BrowsePage, BrowseQuery, SortKey
from catalog.errors import QueryError
from catalog.validate import parse_platform
from domain.genres import GENRES, genre_name, genre_of_word
from domain.text import tidy
from domain.vocabulary import (
    ALL_PLATFORM_WORDS,
    PLATFORM_LETTERS,
    PLATFORM_OF_LETTER,
    kind_key,
)
from locales import short

from .. import cards, views
from .. import keyboards as kb
from ..callbacks import ANY, UNSET, Callback, ExpiredMenu, encode, score_field
from ..context import Context
from ..errors import explain
from ..i18n import platform_name, t
from ..pending import Question
from ..registry import REGISTRY
from ..replies import Button, Html, Keyboard, Person, Reply, bold

KIND_OF_CODE = {"m": "movie", "s": "tv show"}
CODE_OF_KIND = {v: k for k, v in KIND_OF_CODE.items()}
SORT_OF_CODE: dict[str, SortKey] = {"s": "score", "n": "newest"}
CODE_OF_SORT = {v: k for k, v in SORT_OF_CODE.items()}
GENRES_OFFERED = 14  # genre buttons in the menu (the most common first); typing takes any
GENRE_COLUMNS = 2


def fields_of(q: BrowseQuery, page: int = 0) -> tuple[str, ...]:
    """The query as callback fields: platform, kind, genre, year or decade, min score, sort,
    page. ANY: no filter; UNSET: not asked yet (the menu asks platform, kind, genre)."""
    when = str(q.year) if q.year is not None else f"d{q.decade}" if q.decade is not None else ANY
    return (
        PLATFORM_LETTERS[q.platform] if q.platform else ANY,
        CODE_OF_KIND[q.kind] if q.kind else ANY,
        f"{GENRES.index(q.genre):02d}" if q.genre else ANY,
        when,
        score_field(q.min_score) if q.min_score is not None else ANY,
        CODE_OF_SORT[q.sort],
        str(page),
    )


def query_of(fields: tuple[str, ...]) -> BrowseQuery:
    platform, kind, genre, when, score, sort = fields[:6]
    index = int(genre) if genre.isdigit() else None
    if index is not None and index >= len(GENRES):
        raise ExpiredMenu(f"genre {index} no longer exists")
    return BrowseQuery(
        platform=PLATFORM_OF_LETTER.get(platform),
        kind=KIND_OF_CODE.get(kind),
        genre=GENRES[index] if index is not None else None,
        year=int(when) if when.isdigit() else None,
        decade=int(when[1:]) if when.startswith("d") else None,
        min_score=float(score) if score not in (ANY, UNSET) else None,
        sort=SORT_OF_CODE.get(sort, "score"),
    )


@REGISTRY.command("browse", "explorar")
async def browse(ctx: Context, person: Person, rest: str) -> Reply:
    if not rest:
        return menu(ctx, person, (UNSET, UNSET, UNSET, ANY, ANY, "s", "0"))
    found = ctx.catalog.browse_words(rest, 0, views.PAGE_SIZE)
    return results(person, found)


def menu(ctx: Context, person: Person, fields: tuple[str, ...]) -> Reply:
    """Ask for the first of platform, kind, genre still unset, else show the titles."""
    lang = person.lang
    step = next((i for i in range(3) if fields[i] == UNSET), None)
    if step is None:
        page = int(fields[6])
        found = ctx.catalog.browse_query(query_of(fields), page * views.PAGE_SIZE, views.PAGE_SIZE)
        return results(person, found)

    def choose(value: str) -> str:
        chosen = list(fields)
        chosen[step] = value
        return encode("br", *chosen)

    keyboard: Keyboard
    if step == 0:
        key, keyboard = "pick_platform", kb.platforms(lang, choose, with_any=True)
    elif step == 1:
        key = "browse_pick_kind"
        keyboard = [
            [
                Button(t(lang, "browse_movies"), choose("m")),
                Button(t(lang, "browse_shows"), choose("s")),
            ],
            [Button(t(lang, "browse_both"), choose(ANY))],
        ]
    else:
        key = "browse_pick_genre"
        buttons = [
            Button(genre_name(g, lang), choose(f"{i:02d}"))
            for i, g in enumerate(GENRES[:GENRES_OFFERED])
        ]
        keyboard = [
            *kb.rows(buttons, GENRE_COLUMNS),
            [Button(t(lang, "browse_any_genre"), choose(ANY))],
        ]
    ctx.pending.ask(person.user_id, Question(state=encode("br", *fields)))  # typed answers too
    so_far = describe(lang, query_of(tuple(f if f != UNSET else ANY for f in fields)))
    header = bold(t(lang, "cmd_browse") + (f" — {so_far}" if so_far else ""))
    return Reply(Html(f"{header}\n{t(lang, key)}"), keyboard)


@REGISTRY.button("br")
async def browse_button(ctx: Context, person: Person, cb: Callback) -> Reply:
    return menu(ctx, person, cb.fields)


@REGISTRY.answer("br")
async def browse_typed(ctx: Context, person: Person, cb: Callback, text: str) -> Reply:
    """A typed platform, type or genre answering the menu's open question."""
    fields = list(cb.fields)
    step = next((i for i in range(3) if fields[i] == UNSET), None)
    if step is None:
        raise ExpiredMenu("browse menu already answered")
    try:
        fields[step] = typed_field(step, text)
    except QueryError as e:
        again = menu(ctx, person, cb.fields)
        return Reply(Html(f"{explain(person.lang, e)}\n\n{again.text}"), again.keyboard)
    return menu(ctx, person, tuple(fields))


def typed_field(step: int, text: str) -> str:
    word = tidy(text)
    if word in ALL_PLATFORM_WORDS or word in ("both", "ambos", "ambas", "any genre"):
        return ANY
    if step == 0:
        return PLATFORM_LETTERS[parse_platform(word)]
    if step == 1:
        kind = kind_key(word)
        if kind is None:
            raise QueryError("unknown_kind", "kind", text, f"kind {text!r}", {})
        return CODE_OF_KIND[kind]
    genre = genre_of_word(word)
    if genre is None:
        raise QueryError("unknown_genre", "genre", text, f"genre {text!r}", {})
    return f"{GENRES.index(genre):02d}"


def results(person: Person, found: BrowsePage) -> Reply:
    """A page of titles, numbered like their card buttons; pager; a button for the other sort."""
    lang = person.lang
    q = found.query
    what = describe(lang, q) or t(lang, "browse_everything")
    if not found.items:
        if found.offset:
            raise ExpiredMenu("browse page past the end")  # the catalogue changed since
        return Reply(t(lang, "browse_none", what=what))
    size = views.PAGE_SIZE
    page, pages = found.offset // size, -(-found.total // size)
    order = t(lang, f"browse_order_{q.sort}")
    lines: list[str] = [
        t(lang, "browse_header", found.total, what=what, order=order, page=page + 1, pages=pages)
    ]
    for i, item in enumerate(found.items, start=found.offset + 1):
        line = f"{i}. {views.title_ref(lang, item.title)}"
        if item.score is not None:
            line += f" — {short(lang, round(item.score, 1))}★"
        lines.append(line)
    keyboard = cards.card_buttons([item.title.id for item in found.items], found.offset)
    nav = kb.pager(page, pages, lambda p: encode("br", *fields_of(q, p)))
    if nav:
        keyboard.append(nav)
    other: SortKey = "newest" if q.sort == "score" else "score"
    flip = encode("br", *fields_of(replace(q, sort=other), 0))
    keyboard.append([Button(t(lang, f"browse_sort_{other}"), flip)])
    return Reply(Html("\n".join(lines)), keyboard)


def describe(lang: str, q: BrowseQuery) -> str:
    """The filters in words: "Comedy · movies · Netflix · 2020 · 3.5★ or more"."""
    bits: list[str] = []
    if q.genre:
        bits.append(genre_name(q.genre, lang))
    if q.kind:
        bits.append(str(t(lang, "browse_movies" if q.kind == "movie" else "browse_shows")))
    if q.platform:
        bits.append(platform_name(q.platform, lang))
    if q.year is not None:
        bits.append(str(q.year))
    if q.decade is not None:
        bits.append(str(t(lang, "browse_decade", decade=q.decade)))
    if q.min_score is not None:
        bits.append(str(t(lang, "browse_min_score", score=short(lang, q.min_score))))
    return " · ".join(bits)
