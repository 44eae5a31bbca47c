"""Findings: the sentences under each chart, from locales/charts.<lang>.po, with numbers written
the way each language writes them (`say`, and the values it fills in: Num, Count, Pct, G, Words).
`charts.base` re-exports every name here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import locales
from domain.vocabulary import LANGUAGES


class Numbers:
    """How a finding writes numbers in one language (locales.number / percent, the bot's too):

    - en: 22,998 · 3.53 · 42%
    - es: 22.998 · 3,53 · 42 % (thousands with a dot and decimal comma; a no-break space
      before %, as the RAE recommends)
    """

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def num(self, value: float, digits: int = 0) -> str:
        """Thousands separators and `digits` decimals (12,345.6 / 12.345,6)."""
        return locales.number(self.lang, value, digits)

    def count(self, value: float) -> str:
        """A count, truncated like `thousands` (22,998 / 22.998)."""
        return self.num(int(value))

    def g(self, value: float) -> str:
        """A short value such as a star rating, as `:g` writes it (3.5 / 3,5; 4 / 4)."""
        return locales.short(self.lang, value)

    def pct(self, value: float | str) -> str:
        """A whole percentage, already rounded (42 -> 42% / 42 %); strings like "<1" too."""
        return locales.percent(self.lang, value if isinstance(value, str) else int(value))


EN, ES = Numbers("en"), Numbers("es")
NUMBERS = {"en": EN, "es": ES}


# ----- findings: sentences from locales/charts.<lang>.po, numbers written per language ---------


@dataclass(frozen=True)
class Num:
    """A number in a finding: `digits` decimals, written the way each language writes it."""

    value: float
    digits: int = 0

    def shown(self, lang: str) -> str:
        return NUMBERS[lang].num(self.value, self.digits)


class Count(Num):
    """A count (truncated to a whole number)."""

    def shown(self, lang: str) -> str:
        return NUMBERS[lang].count(self.value)


@dataclass(frozen=True)
class Pct:
    """A whole percentage already rounded, or "<1" / ">99"."""

    value: float | str

    def shown(self, lang: str) -> str:
        return NUMBERS[lang].pct(self.value)


class G(Num):
    """A short value such as a star rating (3.5 / 3,5)."""

    def shown(self, lang: str) -> str:
        return NUMBERS[lang].g(self.value)


@dataclass(frozen=True)
class Words:
    """Text that differs per language (a part of a sentence made with `say`)."""

    by_lang: Mapping[str, str]

    def shown(self, lang: str) -> str:
        return self.by_lang[lang]


def say(key: str, n: int | None = None, **values: object) -> Words:
    """The sentence `key` of locales/charts.<lang>.po in every language, filled in (the plural
    form for `n` where the message has them; `{n}` is then the count as the language writes
    it). Values with a `shown(lang)` (Num, Count, Pct, G, Words) are written per language."""
    out = {}
    for lang in LANGUAGES:
        filled = {k: v.shown(lang) if hasattr(v, "shown") else v for k, v in values.items()}
        if n is not None:
            filled.setdefault("n", NUMBERS[lang].count(n))
        out[lang] = locales.text("charts", lang, key, n).format(**filled)
    return Words(out)
