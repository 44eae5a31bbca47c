"""Every sentence people read, per language, and numbers as each language writes them.

The sentences live in gettext catalogues next to this file, `<domain>.<lang>.po` (domains: "bot"
for the bot and the console, "charts" for the charts' titles and findings), read with Babel's
`read_po` once, on first use. No compiled .mo files: the .po files are the source. A msgid is
a key ("rate_saved"); a message with plural forms is chosen by the count `n` with the plural
rule in the catalogue's header (CLDR's, via Babel: Spanish has a third form for millions).

A leaf: Babel, the standard library and the domain's list of languages
(domain.vocabulary.LANGUAGES) only, so the bot and the charts (itself a leaf) share it.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.pofile import read_po

from domain.vocabulary import LANGUAGES

DEFAULT_LANG = "es"  # the bot answers in Spanish unless Telegram says the person uses English
HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Messages:
    """One domain's messages in one language."""

    lang: str
    singular: Mapping[str, str]
    plurals: Mapping[str, tuple[str, ...]]
    plural_index: Callable[[int], int]

    def get(self, key: str, n: int | None = None) -> str | None:
        """The template for `key` (the form for `n` when it has plural forms), or None."""
        if n is not None:
            forms = self.plurals.get(key)
            if forms is not None:
                return forms[min(self.plural_index(n), len(forms) - 1)]
        return self.singular.get(key)

    def names(self) -> set[str]:
        return set(self.singular) | set(self.plurals)


def _read(domain: str, lang: str) -> Messages:
    path = HERE / f"{domain}.{lang}.po"
    with path.open("rb") as f:
        catalog = read_po(f, locale=lang, domain=domain)
    singular: dict[str, str] = {}
    plurals: dict[str, tuple[str, ...]] = {}
    for message in catalog:
        if not message.id:
            continue  # the header
        if isinstance(message.id, tuple) and isinstance(message.string, tuple | list):
            forms = tuple(message.string)
            if not all(forms):
                raise ValueError(f"{path.name}: {message.id[0]!r} lacks a plural form")
            plurals[message.id[0]] = forms
        elif isinstance(message.id, str) and isinstance(message.string, str) and message.string:
            singular[message.id] = message.string
    # The header's rule, e.g. "(n != 1)"; gettext compiles it safely (it checks the tokens).
    rule = gettext.c2py(catalog.plural_expr)
    return Messages(lang, singular, plurals, rule)


@cache
def messages(domain: str, lang: str) -> Messages:
    """The catalogue `domain` in `lang` (read once per process)."""
    return _read(domain, lang if lang in LANGUAGES else DEFAULT_LANG)


def text(domain: str, lang: str, key: str, n: int | None = None) -> str:
    """The template `key` of `domain` in `lang`: the plural form for `n` when it has them.
    Raises KeyError for a key neither language has (a bug of ours, caught by the tests)."""
    found = messages(domain, lang).get(key, n)
    if found is None:
        raise KeyError(f"no message {key!r} in {domain}.{lang}.po")
    return found


# ----- numbers ---------------------------------------------------------------------------------


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang if lang in LANGUAGES else DEFAULT_LANG)


@cache
def _separators(lang: str) -> dict[int, str]:
    """str.translate table from Python's "," and "." to `lang`'s CLDR group and decimal signs."""
    symbols = _locale(lang).number_symbols["latn"]
    return str.maketrans({",": symbols["group"], ".": symbols["decimal"]})


def number(lang: str, value: float | int, digits: int = 0) -> str:
    """Grouped thousands and `digits` decimals as `lang` writes them (12,345.6 / 12.345,6):
    CLDR's signs through Babel, half-even rounding of the decimal value people see.

    Python's own formatting with Babel's symbols, equal to Babel's `#,##0.0…` pattern for these
    languages and a tenth of its cost (numbers are on every answer's path: docs/bot.md)."""
    # str() first: 2.675 is the decimal 2.675 people see, not the binary 2.67499...
    exact = Decimal(str(value)) if isinstance(value, float) else value
    return format(exact, f",.{digits}f").translate(_separators(lang))


def percent(lang: str, value: float | int | str, digits: int = 0) -> str:
    """A percentage already multiplied by 100: "85%" in English, "85 %" in Spanish (CLDR and
    the RAE put a no-break space before the sign). Strings such as "<1" pass as they are."""
    shown = value if isinstance(value, str) else number(lang, value, digits)
    return shown + _percent_sign(lang)


def short(lang: str, value: float) -> str:
    """A short value such as a star rating, as `:g` writes it, with `lang`'s decimal sign
    (3.5 / 3,5; 4 / 4)."""
    return f"{value:g}".translate(_separators(lang))


@cache
def _percent_sign(lang: str) -> str:
    """What follows the number in CLDR's percent pattern: "%" (en), no-break space + "%" (es)."""
    pattern: str = _locale(lang).percent_formats[None].pattern  # "#,##0%", "#,##0\u00a0%"
    return pattern[pattern.rindex("0") + 1 :]


@cache
def _territory_codes() -> Mapping[str, str]:
    """English country name (lower case) -> CLDR territory code, once: the titles files name
    countries in English ("United States", "South Korea")."""
    return {name.lower(): code for code, name in Locale("en").territories.items()}


@cache  # the titles name a few hundred countries
def country_name(name: str, lang: str) -> str:
    """A country the titles files name in English, as `lang` names it through CLDR's
    territory names ("Spain" -> "España"); a name CLDR does not know stays as it is."""
    code = _territory_codes().get(name.strip().lower())
    if code is None:
        return name.strip()
    return str(
        Locale(lang if lang in LANGUAGES else DEFAULT_LANG).territories.get(code, name.strip())
    )


def countries(lang: str, names: str) -> str:
    """A comma-separated list of countries ("United States, Spain") in `lang`."""
    return ", ".join(country_name(n, lang) for n in names.split(",") if n.strip())
