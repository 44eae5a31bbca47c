"""The bot's words: templates from the gettext catalogues (locales/bot.<lang>.po), numbers as
each language writes them (locales, through Babel). Spanish unless Telegram says English.

`t(lang, key, **values)` escapes every value for HTML unless it is already `Html`, so a title
or a name can never break the markup. With `n=` the message's plural form for `n` is used and
`{n}` is written as `lang` writes numbers.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Literal

from babel.dates import format_date
from babel.lists import format_list

import locales
from domain import vocabulary
from locales import number

from .replies import Html, bold, esc

__all__ = ["chart_label", "counted", "lang_of", "platform_name", "t"]
DOMAIN = "bot"


def lang_of(language_code: str | None) -> str:
    """Telegram's `language_code` -> "en" or "es" (the default, also when unknown)."""
    return "en" if (language_code or "").lower().startswith("en") else "es"


def t(lang: str, key: str, n: int | None = None, **values: object) -> Html:
    """The message `key` in `lang` with values escaped (unless already Html) and filled in."""
    template = locales.text(DOMAIN, lang, key, n)
    filled = {k: esc(v) for k, v in values.items()}
    if n is not None and "n" not in filled:
        filled["n"] = Html(number(lang, n))
    return Html(template.format(**filled))


def counted(lang: str, key: str, n: int, strong: bool = False) -> Html:
    """ "1 movie" / "3 movies" (`key` is a plural message such as "n_movies"); the number in
    bold with `strong`."""
    shown = number(lang, n)
    return Html(locales.text(DOMAIN, lang, key, n).format(n=bold(shown) if strong else shown))


def chart_label(lang: str, name: str, title: str) -> str:
    """A chart's button label / caption title in `lang` (the chart's own title when the
    catalogue has no name for it)."""
    key = f"chart_{name}"
    label = locales.messages(DOMAIN, lang).get(key) or title
    return f"📊 {label}"


def platform_name(platform: str, lang: str = "es") -> str:
    return vocabulary.platform_name(platform, lang)


@lru_cache(maxsize=8)
def platforms(lang: str, style: Literal["standard", "or"] = "standard") -> str:
    """Every platform's name joined the language's way, from the vocabulary (a new platform is
    in every sentence that lists them): "Amazon Prime Video, Disney+, Hulu, and Netflix";
    style "or": "…, Hulu, or Netflix" / "…, Hulu o Netflix"."""
    names = [platform_name(p, lang) for p in vocabulary.PLATFORMS]
    return format_list(names, style=style, locale=lang)


@lru_cache(maxsize=64)  # Babel's date formatting costs ~100 µs; one catalogue has one date
def as_of(lang: str, day: dt.date | None) -> str:
    """The catalogue's date as the language writes it ("28 December 2021", "28 de diciembre de
    2021"); "today" when no title has a date."""
    if day is None:
        return str(t(lang, "as_of_unknown"))
    return format_date(day, format="long", locale=lang)
