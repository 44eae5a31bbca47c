"""/start (the main menu), /help (generated from the registry), the main menu's buttons, and
small talk: a greeting or a thank-you gets a friendly word and the menu, never a title search."""

from __future__ import annotations

import re
import unicodedata

from .. import keyboards as kb
from ..callbacks import Callback
from ..context import Context
from ..i18n import as_of, t
from ..registry import REGISTRY
from ..replies import Person, Reply

# What people write that is no title (accents and punctuation off, lower case).
GREETINGS = frozenset(
    {"hola", "holi", "hi", "hello", "hey", "hey there", "hi there", "buenas", "buenos dias",
     "buenas tardes", "buenas noches", "good morning", "good afternoon", "good evening",
     "que tal", "hola que tal", "saludos", "hiya", "howdy"}
)  # fmt: skip
THANKS = frozenset(
    {"gracias", "muchas gracias", "mil gracias", "thanks", "thank you", "thanks a lot", "thx",
     "ty", "cheers", "genial gracias", "great thanks", "ok thanks", "ok gracias", "vale gracias"}
)  # fmt: skip
_PUNCTUATION = re.compile(r"[^\w\s]+")


def _plain(text: str) -> str:
    bare = unicodedata.normalize("NFKD", text.lower())
    bare = "".join(ch for ch in bare if not unicodedata.combining(ch))
    return " ".join(_PUNCTUATION.sub(" ", bare).split())


def is_small_talk(text: str) -> bool:
    """A greeting or a thank-you ("¡Hola!", "thanks", "buenas"), said on its own."""
    plain = _plain(text)
    return plain in GREETINGS or plain in THANKS


def small_talk(person: Person, text: str) -> Reply:
    """A short friendly answer with the main menu."""
    lang = person.lang
    key = "small_thanks" if _plain(text) in THANKS else "small_hello"
    return Reply(t(lang, key), kb.main_menu(lang))


@REGISTRY.command("start", "inicio")
async def start(ctx: Context, person: Person, rest: str) -> Reply:
    key = "start" if person.first_name else "start_anon"
    lang = person.lang
    day = as_of(lang, ctx.catalog.info.as_of)
    return Reply(t(lang, key, name=person.first_name, as_of=day), kb.main_menu(lang))


@REGISTRY.command("help", "ayuda")
async def help_(ctx: Context, person: Person, rest: str) -> Reply:
    return Reply(REGISTRY.help(person.lang, admin=person.is_admin))


@REGISTRY.button("menu")
async def menu(ctx: Context, person: Person, cb: Callback) -> Reply:
    """A main-menu entry: the same as the command without arguments."""
    # imported here: the features import this module's registry entries first (/help's order)
    from . import browse, charts, people, questions, ratings, watch
    from .ask import ask
    from .wizard import Wizard

    target = cb.fields[0]
    if target in ("md", "sc", "ac"):
        return questions.wizard(ctx, person, Wizard.start(target))
    if target == "pc":
        return await questions.platformcount(ctx, person, "")
    if target == "br":
        return await browse.browse(ctx, person, "")
    if target == "rate":
        return await ratings.rate(ctx, person, "")
    if target == "fy":
        return await ratings.foryou(ctx, person, "")
    if target == "search":
        return ask(ctx, person, "search", "ask_search")
    if target == "wl":
        return await watch.watchlist(ctx, person, "")
    if target == "mp":
        return await watch.myplatforms(ctx, person, "")
    if target == "lang":
        return await people.language(ctx, person, "")
    if target == "chart":
        await ctx.charts.prepare(ctx.catalog)
        return charts.chart_menu(ctx, person)
    return await help_(ctx, person, "")


@REGISTRY.button("noop")
async def noop(ctx: Context, person: Person, cb: Callback) -> Reply:
    """The page indicator of a pager: pressing it does nothing."""
    return Reply("", toast="")
