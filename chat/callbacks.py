"""Callback data: short, versioned, validated.

Telegram returns at most 64 bytes with a button press, and anyone can send any bytes, so the
data is a tiny positional format `v1|<action>|<field>|...` checked field by field against a
schema. Whatever does not match — another version, an unknown action, a malformed field — is
`ExpiredMenu`, which the bot answers with "this menu expired" and nothing else. Nothing in the
data is trusted beyond its shape: the person is always taken from the update, never the data.

Title ids come from CSV files and may hold any characters (`s-dash1`, `sé|2`, 41 digits). An id
that is short and plain (`[a-z][a-z0-9]{1,20}`, every real one) is written as it is, so buttons
stay readable and survive a new release; any other is written as `~` and 12 characters of its
BLAKE2s hash (base64url), which `Callback.with_titles` turns back into the id through the
catalogue (`tokens_of`). The data never depends on what an id contains, and its length is
bounded whatever the id.

Personal buttons (PERSONAL: a person's ratings, watchlist, platforms, language, erasure) carry
the user id of the person they were made for as one last field `u<id>`; the router answers
anyone else's press with a short notice and does nothing (chat/commands.py). Such buttons made
before the owner was added are honoured in private chats only.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from catalog.validate import USER_ID_DIGITS, USER_ID_MAX
from domain.vocabulary import DURATION_TYPE_OF_CODE, PLATFORM_OF_LETTER

from .limits import CALLBACK_DATA_MAX

VERSION = "v1"
MAX_BYTES = CALLBACK_DATA_MAX
UNSET = "_"  # a wizard field not chosen yet
ANY = "*"  # "no filter" for optional fields

_PAGE = r"\d{1,3}"
_PLAT = rf"[{''.join(PLATFORM_OF_LETTER)}*_]"  # a platform's id letter codes it
_YEAR = r"\d{4}|[*_]"
_TYPE = rf"[{''.join(DURATION_TYPE_OF_CODE)}*_]"
# any score 0..5 a person can type, written by score_field (fixed point, at most 8 decimals)
_SCORE = r"[0-4](\.\d{1,8})?|5(\.0{1,8})?|_"
_PLAIN_ID = re.compile(r"[a-z][a-z0-9]{1,20}")
TOKEN_CHARS = 12  # base64url characters of an id's hash: 72 bits
_TOKEN = re.compile(rf"~[A-Za-z0-9_-]{{{TOKEN_CHARS}}}")
_ID = rf"{_PLAIN_ID.pattern}|{_TOKEN.pattern}"  # a title in the catalogue
_WID = rf"(?:{_ID})"  # a title on a watchlist, maybe gone from the catalogue: its handler resolves
_OWNER = r"u\d{1,16}"  # the person a personal button was made for (Telegram ids: < 2**53)
_UID = rf"\d{{1,{USER_ID_DIGITS}}}"  # and at most USER_ID_MAX: checked in _check
_STARS = r"[0-5]"
_MENU = r"md|sc|pc|ac|rate|fy|help|search|chart|wl|mp|lang|br"  # main-menu targets (general.py)
_CHART = r"[a-z][a-z_]{1,23}"
_WHEN = r"\d{4}|[dy]\d{4}|[*_]"  # /browse's year, d+decade, or y+decade (a year being asked)

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
    "wr": (_WID, _PAGE),  # remove a title from the watchlist (and show that page again)
    "mp": (rf"[{''.join(PLATFORM_OF_LETTER)}_]",),  # toggle one of my platforms ("_": show)
    "forget": (r"yes|no",),  # /deletemydata's confirmation
    "noop": (),  # page indicator; pressing it does nothing
    # /browse: platform, kind, genre (its index in domain.genres.GENRES), year or d+decade
    # (y+decade: that decade chosen, a year of it being asked), minimum score, sort (score /
    # newest), page; "_" a filter the menu has not asked yet (chat/features/browse_menu.py)
    "br": (_PLAT, r"[ms*_]", r"\d{2}|[*_]", _WHEN, rf"{_SCORE}|\*", r"[sn]", _PAGE),
}
_COMPILED = {a: tuple(re.compile(rf"(?:{p})") for p in f) for a, f in SCHEMA.items()}
_OWNER_RE = re.compile(_OWNER)
# Buttons acting on the data of the person who pressed them: bound to the one they were made for
PERSONAL = frozenset({"forget", "lang", "rt", "rq", "fy", "wa", "wl", "wr", "mp", "ry"})


def id_field(title_id: str) -> str:
    """A title id as callback data carries it: as it is when short and plain, else a token.
    A token passes through as it is (ids start with their platform's letter, etl make_id,
    so no id is ever a token)."""
    if _PLAIN_ID.fullmatch(title_id) or _TOKEN.fullmatch(title_id):
        return title_id
    return "~" + id_token(title_id)


def id_token(title_id: str) -> str:
    digest = hashlib.blake2s(title_id.encode(), digest_size=TOKEN_CHARS * 3 // 4).digest()
    return base64.urlsafe_b64encode(digest).decode()


def tokens_of(ids: Iterable[str]) -> dict[str, str | None]:
    """`~token` -> id for every id not written as it is; None for a token two ids share (72
    bits: about 1 in 10**13 for a catalogue of 25,000), so a press on it is an expired menu
    rather than the wrong title."""
    out: dict[str, str | None] = {}
    for title_id in ids:
        if not _PLAIN_ID.fullmatch(title_id):
            field = "~" + id_token(title_id)
            out[field] = None if field in out and out[field] != title_id else title_id
    return out


def score_field(score: float) -> str:
    """A score as the callback carries it: fixed point, no exponent ("0.00001", not "1e-05")."""
    return f"{score:.8f}".rstrip("0").rstrip(".")


class ExpiredMenu(ValueError):
    """Callback data we did not make (forged) or no longer understand (stale)."""


@dataclass(frozen=True)
class Callback:
    action: str
    fields: tuple[str, ...]
    owner: int | None = None  # the person a PERSONAL button was made for, when it says

    def page(self) -> int:
        return int(self.fields[0])

    def with_titles(self, title_of: Callable[[str], str | None]) -> Callback:
        """The callback with every catalogue title token (`~…`) replaced by its id, looked up
        by `title_of`; a token it does not know is an ExpiredMenu (another catalogue, forged)."""
        fields = list(self.fields)
        for i, (kind, value) in enumerate(zip(SCHEMA[self.action], self.fields, strict=True)):
            if kind == _ID and value.startswith("~"):
                title_id = title_of(value)
                if title_id is None:
                    raise ExpiredMenu(f"title token {value} not in this catalogue")
                fields[i] = title_id
        return replace(self, fields=tuple(fields))


def encode(action: str, *fields: object, owner: int | None = None) -> str:
    """Build callback data; raises ValueError on our own bugs (never on user input). Title ids
    may be anything (they are written by `id_field`); `owner` binds a PERSONAL button."""
    return _encoded(action, tuple(str(f) for f in fields), owner)


@lru_cache(maxsize=8192)
def _encoded(action: str, values: tuple[str, ...], owner: int | None = None) -> str:
    # Cached on the exact strings: the same data is checked once, not on every reply (a list
    # reply encodes a dozen buttons, ~1.5 µs each). Every new value is still checked in full,
    # whatever it came from; a refused one raises and is not cached.
    if action in SCHEMA and len(values) == len(SCHEMA[action]):
        values = tuple(
            id_field(v) if kind in (_ID, _WID) else v
            for kind, v in zip(SCHEMA[action], values, strict=True)
        )
    if owner is not None:
        if action not in PERSONAL:
            raise ValueError(f"action {action!r} is not personal: no owner")
        values = (*values, f"u{owner}")
    data = "|".join((VERSION, action, *values))
    if action not in SCHEMA or _parse(action, values) is None:
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


def _parse(action: str, values: tuple[str, ...]) -> Callback | None:
    """The fields, and the owner a PERSONAL action may carry last; None when malformed."""
    owner = None
    bound = action in PERSONAL and len(values) == len(SCHEMA[action]) + 1
    if bound and _OWNER_RE.fullmatch(values[-1]):
        owner, values = int(values[-1][1:]), values[:-1]
    if _check(action, values) is None:
        return None
    return Callback(action, values, owner)


def decode(data: str | None) -> Callback:
    """Parse and validate callback data; anything unexpected raises ExpiredMenu."""
    if not data or len(data.encode()) > MAX_BYTES:
        raise ExpiredMenu("empty or oversized callback data")
    version, _, rest = data.partition("|")
    if version != VERSION:
        raise ExpiredMenu(f"unknown callback version {version!r}")
    action, *values = rest.split("|") if rest else [""]
    parsed = _parse(action, tuple(values)) if action in SCHEMA else None
    if parsed is None:
        raise ExpiredMenu(f"malformed callback data {data!r}")
    return parsed
