"""Callback data: short, versioned, validated.

Telegram returns at most 64 bytes with a button press, and anyone can send any bytes, so the
data is a tiny positional format `v1|<action>|<field>|...` checked field by field against a
schema. Whatever does not match — another version, an unknown action, a malformed field — is
`ExpiredMenu`, which the bot answers with "this menu expired" and nothing else. Nothing in the
data is trusted beyond its shape: the person is always taken from the update, never the data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from catalog.validate import USER_ID_DIGITS, USER_ID_MAX
from domain.vocabulary import DURATION_TYPE_OF_CODE, PLATFORM_OF_LETTER

VERSION = "v1"
MAX_BYTES = 64
UNSET = "_"  # a wizard field not chosen yet
ANY = "*"  # "no filter" for optional fields

_PAGE = r"\d{1,3}"
_PLAT = rf"[{''.join(PLATFORM_OF_LETTER)}*_]"  # a platform's id letter codes it
_YEAR = r"\d{4}|[*_]"
_TYPE = rf"[{''.join(DURATION_TYPE_OF_CODE)}*_]"
# any score 0..5 a person can type, written by score_field (fixed point, at most 8 decimals)
_SCORE = r"[0-4](\.\d{1,8})?|5(\.0{1,8})?|_"
_ID = r"[a-z][a-z0-9]{1,20}"
_UID = rf"\d{{1,{USER_ID_DIGITS}}}"  # and at most USER_ID_MAX: checked in _check
_STARS = r"[0-5]"
_MENU = r"md|sc|pc|ac|rate|fy|help|search|chart|wl|mp|lang|br"  # main-menu targets (general.py)
_CHART = r"[a-z][a-z_]{1,23}"

# action -> the regex of each field, in order
SCHEMA: dict[str, tuple[str, ...]] = {
    "md": (_PAGE, _PLAT, _YEAR, _TYPE),  # max duration wizard: platform -> year -> type
    "sc": (_PAGE, _PLAT, _YEAR, _SCORE),  # score count: platform -> year -> score
    "pc": (_PLAT,),  # platform count
    "ac": (_PAGE, _PLAT, _YEAR),  # actor: platform -> year
    "w": (_ID,),  # where to watch one title
    "sim": (_ID, _PAGE),  # similar titles, paged
    "rec": (_UID, _ID),  # recommend: user + title chosen from candidates
    "ry": (_ID,),  # recommend for the person asking: title chosen from candidates
    "top": (_UID, _PAGE),  # top-N for a dataset user, paged
    "fy": (_PAGE,),  # for you, paged
    "rt": (_ID, _STARS),  # rate a title 1..5, 0 = skip
    "ch": (_CHART,),  # one EDA chart, sent as a photo
    "menu": (_MENU,),  # main-menu entries
    "card": (_ID,),  # a title card
    "rq": (_ID,),  # rate this title (from its card)
    "cs": (_ID,),  # similar titles (from a card)
    "sp": (r"[0-9a-f]{8}", _PAGE),  # a page of a search, by its token (chat/pending.py)
    "lang": (r"en|es",),  # choose the language
    "wa": (_ID,),  # watch later: add a title to the watchlist
    "wl": (_PAGE,),  # the watchlist, paged
    "wr": (_ID, _PAGE),  # remove a title from the watchlist (and show that page again)
    "mp": (rf"[{''.join(PLATFORM_OF_LETTER)}_]",),  # toggle one of my platforms ("_": show)
    "forget": (r"yes|no",),  # /deletemydata's confirmation
    "noop": (),  # page indicator; pressing it does nothing
    # /browse: platform, kind, genre (its index in domain.genres.GENRES), year or d+decade,
    # minimum score, sort (score / newest), page (chat/features/browse.py)
    "br": (_PLAT, r"[ms*_]", r"\d{2}|[*_]", r"\d{4}|d\d{4}|\*", rf"{_SCORE}|\*", r"[sn]", _PAGE),
}
_COMPILED = {a: tuple(re.compile(rf"(?:{p})") for p in f) for a, f in SCHEMA.items()}


def score_field(score: float) -> str:
    """A score as the callback carries it: fixed point, no exponent ("0.00001", not "1e-05")."""
    return f"{score:.8f}".rstrip("0").rstrip(".")


class ExpiredMenu(ValueError):
    """Callback data we did not make (forged) or no longer understand (stale)."""


@dataclass(frozen=True)
class Callback:
    action: str
    fields: tuple[str, ...]

    def page(self) -> int:
        return int(self.fields[0])


def encode(action: str, *fields: object) -> str:
    """Build callback data; raises ValueError on our own bugs (never on user input)."""
    return _encoded(action, tuple(str(f) for f in fields))


@lru_cache(maxsize=8192)
def _encoded(action: str, values: tuple[str, ...]) -> str:
    # Cached on the exact strings: the same data is checked once, not on every reply (a list
    # reply encodes a dozen buttons, ~1.5 µs each). Every new value is still checked in full,
    # whatever it came from; a refused one raises and is not cached.
    data = "|".join((VERSION, action, *values))
    if action not in SCHEMA or _check(action, values) is None:
        raise ValueError(f"bad callback fields {data!r}")
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def _check(action: str, values: tuple[str, ...]) -> tuple[str, ...] | None:
    patterns = _COMPILED[action]
    if len(values) != len(patterns):
        return None
    if not all(p.fullmatch(v) for p, v in zip(patterns, values, strict=True)):
        return None
    # The one user-id rule (catalog.validate.USER_ID_MAX), which a regex cannot say.
    if any(f == _UID and int(v) > USER_ID_MAX for f, v in zip(SCHEMA[action], values, strict=True)):
        return None
    return values


def decode(data: str | None) -> Callback:
    """Parse and validate callback data; anything unexpected raises ExpiredMenu."""
    if not data or len(data.encode()) > MAX_BYTES:
        raise ExpiredMenu("empty or oversized callback data")
    version, _, rest = data.partition("|")
    if version != VERSION:
        raise ExpiredMenu(f"unknown callback version {version!r}")
    action, *values = rest.split("|") if rest else [""]
    if action not in SCHEMA or _check(action, tuple(values)) is None:
        raise ExpiredMenu(f"malformed callback data {data!r}")
    return Callback(action, tuple(values))
