"""Text folding: how two pieces of text a person or a platform wrote are compared.

One rule for every match in the project (issue 24): a title searched for, a title seen on two
platforms or in two releases (refresh's changes, the alerts' name keys), a platform or kind alias,
a chart's Spanish name. Accents, case, punctuation and spacing never decide a match. A leaf
(standard library only) so domain.vocabulary, catalog, chat, alerts and refresh share it.
"""

from __future__ import annotations

import re
import unicodedata

# Letters NFKD does not decompose into base + accent; mapped by hand like unidecode would.
_EXTRA = str.maketrans(
    {
        "ø": "o",
        "Ø": "o",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "đ": "d",
        "Đ": "d",
        "ł": "l",
        "Ł": "l",
        "ı": "i",
        "þ": "th",
        "ð": "d",
        "&": " and ",
    }
)
# Apostrophes join ("don't" ~ "dont"); every other non-alphanumeric run separates words.
_APOSTROPHES = re.compile(r"['’`´]")
_SEPARATORS = re.compile(r"[\W_]+")


def fold(text: str | None) -> str:
    """'Amélie: Le Fabuleux Destin!' -> 'amelie le fabuleux destin'."""
    if not text:
        return ""
    if text.isascii():  # most titles: no accents to strip, skip the per-character pass
        text = text.replace("&", " and ").lower()
    else:
        # NFKD on both sides of casefold: 'ℌ' decomposes to an upper-case 'H', and 'İ' folds
        # to 'i' plus a combining dot. Letters without a decomposition go through _EXTRA last.
        text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
        text = "".join(ch for ch in text if not unicodedata.combining(ch)).translate(_EXTRA)
    text = _APOSTROPHES.sub("", text)
    return _SEPARATORS.sub(" ", text).strip()


def tidy(text: str) -> str:
    """Lower-case, one space between words: 'Amazon  Prime ' -> 'amazon prime'. For typed
    command words where punctuation carries meaning ('3,5', '>4', '*'), which `fold` would drop."""
    return " ".join(text.lower().split())
