"""/chart: the EDA charts as photos, each with its finding in the person's language."""

from __future__ import annotations

import logging

from ..callbacks import Callback, ExpiredMenu, encode
from ..chart_service import INTERNAL_CHARTS, MAX_CAPTION, chart_name
from ..context import Context, echo
from ..i18n import chart_label, t
from ..limits import prefix_within, utf16_len
from ..registry import REGISTRY
from ..replies import Button, Html, Person, Reply, bold, esc

log = logging.getLogger(__name__)


@REGISTRY.command("chart", "grafico", "gráfico")
async def chart(ctx: Context, person: Person, rest: str) -> Reply:
    """/chart: the keyboard; /chart <name>: that chart as a photo with its finding."""
    await ctx.charts.prepare(ctx.catalog)
    if not rest:
        return chart_menu(ctx, person)
    return await chart_photo(ctx, person, rest)


def chart_menu(ctx: Context, person: Person, edit: bool = False) -> Reply:
    """The charts this catalogue can draw, one button each."""
    lang = person.lang
    names = shown_to(person, ctx.charts.available(ctx.catalog))
    if not names:
        return Reply(t(lang, "chart_none"), edit=edit)
    titles = ctx.charts.titles()
    keyboard = [
        [Button(chart_label(lang, name, titles.get(name, name)), encode("ch", name))]
        for name in names
    ]
    return Reply(t(lang, "chart_pick"), keyboard, edit=edit)


@REGISTRY.button("ch")
async def chart_button(ctx: Context, person: Person, cb: Callback) -> Reply:
    name = cb.fields[0]
    await ctx.charts.prepare(ctx.catalog)
    if ctx.charts.canonical(name) not in shown_to(person, ctx.charts.available(ctx.catalog)):
        raise ExpiredMenu(f"chart {name!r} not available in this catalogue")
    return await chart_photo(ctx, person, name)


async def chart_photo(ctx: Context, person: Person, name: str) -> Reply:
    lang = person.lang
    catalog = ctx.catalog  # one catalogue for the whole answer, even across a /reload
    names = shown_to(person, ctx.charts.available(catalog))
    wanted = ctx.charts.canonical(name)
    if wanted not in names:
        typed = ", ".join(chart_name(n, lang) for n in names)
        return Reply(t(lang, "chart_unknown", name=echo(name), names=typed))
    try:
        drawn = await ctx.charts.render(catalog, wanted)
    except Exception as e:  # a chart that cannot be drawn from these data: say so, go on
        log.warning("chart %s failed: %s", wanted, e, exc_info=True)
        return Reply(t(lang, "chart_failed", name=wanted))
    label = chart_label(lang, drawn.name, drawn.title)
    return Reply(chart_caption(label, drawn.finding_in(lang)), photo=drawn.png)


def shown_to(person: Person, names: list[str]) -> list[str]:
    """The charts this person may see: the data-quality ones only for admins."""
    return names if person.is_admin else [n for n in names if n not in INTERNAL_CHARTS]


def chart_caption(label: str, finding: str) -> Html:
    """<b>label</b> + the finding, escaped, within Telegram's 1,024-character caption."""
    room = MAX_CAPTION - utf16_len(label) - 1  # Telegram counts UTF-16 units
    if utf16_len(finding) > room:
        finding = finding[: prefix_within(finding, room - 1)].rstrip() + "…"
    return Html(f"{bold(label)}\n{esc(finding)}")
