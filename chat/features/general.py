"""/start (the main menu), /help (generated from the registry), the main menu's buttons, and
small talk: a greeting or a thank-you gets a friendly word and the menu, never a title search."""

from __future__ import annotations

import re
import unicodedata

from .. import keyboards as kb
from ..callbacks import Callback
from ..context import Context
from ..i18n import as_of, platforms, t
from ..registry import REGISTRY
from ..replies import Person, Reply

# What people write that is no title (accents and punctuation off, lower case); none of these
# is the whole name of a title on the real catalogues.
GREETINGS = frozenset(
    {"hola", "holi", "hi", "hello", "hey", "hey there", "hi there", "buenas", "buenos dias",
     "buenas tardes", "buenas noches", "good morning", "good afternoon", "good evening",
     "que tal", "hola que tal", "saludos", "hiya", "howdy"}
)  # fmt: skip
THANKS = frozenset(
    {"gracias", "muchas gracias", "mil gracias", "thanks", "thank you", "thanks a lot", "thx",
     "ty", "cheers", "genial gracias", "great thanks", "ok thanks", "ok gracias", "vale gracias"}
)  # fmt: skip
OKS = frozenset(
    {"ok", "okay", "okey", "vale", "perfecto", "genial", "great", "cool", "nice", "perfect",
     "de acuerdo", "entendido", "got it", "fine", "bien", "muy bien"}
)  # fmt: skip
BYES = frozenset(
    {"adios", "bye", "bye bye", "goodbye", "chao", "chau", "hasta luego", "hasta pronto",
     "nos vemos", "see you", "see ya", "good night"}
)  # fmt: skip
OK_MARKS = frozenset("👍👌🙂😊🙏❤✌😀😃😄🆗✅")  # an emoji alone that says ok or thanks
# Asking what the bot does: its help. "?" alone is one too (no letters: see small_talk_kind).
HELP_WORDS = frozenset(
    {"help", "ayuda", "que puedes hacer", "que sabes hacer", "what can you do", "como funciona",
     "how does it work", "how does this work", "commands", "comandos", "instrucciones",
     "instructions", "opciones", "options"}
)  # fmt: skip
MENU_WORDS = frozenset({"menu", "menu principal", "main menu", "start", "inicio", "empezar"})
_PUNCTUATION = re.compile(r"[^\w\s]+")


def _plain(text: str) -> str:
    bare = unicodedata.normalize("NFKD", text.lower())
    bare = "".join(ch for ch in bare if not unicodedata.combining(ch))
    return " ".join(_PUNCTUATION.sub(" ", bare).split())


def small_talk_kind(text: str) -> str | None:
    """What a message that is no title says: "hello", "thanks", "ok" (also an emoji alone),
    "bye", "help" ("ayuda", "?") or "menu"; None for anything else (a title search)."""
    plain = _plain(text)
    if not plain:  # no letter nor digit: "?" asks for help, "👍" is an ok ("★★" is stars)
        marks = set(text) - {" ", "\ufe0f", "!", "¡"}
        if marks and marks <= {"?", "¿"}:
            return "help"
        return "ok" if marks and marks <= OK_MARKS else None
    for kind, words in (("hello", GREETINGS), ("thanks", THANKS), ("ok", OKS), ("bye", BYES),
                        ("help", HELP_WORDS), ("menu", MENU_WORDS)):  # fmt: skip
        if plain in words:
            return kind
    return None


def is_small_talk(text: str) -> bool:
    """A greeting, thanks, an ok, a goodbye or a call for help said on its own."""
    return small_talk_kind(text) is not None


async def small_talk(ctx: Context, person: Person, text: str) -> Reply:
    """A short friendly answer (with the main menu), the help, or the menu itself."""
    lang = person.lang
    kind = small_talk_kind(text)
    if kind == "help":
        return await help_(ctx, person, "")
    if kind == "menu":
        return await start(ctx, person, "")
    if kind == "bye":
        return Reply(t(lang, "small_bye"))
    return Reply(t(lang, f"small_{kind}"), kb.main_menu(lang))


@REGISTRY.command("start", "inicio")
async def start(ctx: Context, person: Person, rest: str) -> Reply:
    key = "start" if person.first_name else "start_anon"
    lang = person.lang
    day = as_of(lang, ctx.catalog.info.as_of)
    text = t(lang, key, name=person.first_name, as_of=day, platforms=platforms(lang))
    return Reply(text, kb.main_menu(lang))


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
