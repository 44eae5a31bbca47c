"""/browse (es /explorar): the catalogue filtered by platform, type, genre, year or decade and
minimum score, sorted by score or newest, paged through cards (catalog/browse.py answers).

Typed: `/browse netflix comedy 2020` (words in any order, catalog.browse.parse_words). Bare: a
menu asks platform -> type -> genre -> decade -> year -> minimum score, each question answered
by a button or by typing (chat/features/browse_menu.py, which also keeps the query whole in the
callback data: a pager or the sort button works on any message, however old)."""

from __future__ import annotations

from dataclasses import replace

from catalog.browse import BrowsePage, SortKey
from catalog.errors import QueryError
from locales import short

from .. import cards, views
from .. import keyboards as kb
from ..callbacks import Callback, ExpiredMenu, encode
from ..context import Context
from ..errors import explain
from ..i18n import counted, t
from ..pending import Question
from ..registry import REGISTRY
from ..replies import Button, Html, Person, Reply
from .browse_menu import answer, describe, fields_of, query_of, question, start, step_of


@REGISTRY.command("browse", "explorar")
async def browse(ctx: Context, person: Person, rest: str) -> Reply:
    if not rest:
        return menu(ctx, person, start())
    found = ctx.catalog.browse_words(rest, 0, views.PAGE_SIZE)
    return results(person, found)


def menu(ctx: Context, person: Person, fields: tuple[str, ...]) -> Reply:
    """Ask the next of the menu's questions, else show the titles chosen."""
    if step_of(fields) is None:
        page = int(fields[6])
        found = ctx.catalog.browse_query(query_of(fields), page * views.PAGE_SIZE, views.PAGE_SIZE)
        return results(person, found)
    text, keyboard = question(ctx.catalog, person.lang, fields)
    ctx.pending.ask(person.user_id, Question(state=encode("br", *fields)))  # typed answers too
    return Reply(text, keyboard)


@REGISTRY.button("br")
async def browse_button(ctx: Context, person: Person, cb: Callback) -> Reply:
    return menu(ctx, person, cb.fields)


@REGISTRY.answer("br")
async def browse_typed(ctx: Context, person: Person, cb: Callback, text: str) -> Reply:
    """A typed answer to the menu's open question, as its button would be; a value that fits
    nothing is explained and the question asked again."""
    try:
        fields = answer(ctx.catalog, cb.fields, text)
    except QueryError as e:
        again = menu(ctx, person, cb.fields)
        return Reply(Html(f"{explain(person.lang, e)}\n\n{again.text}"), again.keyboard)
    return menu(ctx, person, fields)


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
        if item.score is not None:  # the plain mean, and how many votes it stands on
            votes = counted(lang, "n_votes", item.votes)
            line += f" — {short(lang, round(item.score, 1))}★ ({votes})"
        lines.append(line)
    if q.sort == "score":
        # The order is the mean shrunk by its votes (catalog/browse.py PRIOR_VOTES), the number
        # shown the plain mean: a 4★ from many votes above a 4.5★ from two reads as a bug
        # unless said.
        lines.append(t(lang, "browse_votes_count"))
    keyboard = cards.card_buttons([item.title.id for item in found.items], found.offset)
    nav = kb.pager(page, pages, lambda p: encode("br", *fields_of(q, p)))
    if nav:
        keyboard.append(nav)
    other: SortKey = "newest" if q.sort == "score" else "score"
    flip = encode("br", *fields_of(replace(q, sort=other), 0))
    keyboard.append([Button(t(lang, f"browse_sort_{other}"), flip)])
    return Reply(Html("\n".join(lines)), keyboard)
