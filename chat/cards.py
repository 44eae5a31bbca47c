"""A title card: everything about one title and every platform carrying it, with a link to each
platform's search for it and buttons to rate it, see similar titles and keep it for later.

Every list of titles (search, similar, recommendations) opens cards through numbered buttons
(`card_buttons`), so a person can always go from a name to the whole story."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from catalog.core import Catalog
from catalog.results import Offer, TitleInfo
from domain.vocabulary import PLATFORM_INFO, kind_name, year_meaning
from locales import countries, number

from .callbacks import encode
from .i18n import counted, platform_name, t
from .replies import Button, Html, Keyboard, bold, esc
from .views import genres, year_label

CAST_SHOWN = 6
DESCRIPTION_MAX = 700
PER_ROW = 5  # numbered card buttons under a list


def offers(catalog: Catalog, info: TitleInfo) -> tuple[Offer, ...]:
    """Every platform carrying this film or show (same name and release year), this one first."""
    return catalog.offers(info.id) or (Offer(info.platform, info.id),)


def card_text(lang: str, info: TitleInfo, carried: Sequence[Offer], demo: bool = False) -> Html:
    """The card; `demo`: the scores come from made-up ratings, and the card says so."""
    kind = kind_name(info.type, lang)
    facts = [kind[:1].upper() + kind[1:]]
    if info.release_year:
        facts.append(year_label(lang, info.release_year, year_meaning(info.platform, info.type)))
    if info.duration_int:
        key = "n_seasons" if info.duration_type == "season" else "n_minutes"
        facts.append(counted(lang, key, info.duration_int))
    if info.rating:
        facts.append(info.rating)
    lines = [bold(info.title), esc(" · ".join(facts))]
    if info.listed_in:
        lines.append(t(lang, "card_genres", genres=genres(lang, info.listed_in)))
    if info.director:
        lines.append(t(lang, "card_director", director=info.director))
    if info.cast:
        cast = ", ".join(info.cast[:CAST_SHOWN])
        if len(info.cast) > CAST_SHOWN:
            cast += " …"
        lines.append(t(lang, "card_cast", cast=cast))
    if info.country:
        lines.append(t(lang, "card_country", country=countries(lang, info.country)))
    if info.score is not None and info.votes:
        lines.append(t(lang, "card_score", info.votes, score=number(lang, info.score, 1)))
        if demo:
            lines.append(t(lang, "demo_ratings"))
    if info.description:
        desc = info.description
        if len(desc) > DESCRIPTION_MAX:
            desc = desc[: DESCRIPTION_MAX - 1] + "…"
        lines.append(Html(f"\n<i>{esc(desc)}</i>"))
    names = ", ".join(dict.fromkeys(platform_name(o.platform, lang) for o in carried))
    lines.append(Html("\n" + t(lang, "card_on", platforms=names)))
    return Html("\n".join(lines))


def card_keyboard(lang: str, info: TitleInfo, carried: Sequence[Offer]) -> Keyboard:
    links = []
    for platform in dict.fromkeys(o.platform for o in carried):
        p = PLATFORM_INFO.get(platform)
        if p is not None and p.search_url:
            links.append(Button(f"▶ {p.name(lang)}", "", url=p.search_link(info.title)))
    actions = [
        Button(t(lang, "card_rate"), encode("rq", info.id)),
        Button(t(lang, "card_similar"), encode("cs", info.id)),
        Button(t(lang, "card_watch"), encode("wa", info.id)),
    ]
    return [row for row in (links[:2], links[2:], actions) if row]


def card_buttons(ids: Sequence[str], start: int) -> Keyboard:
    """Numbered buttons [1] [2] … opening the card of each listed title."""
    buttons = [_card_button(start + i + 1, tid) for i, tid in enumerate(ids)]
    return [buttons[i : i + PER_ROW] for i in range(0, len(buttons), PER_ROW)]


@lru_cache(maxsize=8192)
def _card_button(number: int, title_id: str) -> Button:
    # Buttons are frozen, so one can sit in many keyboards; every list reply makes ten of
    # these, and building and validating each anew cost ~2 µs (issue 13's bot benchmark).
    return Button(str(number), encode("card", title_id))
