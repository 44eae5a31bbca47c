"""The query and path parameters of the endpoints, with their limits and OpenAPI descriptions.

Limits are the catalogue's (catalog/validate.py), so the schema refuses what the catalogue
would: a refused value still gets the catalogue's own message (api/errors.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from fastapi import Path, Query

from api.accepted import ACCEPTED
from catalog import validate as v
from domain.vocabulary import DURATION_TYPE_ALIASES, KIND_ALIASES

# Text the catalogue accepts: at least one character that str.strip() keeps. The class lists
# Python's whitespace (str.isspace), which is wider than the regex \s (e.g. \x1c..\x1f).
TEXT_PATTERN = r"[^\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
TEXT_MAX = v.TEXT_MAX
USER_ID_MAX = v.USER_ID_MAX  # the one user-id rule, shared with the bot

# Every alias the catalogue accepts for duration_type and kind (domain/vocabulary.py), listed so
# the schema documents them. Built from the tables: Literal[("a", "b")] is Literal["a", "b"];
# a type checker cannot follow that, and to it they are the text the catalogue parses.
if TYPE_CHECKING:
    DurationType = str
    KindArg = str
else:
    DurationType = Literal[tuple(DURATION_TYPE_ALIASES)]
    KindArg = Literal[tuple(KIND_ALIASES)]

YearOpt = Annotated[
    int | None,
    Query(ge=v.YEAR_MIN, le=v.YEAR_MAX, description=f"Release year: {ACCEPTED['year']}; "
          "omit for every year", examples=[2020]),
]  # fmt: skip
YearReq = Annotated[
    int,
    Query(ge=v.YEAR_MIN, le=v.YEAR_MAX, description=f"Release year: {ACCEPTED['year']}",
          examples=[2020]),
]  # fmt: skip
PlatformOpt = Annotated[
    str | None,
    Query(max_length=40, description=f"Platform: {ACCEPTED['platform']}; omit for all. "
          "An unknown name answers 404", examples=["netflix"]),
]  # fmt: skip
PlatformReq = Annotated[
    str,
    Query(max_length=40, pattern=TEXT_PATTERN, description=f"Platform: "
          f"{ACCEPTED['platform']}. An unknown name answers 404", examples=["netflix"]),
]  # fmt: skip
DurationTypeOpt = Annotated[
    DurationType | None,
    Query(description=f"{ACCEPTED['duration_type']}; default 'min'"),
]
KindOpt = Annotated[KindArg | None, Query(description=f"{ACCEPTED['kind']}; omit for both")]
Scored = Annotated[
    float,
    Query(ge=v.SCORE_MIN, le=v.SCORE_MAX, description=ACCEPTED["scored"], examples=[3.5]),
]
TitleArg = Annotated[
    str,
    Query(pattern=TEXT_PATTERN, max_length=TEXT_MAX, description=f"Title: {ACCEPTED['title']}. "
          "No match answers 404; several equally good matches answer 409 with the candidates",
          examples=["ns1"]),
]  # fmt: skip
TitleId = Annotated[
    str, Path(max_length=TEXT_MAX, description=ACCEPTED["title_id"], examples=["ns1"])
]
SearchText = Annotated[
    str,
    Query(pattern=TEXT_PATTERN, max_length=TEXT_MAX, description=ACCEPTED["q"],
          examples=["stranger things"]),
]  # fmt: skip
Limit = Annotated[int, Query(ge=1, le=v.LIMIT_MAX, description=f"At most: {ACCEPTED['limit']}")]
UserId = Annotated[
    int,
    Query(ge=0, le=USER_ID_MAX, description=f"User: {ACCEPTED['user_id']}. A user the model "
          "does not know is not an error: the answer says so (reason_code / known_user)",
          examples=[1]),
]  # fmt: skip
N = Annotated[int, Query(ge=1, le=v.LIMIT_MAX, description=f"How many titles: {ACCEPTED['n']}")]
