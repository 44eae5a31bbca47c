"""The four questions about the catalogue: /maxduration, /scorecount, /platformcount, /actor.

Typed words are parsed once (chat/args.py); whatever is missing is asked with buttons
(features/wizard.py)."""

from __future__ import annotations

from catalog.errors import QueryError
from catalog.validate import parse_platform, parse_score, parse_year
from domain.text import tidy
from domain.vocabulary import (
    ALL_PLATFORM_WORDS,
    DURATION_TYPE_OF_CODE,
    KIND_INFO,
    PLATFORM_LETTERS,
    PLATFORM_OF_LETTER,
    duration_type_key,
    kind_key,
)

from .. import keyboards as kb
from .. import views
from ..args import classify
from ..callbacks import ANY, UNSET, Callback, ExpiredMenu, encode, score_field
from ..context import Context
from ..errors import explain
from ..i18n import as_of, t
from ..pending import Question
from ..registry import REGISTRY
from ..replies import Html, Person, Reply
from .wizard import Step, Wizard

CODE_OF_DURATION_TYPE = {v: k for k, v in DURATION_TYPE_OF_CODE.items()}


@REGISTRY.command("maxduration", "duracionmax")
async def maxduration(ctx: Context, person: Person, rest: str) -> Reply:
    if not rest:
        return wizard(ctx, person, Wizard.start("md"))
    a = classify(rest.split(), frozenset({"platform", "year", "type"}), optional_platform=True)
    return answer_md(ctx, person, a.platform, a.year, a.duration_type)


@REGISTRY.command("scorecount", "pornota")
async def scorecount(ctx: Context, person: Person, rest: str) -> Reply:
    a = classify(rest.split(), frozenset({"platform", "year", "score"}))
    if a.platform is None or a.year is None or a.score is None:
        fields = (
            _letter(a.platform),
            str(a.year) if a.year is not None else UNSET,
            score_field(a.score) if a.score is not None else UNSET,
        )
        return wizard(ctx, person, Wizard.start("sc", fields))
    return answer_sc(ctx, person, a.platform, a.year, a.score)


@REGISTRY.command("platformcount", "porplataforma")
async def platformcount(ctx: Context, person: Person, rest: str) -> Reply:
    lang = person.lang
    if not rest:
        keyboard = kb.platforms(lang, lambda c: encode("pc", c), with_any=True)
        ctx.pending.ask(person.user_id, Question("platformcount"))  # "netflix" typed answers
        return Reply(t(lang, "pick_platform"), keyboard)
    a = classify(rest.split(), frozenset({"platform"}), optional_platform=True)
    platform = a.platform  # None: every platform ("all", or nothing said)
    return platform_counts(ctx, person, platform)


def platform_counts(ctx: Context, person: Person, platform: str | None) -> Reply:
    """The counts, and the date they hold for ("as of", the newest title added)."""
    catalog = ctx.catalog
    counts = views.platform_counts(person.lang, catalog.count_platform(platform))
    day = t(person.lang, "as_of", as_of=as_of(person.lang, catalog.info.as_of))
    return Reply(Html(f"{counts}\n{day}"))


@REGISTRY.command("actor")
async def actor(ctx: Context, person: Person, rest: str) -> Reply:
    a = classify(rest.split(), frozenset({"platform", "year"}))
    if a.platform is not None and a.year is not None:
        return answer_ac(ctx, person, a.platform, a.year)
    fields = (_letter(a.platform), str(a.year) if a.year is not None else UNSET)
    return wizard(ctx, person, Wizard.start("ac", fields))


def answer_md(
    ctx: Context, person: Person, platform: str | None, year: int | None, dtype: str | None
) -> Reply:
    result = ctx.catalog.max_duration(year=year, platform=platform, duration_type=dtype)
    return Reply(views.max_duration(person.lang, result))


def answer_sc(ctx: Context, person: Person, platform: str, year: int, score: float) -> Reply:
    return Reply(views.score_count(person.lang, ctx.catalog.score_count(platform, score, year)))


def answer_ac(ctx: Context, person: Person, platform: str, year: int) -> Reply:
    catalog = ctx.catalog
    result = catalog.actor(platform, year)
    with_cast = catalog.cast_titles(platform) if result.actor is None else None
    return Reply(views.actor(person.lang, result, with_cast))


def wizard(ctx: Context, person: Person, w: Wizard) -> Reply:
    """Ask for the first field still unset, or answer when every field is chosen."""
    if w.step is None:
        if w.spec.action == "md":
            return answer_md(ctx, person, w.platform, w.year, w.duration_type())
        platform, year = w.needs_platform_and_year()
        if w.spec.action == "sc":
            return answer_sc(ctx, person, platform, year, float(w.last))
        return answer_ac(ctx, person, platform, year)
    years = ctx.catalog.years(w.platform) if w.spec.steps[w.step][0] is Step.YEAR else []
    text, keyboard = w.question(person.lang, years)
    # the question stays open: a typed "2020" answers it as the 2020 button would
    ctx.pending.ask(person.user_id, Question(state=w.turn(w.page)))
    return Reply(text, keyboard)


@REGISTRY.answer("md", "sc", "ac")
async def wizard_typed(ctx: Context, person: Person, cb: Callback, text: str) -> Reply:
    """A typed platform, year, type or score answering the wizard's open question; a value
    that fits none is explained and the question asked again."""
    w = Wizard.start(cb.action, cb.fields[1:]).at_page(cb.page())
    if w.step is None:
        raise ExpiredMenu("wizard already answered")
    step, optional = w.spec.steps[w.step]
    try:
        value = typed_field(step, optional, text)
    except QueryError as e:
        again = wizard(ctx, person, w)
        return Reply(Html(f"{explain(person.lang, e)}\n\n{again.text}"), again.keyboard)
    return wizard(ctx, person, Wizard.start(cb.action, _chosen(w, value)))


def _chosen(w: Wizard, value: str) -> tuple[str, ...]:
    fields = list(w.fields)
    fields[w.step or 0] = value
    return tuple(fields)


def typed_field(step: Step, optional: bool, text: str) -> str:
    """The callback code a typed answer stands for: a platform letter, a year, a type code, a
    score; ANY for "all"/"todas" where the step may be skipped. Bad values raise QueryError."""
    word = tidy(text)
    if optional and word in ALL_PLATFORM_WORDS:
        return ANY
    if step is Step.PLATFORM:
        return PLATFORM_LETTERS[parse_platform(word)]
    if step is Step.YEAR:
        return str(parse_year(word))
    if step is Step.SCORE:
        return score_field(parse_score(word.lstrip(">").strip()))
    dtype = duration_type_key(word)
    kind = kind_key(word)
    if dtype is None and kind is not None:
        dtype = KIND_INFO[kind].duration_type
    if dtype is None:
        raise QueryError("invalid_duration_type", "type", text, f"type {text!r}", {})
    return CODE_OF_DURATION_TYPE[dtype]


@REGISTRY.button("md", "sc", "ac")
async def wizard_button(ctx: Context, person: Person, cb: Callback) -> Reply:
    w = Wizard.start(cb.action, cb.fields[1:]).at_page(cb.page())
    return wizard(ctx, person, w)


@REGISTRY.button("pc")
async def platformcount_button(ctx: Context, person: Person, cb: Callback) -> Reply:
    if cb.fields[0] == UNSET:
        raise ExpiredMenu("platform count without a platform")
    platform = PLATFORM_OF_LETTER.get(cb.fields[0])  # None: "*", every platform
    return platform_counts(ctx, person, platform)


def _letter(platform: str | None) -> str:
    return PLATFORM_LETTERS[platform] if platform is not None else UNSET
