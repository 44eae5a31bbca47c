"""The /browse menu (es /explorar): which filter it asks next, that question's buttons, and a
typed answer read as the matching button would be (issue 22: every question a menu asks takes
a typed value exactly as it takes a button).

The menu's whole state is the query as callback fields (nothing kept per chat), so a question,
a pager or the sort button works on any message, however old: platform, kind, genre, year or
decade, minimum score, sort, page. UNSET: not asked yet; ANY: no filter. A bare /browse asks
platform -> kind -> genre -> decade -> a year of it (or the whole decade) -> minimum score;
`/browse netflix comedy 2020` asks nothing (catalog.browse.parse_words)."""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from catalog.browse import BrowseQuery, SortKey, parse_decade
from catalog.core import Catalog
from catalog.errors import QueryError
from catalog.validate import parse_platform, parse_score, parse_year
from domain.genres import GENRES, genre_name, genre_of_word
from domain.text import tidy
from domain.vocabulary import (
    ALL_PLATFORM_WORDS,
    LANGUAGES,
    PLATFORM_LETTERS,
    PLATFORM_OF_LETTER,
    kind_key,
)
from locales import short

from ..callbacks import ANY, UNSET, ExpiredMenu, encode, score_field
from ..i18n import platform_name, t
from ..replies import Button, Html, Keyboard, bold

KIND_OF_CODE = {"m": "movie", "s": "tv show"}
CODE_OF_KIND = {v: k for k, v in KIND_OF_CODE.items()}
SORT_OF_CODE: dict[str, SortKey] = {"s": "score", "n": "newest"}
CODE_OF_SORT = {v: k for k, v in SORT_OF_CODE.items()}
GENRES_OFFERED = 14  # genre buttons (the most common first); typing takes any genre
PICK_YEAR = "y"  # the when-field "y2010": the 2010s chosen, which year of them is asked next
# Minimum scores offered as buttons (a mean user rating, 0.5..5): below 3 filters almost
# nothing out, and typing takes any other ("3,8", "4+").
SCORES_OFFERED = (3.0, 3.5, 4.0, 4.5)
# Words around a typed decade: "the 90s", "los 90", "años 90", "década de los 90".
DECADE_FILLER = frozenset({"the", "los", "las", "la", "años", "anos", "decada", "década", "de"})
# Words around a typed minimum score: "4 or more", "4 o más", "at least 4", "4★".
SCORE_FILLER = frozenset(
    {"or", "more", "o", "más", "mas", "at", "least", "min", "minimum", "mínimo", "minimo", "al",
     "menos", "★", "stars", "estrellas"}
)  # fmt: skip

Step = Literal["platform", "kind", "genre", "decade", "year", "score"]
STEPS: tuple[Step, ...] = ("platform", "kind", "genre", "decade", "score")  # field order
COLUMNS: dict[Step, int] = {"platform": 2, "kind": 2, "genre": 2, "decade": 3, "year": 4,
                            "score": 2}  # fmt: skip
# A button's label, the field value it chooses, and the number it stands for when a person
# could type that as the answer (a minimum score: Button.typed).
Option = tuple[str, str, str | None]


FIRST_DECADE, LAST_DECADE = 1000, 9990  # what a 4-digit callback field can say of a decade


def start() -> tuple[str, ...]:
    """A bare /browse: every filter still to ask, best rated first, page 0."""
    return (UNSET,) * len(STEPS) + (CODE_OF_SORT["score"], "0")


def fields_of(q: BrowseQuery, page: int = 0) -> tuple[str, ...]:
    """The query as callback fields (every filter chosen: a pager's or the sort button's)."""
    when = str(q.year) if q.year is not None else f"d{q.decade}" if q.decade is not None else ANY
    return (
        PLATFORM_LETTERS[q.platform] if q.platform else ANY,
        CODE_OF_KIND[q.kind] if q.kind else ANY,
        f"{GENRES.index(q.genre):02d}" if q.genre else ANY,
        when,
        score_field(q.min_score) if q.min_score is not None else ANY,
        CODE_OF_SORT[q.sort],
        str(page),
    )


def query_of(fields: tuple[str, ...]) -> BrowseQuery:
    """The filters chosen so far (a field not asked yet filters nothing)."""
    platform, kind, genre, when, score, sort = fields[:6]
    index = int(genre) if genre.isdigit() else None
    if index is not None and index >= len(GENRES):
        raise ExpiredMenu(f"genre {index} no longer exists")
    decade = int(when[1:]) if when[:1] in ("d", PICK_YEAR) else None
    # The menu only makes real decades (1920, 2010); a forged "y0000" would build "d0" buttons
    # that no callback accepts (found by the slow callback fuzzer): refused like a stale menu.
    if decade is not None and not (FIRST_DECADE <= decade <= LAST_DECADE and decade % 10 == 0):
        raise ExpiredMenu(f"no decade {decade}")
    return BrowseQuery(
        platform=PLATFORM_OF_LETTER.get(platform),
        kind=KIND_OF_CODE.get(kind),
        genre=GENRES[index] if index is not None else None,
        year=int(when) if when.isdigit() else None,
        decade=decade,
        min_score=float(score) if score not in (ANY, UNSET) else None,
        sort=SORT_OF_CODE.get(sort, "score"),
    )


def step_of(fields: tuple[str, ...]) -> Step | None:
    """The question to ask next; None when every filter is chosen (show the titles)."""
    for i, step in enumerate(STEPS):
        if fields[i] == UNSET:
            return step
        if step == "decade" and fields[i].startswith(PICK_YEAR):
            return "year"
    return None


def question(catalog: Catalog, lang: str, fields: tuple[str, ...]) -> tuple[Html, Keyboard]:
    """The next question, headed by what is chosen so far, and its buttons."""
    step = step_of(fields)
    if step is None:
        raise ExpiredMenu("browse menu already answered")
    index = STEPS.index("decade" if step == "year" else step)

    def choose(value: str) -> str:
        chosen = list(fields)
        chosen[index] = value
        return encode("br", *chosen)

    keyboard = [
        [Button(label, choose(value), typed=typed) for label, value, typed in row]
        for row in options(catalog, lang, fields, step)
    ]
    q = query_of(fields)
    so_far = describe(lang, q)
    header = bold(t(lang, "cmd_browse") + (f" — {so_far}" if so_far else ""))
    ask = t(lang, f"browse_pick_{step}", decade=q.decade)
    return Html(f"{header}\n{ask}"), keyboard


def options(catalog: Catalog, lang: str, fields: tuple[str, ...], step: Step) -> list[list[Option]]:
    """The buttons of a question as rows of options: the keyboard, and what a typed label
    stands for. The last row is the "any" (or "the whole decade") choice."""
    found: list[Option]
    last: Option
    if step == "platform":
        found = [(platform_name(p), code, None) for p, code in PLATFORM_LETTERS.items()]
        last = (str(t(lang, "any_platform")), ANY, None)
    elif step == "kind":
        kinds = (("browse_movies", "m"), ("browse_shows", "s"))
        found = [(str(t(lang, key)), code, None) for key, code in kinds]
        last = (str(t(lang, "browse_both")), ANY, None)
    elif step == "genre":
        found = [(genre_name(g, lang), f"{i:02d}", None) for i, g in enumerate(GENRES)]
        found = found[:GENRES_OFFERED]
        last = (str(t(lang, "browse_any_genre")), ANY, None)
    elif step == "decade":
        decades = sorted({y - y % 10 for y in _years(catalog, fields)}, reverse=True)
        found = [(str(t(lang, "browse_decade_button", decade=d)), f"{PICK_YEAR}{d}", None)
                 for d in decades]  # fmt: skip
        last = (str(t(lang, "any_year")), ANY, None)
    elif step == "year":
        decade = int(fields[STEPS.index("decade")][1:])
        years = [y for y in _years(catalog, fields) if decade <= y < decade + 10]
        found = [(str(y), str(y), None) for y in sorted(years, reverse=True)]
        last = (str(t(lang, "browse_whole_decade", decade=decade)), f"d{decade}", None)
    else:
        written = [short(lang, s) for s in SCORES_OFFERED]
        found = [(str(t(lang, "browse_min_score", score=w)), score_field(s), w)
                 for s, w in zip(SCORES_OFFERED, written, strict=True)]  # fmt: skip
        last = (str(t(lang, "browse_any_score")), ANY, None)
    columns = COLUMNS[step]
    return [*(found[i : i + columns] for i in range(0, len(found), columns)), [last]]


def _years(catalog: Catalog, fields: tuple[str, ...]) -> list[int]:
    """The release years of the titles the filters chosen so far match (a decade or a year
    button never leads to nothing; the minimum score is asked after them)."""
    q = query_of(fields)
    return catalog.browse_years(replace(q, year=None, decade=None, min_score=None))


def answer(catalog: Catalog, fields: tuple[str, ...], text: str) -> tuple[str, ...]:
    """The fields with a typed answer to the open question, as its button would set them:
    a button's label in either language, else the value in words ("netflix", "shows",
    "comedia", "2015", "90s", "3,5"). A value that fits nothing raises QueryError."""
    step = step_of(fields)
    if step is None:
        raise ExpiredMenu("browse menu already answered")
    index = STEPS.index("decade" if step == "year" else step)
    chosen = list(fields)
    chosen[index] = typed_value(catalog, fields, step, text)
    return tuple(chosen)


def typed_value(catalog: Catalog, fields: tuple[str, ...], step: Step, text: str) -> str:
    """The field value a typed answer stands for at `step`."""
    said = tidy(text)
    for lang in LANGUAGES:  # a button's own label, typed or pasted
        for row in options(catalog, lang, fields, step):
            for label, value, _ in row:
                if tidy(label) == said:
                    return value
    anything = said in ALL_PLATFORM_WORDS or said in ("both", "ambos", "ambas")
    if step == "platform":
        return ANY if anything else PLATFORM_LETTERS[parse_platform(said)]
    if step == "kind":
        kind = kind_key(said)
        if kind is None and not anything:
            raise QueryError("unknown_kind", "kind", text, f"kind {text!r}", {})
        return CODE_OF_KIND[kind] if kind is not None else ANY
    if step == "genre":
        genre = genre_of_word(said)
        if genre is None and not anything:
            raise QueryError("unknown_genre", "genre", text, f"genre {text!r}", {})
        return f"{GENRES.index(genre):02d}" if genre is not None else ANY
    if step == "score":
        return ANY if anything else score_field(_typed_score(said, text))
    if step == "decade":
        if anything:
            return ANY
        if said.isdigit() and len(said) == 4:  # "2015": that year, nothing more to ask
            return str(parse_year(said))
        return f"{PICK_YEAR}{_typed_decade(said, text)}"
    decade = int(fields[STEPS.index("decade")][1:])  # a year of the decade chosen
    if anything:
        return f"d{decade}"
    if said.isdigit() and len(said) == 4:
        return str(parse_year(said))
    return f"d{_typed_decade(said, text)}"  # "80s" here: the whole of that decade


def _typed_decade(said: str, text: str) -> int:
    """1990 for "90s", "1990s", "los 90", "años 90"; QueryError naming `text` otherwise."""
    words = [w for w in said.split() if w not in DECADE_FILLER]
    try:
        decade = parse_decade(" ".join(words)) if len(words) == 1 else None
    except QueryError:
        decade = None
    if decade is None:
        raise QueryError("invalid_year", "decade", text, f"decade {text!r}", {})
    return decade


def _typed_score(said: str, text: str) -> float:
    """3.5 for "3,5", "3.5+", ">=3.5", "3.5★", "3.5 or more", "al menos 3,5"; QueryError
    naming `text` otherwise."""
    words = [w for w in said.replace("★", " ").split() if w not in SCORE_FILLER]
    try:
        return parse_score(words[0].strip(">=+") if len(words) == 1 else said)
    except QueryError as e:
        raise QueryError(e.code, e.arg, text, e.message, e.params) from None


def describe(lang: str, q: BrowseQuery) -> str:
    """The filters in words: "Comedy · movies · Netflix · 2020 · 3.5★ or more"."""
    bits: list[str] = []
    if q.genre:
        bits.append(genre_name(q.genre, lang))
    if q.kind:
        bits.append(str(t(lang, "browse_movies" if q.kind == "movie" else "browse_shows")))
    if q.platform:
        bits.append(platform_name(q.platform, lang))
    if q.year is not None:
        bits.append(str(q.year))
    if q.decade is not None:
        bits.append(str(t(lang, "browse_decade", decade=q.decade)))
    if q.min_score is not None:
        bits.append(str(t(lang, "browse_min_score", score=short(lang, q.min_score))))
    return " · ".join(bits)
