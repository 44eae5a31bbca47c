"""What a person controls about themselves: /language (remembered), /mydata (everything stored
about them) and /deletemydata (erase it all, after a confirmation)."""

from __future__ import annotations

from dataclasses import replace

from domain.vocabulary import LANGUAGES

from ..callbacks import Callback, encode
from ..context import Context
from ..i18n import platform_name, t
from ..pending import Question
from ..registry import REGISTRY
from ..replies import Button, Html, Person, Reply, bold

LANGUAGE_NAMES = {"en": "English", "es": "Español"}
# What people type for a language (accents off): "english", "español", "spanish", "inglés"
LANGUAGE_WORDS = {"english": "en", "ingles": "en", "spanish": "es", "espanol": "es",
                  "castellano": "es"}  # fmt: skip
TITLES_LISTED = 10  # of a person's ratings, in /mydata (the count says how many in all)


@REGISTRY.command("language", "idioma")
async def language(ctx: Context, person: Person, rest: str) -> Reply:
    word = rest.strip().lower().replace("é", "e").replace("ñ", "n")
    chosen = LANGUAGE_WORDS.get(word, word[:2])
    if chosen in LANGUAGES:
        return await set_language(ctx, person, chosen)
    buttons = [[Button(LANGUAGE_NAMES[lang], encode("lang", lang)) for lang in LANGUAGES]]
    ctx.pending.ask(person.user_id, Question("language"))  # "english" typed answers it
    return Reply(t(person.lang, "language_pick"), buttons)


@REGISTRY.button("lang")
async def language_button(ctx: Context, person: Person, cb: Callback) -> Reply:
    return await set_language(ctx, person, cb.fields[0])


async def set_language(ctx: Context, person: Person, lang: str) -> Reply:
    await ctx.stored(ctx.store.set_language_async(person.user_id, lang))
    ctx.languages.put(person.user_id, lang)
    return Reply(t(lang, "language_set"))


@REGISTRY.command("mydata", "misdatos")
async def mydata(ctx: Context, person: Person, rest: str) -> Reply:
    lang = person.lang
    data = await ctx.stored(ctx.store.describe_async(person.user_id))
    if data.empty:
        return Reply(t(lang, "mydata_none"))
    lines: list[str] = []
    if data.ratings:
        lines.append(t(lang, "mydata_ratings", len(data.ratings), titles=_rated(ctx, data.ratings)))
    if data.skips:
        lines.append(t(lang, "mydata_skips", data.skips))
    name = LANGUAGE_NAMES.get(data.language or "", t(lang, "not_set"))
    lines.append(t(lang, "mydata_language", language=name))
    if data.platforms:
        names = ", ".join(platform_name(p, lang) for p in sorted(data.platforms))
        lines.append(t(lang, "mydata_platforms", platforms=names))
    if data.watchlist:
        lines.append(t(lang, "mydata_watchlist", len(data.watchlist)))
    if data.alerts_pending:
        lines.append(t(lang, "mydata_alerts", data.alerts_pending))
    text = t(lang, "mydata", user=person.user_id, lines=Html("\n".join(lines)))
    return Reply(text)


def _rated(ctx: Context, ratings: dict[str, float]) -> Html:
    """ "Title ★★★★, …" for the latest ratings (a title gone from the catalogue by its id)."""
    catalog = ctx.catalog
    shown = []
    for title_id, stars in list(ratings.items())[-TITLES_LISTED:]:
        info = catalog.title(title_id)
        shown.append(f"{bold(info.title if info else title_id)} {'★' * round(stars)}")
    more = len(ratings) - len(shown)
    return Html(", ".join(shown) + (f" (+{more})" if more > 0 else ""))


@REGISTRY.command("deletemydata", "borrarmisdatos")
async def deletemydata(ctx: Context, person: Person, rest: str) -> Reply:
    lang = person.lang
    if (await ctx.stored(ctx.store.describe_async(person.user_id))).empty:
        return Reply(t(lang, "mydata_none"))  # nothing to erase: no question to answer
    buttons = [
        [
            Button(t(lang, "forget_yes"), encode("forget", "yes")),
            Button(t(lang, "forget_no"), encode("forget", "no")),
        ]
    ]
    return Reply(t(lang, "forget_confirm"), buttons)


@REGISTRY.button("forget")
async def forget_button(ctx: Context, person: Person, cb: Callback) -> Reply:
    if cb.fields[0] != "yes":
        return Reply(t(person.lang, "forget_kept"))
    counts = await ctx.stored(ctx.store.forget_async(person.user_id))
    ctx.languages.pop(person.user_id, None)
    ctx.pending.drop(person.user_id)
    # the person's language came from the store: answer in Telegram's from now on
    return replace(Reply(t(person.lang, "forget_done", rows=sum(counts.values()))), edit=True)
