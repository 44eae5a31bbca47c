"""The query and path parameters of the endpoints, with their limits and OpenAPI descriptions.

Limits are the catalogue's (catalog/validate.py), so the schema refuses what the catalogue
would: a refused value still gets the catalogue's own message (api/errors.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from fastapi import Path, Query
from pydantic import AfterValidator

from api.accepted import ACCEPTED
from catalog import validate as v
from domain.vocabulary import DURATION_TYPE_ALIASES, KIND_ALIASES

# Text the catalogue accepts: at least one character that str.strip() keeps. Said in the schema
# as the string format "non-blank" (a regex there reads as noise in /redoc); a blank value still
# gets the catalogue's own 422 (parse_text: empty_text), and the schema tests give schemathesis
# the format's strategy.
NON_BLANK = {"format": "non-blank"}


def _non_blank(value: str) -> str:
    """A blank value is a malformed argument (422, in the catalogue's words: api/validation.py),
    not a name we do not carry (404)."""
    if not value.strip():
        raise ValueError("blank")
    return value


NonBlank = AfterValidator(_non_blank)
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
    Query(max_length=40, description=f"Platform: {ACCEPTED['platform']}; 'all' or omitted "
          "for every platform. An unknown name answers 404", examples=["netflix"]),
]  # fmt: skip
PlatformReq = Annotated[
    str,
    NonBlank,
    Query(max_length=40, json_schema_extra=NON_BLANK, description="Platform: "
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
    NonBlank,
    Query(json_schema_extra=NON_BLANK, max_length=TEXT_MAX,
          description=f"Title: {ACCEPTED['title']}. No match answers 404; several equally "
          "good matches answer 409 with the candidates",
          examples=["ns1"]),
]  # fmt: skip
TitleId = Annotated[
    str, Path(max_length=TEXT_MAX, description=ACCEPTED["title_id"], examples=["ns1"])
]
SearchText = Annotated[
    str,
    NonBlank,
    Query(json_schema_extra=NON_BLANK, max_length=TEXT_MAX, description=ACCEPTED["q"],
          examples=["stranger things"]),
]  # fmt: skip
DirectorName = Annotated[
    str,
    NonBlank,
    Query(json_schema_extra=NON_BLANK, max_length=TEXT_MAX,
          description=f"Director: {ACCEPTED['name']}; accents and case aside, words in any "
          "order. No director answers 404; words several directors share answer their names "
          "in `candidates`", examples=["martin scorsese"]),
]  # fmt: skip
Limit = Annotated[int, Query(ge=1, le=v.LIMIT_MAX, description=f"At most: {ACCEPTED['limit']}")]
UserId = Annotated[
    int,
    Query(ge=0, le=USER_ID_MAX, description=f"User: {ACCEPTED['user_id']}. A user the model "
          "does not know is not an error: the answer says so (reason_code / known_user)",
          examples=[1]),
]  # fmt: skip
N = Annotated[int, Query(ge=1, le=v.LIMIT_MAX, description=f"How many titles: {ACCEPTED['n']}")]
Offset = Annotated[
    int,
    Query(ge=0, le=v.OFFSET_MAX, description=f"Where the page starts: {ACCEPTED['offset']}; "
          "the answer's `total` says how many there are in all"),
]  # fmt: skip
Genre = Annotated[
    str | None,
    Query(max_length=60, description=f"Genre: {ACCEPTED['genre']}", examples=["comedy"]),
]
Decade = Annotated[
    int | None,
    Query(ge=v.YEAR_MIN // 10 * 10, le=v.YEAR_MAX, multiple_of=10,
          description=f"Decade: {ACCEPTED['decade']}", examples=[1990]),
]  # fmt: skip
MinScore = Annotated[
    float | None,
    Query(ge=v.SCORE_MIN, le=v.SCORE_MAX, description=f"Minimum mean user score: "
          f"{ACCEPTED['scored']}; unrated titles never pass it", examples=[4.0]),
]  # fmt: skip
SortArg = Annotated[
    Literal["score", "newest"] | None,
    Query(description=f"{ACCEPTED['sort']}"),
]
FormatArg = Annotated[
    Literal["json", "csv"] | None,
    Query(description="'csv' for a CSV file (one row per title, the filters' total in the "
          "X-Total-Count header); also chosen by `Accept: text/csv`. Default JSON"),
]  # fmt: skip
