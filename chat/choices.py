"""Which of the buttons of a "Which one?" a typed reply names (issue 22: a typed answer to the
bot's own question is taken exactly as a button press).

A reply names a button when it is the button's number in the list ("2"), or when every word it
has beyond a few filler words ("the", "one", "la", "de") is a word of that button's label, its
title, platform or year ("the U.K. one", "la de 2001", "netflix", the label itself), and of no
other button's. Anything else names no button, and the caller treats it as it would without the
question (a new title search): a person who moved on is never trapped by the question.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

# words that say nothing about which one ("the U.K. one", "la de 2005", "el de Netflix")
_FILLER_WORDS = (
    "the a an one this that which on in of from for is it please "  # en
    "la el lo los las un una uno de del en que esa ese esta este por favor"  # es
)
FILLER = frozenset(_FILLER_WORDS.split())
_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    """The words of `text` as compared: no case, no accents, dots dropped inside ("U.S." is
    "us", as people type it either way), any other sign a space."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in plain if not unicodedata.combining(c)).replace(".", "")
    return _WORD.findall(plain)


def chosen(labels: Sequence[str], text: str) -> int | None:
    """The index of the one label `text` names, or None when it names none or several."""
    said = text.strip()
    if said.isdigit() and 1 <= int(said) <= len(labels):  # its place in the list ("2")
        return int(said) - 1
    asked = [w for w in words(said) if w not in FILLER]
    if not asked:
        return None
    named = [i for i, label in enumerate(labels) if set(asked) <= set(words(label))]
    return named[0] if len(named) == 1 else None
