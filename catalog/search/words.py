"""The words of names as the search compares them, and the search's tuning constants.

Folded text (catalog/text.py) is split into canonical words (roman numerals II-IX as digits);
articles and stop words are the ones a person leaves out or that match too much on their own.
"""

from __future__ import annotations

import re

from domain.text import fold

FUZZY_CUTOFF = 75.0  # whole-name QRatio below this is noise, not a title typed badly
WORD_CUTOFF = 75.0  # how close a misspelt query word must be to a vocabulary word (fuzz.ratio)
MAX_WORD_ALTERNATIVES = 3
MAX_PREFIX_WORDS = 200  # bound on vocabulary words one unfinished word may stand for
MIN_PREFIX = 4  # a lone query word is completed as a prefix only from this length
SCAN_LIMIT = 300  # up to this many names, test an unfinished word against each name's words
CLOSE_CACHE = 4096  # misspelt words whose close words are remembered
MAX_PHRASES = 4  # spellings of the query (typo fixes combined) looked up as exact/phrase
SKIP_PENALTY = 10.0  # a short word no name holds, left out of the query
PENALTY_SCALE = 50.0  # typo penalty that uses up a tier's whole band of match values

# Roman numerals people write either way ('Frozen 2' / 'Mulan II'). 'i', 'v' and 'x' are left
# alone: they are words too ('I Am Legend', 'V for Vendetta', 'Malcolm X').
NUMERALS = {"ii": "2", "iii": "3", "iv": "4", "vi": "6", "vii": "7", "viii": "8", "ix": "9"}
# Words too common to make a partial match on their own (English and Spanish articles etc.).
STOP_WORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "at",
        "by",
        "de",
        "del",
        "el",
        "en",
        "for",
        "in",
        "is",
        "la",
        "las",
        "lo",
        "los",
        "of",
        "on",
        "or",
        "the",
        "to",
        "un",
        "una",
        "y",
    }
)  # fmt: skip
# A leading article people leave out: 'lion king' is The Lion King, 'casa de papel' La casa de
# papel. Such a name counts as the exact name plus a tail (99) and as starting with the query.
ARTICLES = frozenset({"the", "a", "an", "el", "la", "los", "las", "lo", "un", "una", "le", "les"})
_TAIL = re.compile(r"\s*\([^()]*\)\s*$")

# Tiers, best first, and the band of `match` values each one spans (top, width).
EXACT, VARIANT, FIXED, PREFIX, PHRASE, WORDS, PARTIAL, FUZZY = range(8)
BANDS = {
    EXACT: (100.0, 0.0),
    VARIANT: (99.0, 0.0),
    FIXED: (98.0, 3.0),
    PREFIX: (95.0, 4.9),
    PHRASE: (90.0, 4.9),
    WORDS: (85.0, 4.9),
    PARTIAL: (79.9, 19.9),
    FUZZY: (75.0, 25.0),
}

Options = list[tuple[set[int], float, str]]  # (names holding a stand-in, penalty, stand-in)


def canonical_words(folded: str) -> list[str]:
    """Words of a folded text with roman numerals as digits: 'frozen ii' -> ['frozen', '2']."""
    return [NUMERALS.get(w, w) for w in folded.split()]


def base_name(title: str) -> str:
    """The folded name without a parenthesised tail: 'The Office (U.S.)' -> 'the office'."""
    return " ".join(canonical_words(fold(_TAIL.sub("", title))))
