"""Browsing the catalogue: "comedies on Netflix from 2020", filtered, sorted and paged.

Filters: platform (None or 'all' = every one), kind, genre (the cross-platform vocabulary of
domain/genres.py: 'comedy' finds Netflix's "Comedies", Hulu's "Comedy" and "Sitcom"), release
year or decade, minimum mean user score; sorted by score (best first) or newest (release year,
then date added). `parse_query` checks keyword arguments (the API's), `parse_words` reads what a
person types in a chat ('netflix comedy 2020', 'series 90s drama best', 'películas terror 4+'),
both into one `BrowseQuery` that `browse` answers a page of.

The filter columns are numpy arrays built once per catalogue (`BrowseTable.build`, about 20 ms
on the 23,000 real titles); a page is a few boolean masks and one lexsort of the matches.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from catalog import validate as v
from catalog.errors import QueryError
from catalog.results import TitleRef
from catalog.rows import TitleRows
from domain.genres import GENRES, genre_keys, genre_of_word
from domain.text import tidy
from domain.vocabulary import ALL_PLATFORM_WORDS, PLATFORMS, kind_key, platform_key

SortKey = Literal["score", "newest"]
SORTS: tuple[SortKey, ...] = ("score", "newest")
# What people type for a sort order, in either language.
SORT_WORDS: dict[str, SortKey] = {
    "score": "score", "best": "score", "top": "score", "rated": "score", "best rated": "score",
    "mejores": "score", "mejor": "score", "nota": "score", "puntuacion": "score",
    "newest": "newest", "new": "newest", "latest": "newest", "recent": "newest",
    "nuevos": "newest", "nuevas": "newest", "recientes": "newest", "novedades": "newest",
}  # fmt: skip
# Small words a typed query may hold between its filters: 'comedies on netflix from 2020'.
FILLER_WORDS = frozenset(
    {"on", "from", "in", "of", "the", "and", "with", "en", "de", "del", "desde", "y", "con",
     "los", "las", "el", "la", "sort", "by", "ordenar", "por"}
)  # fmt: skip
# Sorting by score ranks the mean shrunk toward the catalogue's mean by this many votes (a
# Bayesian average), so a 5.0 from one vote does not top a 4.6 from thousands; the score shown
# and filtered on (min_score) is the plain mean.
PRIOR_VOTES = 10.0
_DECADE = re.compile(r"(\d{2}|\d{4})'?s")  # 1990s, 90s, 90's
_MIN_SCORE = re.compile(r"(?:>=?|\+)?(\d(?:[.,]\d+)?)\+?")  # 4+, >4, >=3.5, +4, 3,5


@dataclass(frozen=True)
class BrowseQuery:
    """Parsed filters; None = no filter. `decade` is its first year (1990 = the 1990s)."""

    platform: str | None = None
    kind: str | None = None
    genre: str | None = None
    year: int | None = None
    decade: int | None = None
    min_score: float | None = None
    sort: SortKey = "score"


@dataclass(frozen=True)
class BrowseItem:
    title: TitleRef
    score: float | None  # mean user rating; None when nobody rated it
    votes: int
    genres: tuple[str, ...]  # genre keys (domain/genres.py), in the platform's order
    date_added: dt.date | None


@dataclass(frozen=True)
class BrowsePage:
    """`items` from `offset`, of `total` titles matching `query`; the next page starts at
    offset + len(items) while that is below total."""

    query: BrowseQuery
    total: int
    offset: int
    items: tuple[BrowseItem, ...]


# ---------------------------------------------------------------- parsing


def parse_genre(value: object) -> str | None:
    """A genre key, name (either language) or platform label -> key; None/'' -> None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    found = genre_of_word(value)
    if found is not None:
        return found
    raise QueryError(
        "unknown_genre",
        "genre",
        value,
        f"unknown genre {str(value)[:50]!r}; use one of {', '.join(GENRES)}",
        {"accepted": GENRES},
    )


def parse_decade(value: object) -> int | None:
    """'1990s', '90s', 1990 -> 1990; None/'' -> None. A two-digit decade after this one's
    is last century's ('90s' = 1990s, '20s' = 2020s)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip().lower()
    m = _DECADE.fullmatch(text)
    digits = m.group(1) if m else text
    year: int | None = int(digits) if digits.isdigit() and len(digits) in (2, 4) else None
    if year is not None and len(digits) == 2:
        this = dt.date.today().year
        year += 2000 if 2000 + year <= this else 1900
    if year is None or year % 10 or not v.YEAR_MIN <= year <= v.YEAR_MAX:
        raise QueryError(
            "invalid_year",
            "decade",
            value,
            f"invalid decade {str(value)[:50]!r}; give its first year, e.g. 1990 or 1990s",
            {"min": v.YEAR_MIN, "max": v.YEAR_MAX},
        )
    return year


def parse_sort(value: object) -> SortKey:
    """'score' (default; also best, top) or 'newest' (also new, latest, recientes)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "score"
    found = SORT_WORDS.get(tidy(value)) if isinstance(value, str) else None
    if found is not None:
        return found
    raise QueryError(
        "invalid_sort",
        "sort",
        value,
        f"invalid sort {str(value)[:50]!r}; use 'score' (best first) or 'newest'",
        {"accepted": SORTS},
    )


def parse_query(
    platform: object = None,
    kind: object = None,
    genre: object = None,
    year: object = None,
    decade: object = None,
    min_score: object = None,
    sort: object = None,
) -> BrowseQuery:
    """Keyword filters (the API's) checked with the catalogue's parsers."""
    score = None if min_score is None or min_score == "" else v.parse_score(min_score)
    return BrowseQuery(
        platform=v.parse_optional_platform(platform),
        kind=v.parse_kind(kind),
        genre=parse_genre(genre),
        year=v.parse_optional_year(year),
        decade=parse_decade(decade),
        min_score=score,
        sort=parse_sort(sort),
    )


def parse_words(text: object) -> BrowseQuery:
    """What a person types after /browse, words in any order: platform ('netflix', 'amazon
    prime', 'all'), kind ('movies', 'series'), genre ('comedy', 'ciencia ficción'), a year
    (2020) or decade (90s, 1990s), a minimum score (4+, >3.5) and a sort ('best', 'newest').
    A word that is none of these raises QueryError 'unknown_word' naming it; a filter given
    twice raises that filter's error."""
    if text is None or not str(text).strip():
        return BrowseQuery()
    words = tidy(str(text)).split()
    q = BrowseQuery()
    i = 0
    while i < len(words):
        used, q = _one_word(words, i, q)
        i += used
    return q


def _one_word(words: list[str], i: int, q: BrowseQuery) -> tuple[int, BrowseQuery]:
    """How many words from i make one filter, and the query with it."""
    word = words[i]
    for n in (3, 2, 1):  # the longest name first: 'amazon prime video', 'science fiction'
        if i + n > len(words):
            continue
        phrase = " ".join(words[i : i + n])
        platform = platform_key(phrase)
        if platform is not None:
            return n, _set(q, "platform", platform, phrase)
        genre = genre_of_word(phrase)
        # a platform's label holding a kind word ("Horror Movies", "TV Comedies") is read as
        # its genre and that kind, word by word: "horror movies" are movies, not also shows
        kinded = n > 1 and any(kind_key(w) is not None for w in words[i : i + n])
        if genre is not None and kind_key(phrase) is None and not kinded:
            return n, _set(q, "genre", genre, phrase)
        if phrase in SORT_WORDS:
            return n, replace(q, sort=SORT_WORDS[phrase])
        if n > 1 and kind_key(phrase) is not None:
            return n, _set(q, "kind", kind_key(phrase), phrase)
    if word in ALL_PLATFORM_WORDS:
        return 1, replace(q, platform=None)
    if kind_key(word) is not None:
        return 1, _set(q, "kind", kind_key(word), word)
    if word.isdigit() and len(word) == 4:
        return 1, _set(q, "year", v.parse_year(word), word)
    if _DECADE.fullmatch(word):
        return 1, _set(q, "decade", parse_decade(word), word)
    if _MIN_SCORE.fullmatch(word):
        return 1, _set(q, "min_score", v.parse_score(word.lstrip(">=+").rstrip("+")), word)
    if word in FILLER_WORDS:
        return 1, q
    raise QueryError(
        "unknown_word",
        "words",
        word,
        f"{word!r} is not a platform, type, genre, year, decade, score or sort; e.g. "
        "'netflix comedy 2020', 'series 90s drama', 'movies horror 4+ newest'",
        {"genres": GENRES, "platforms": PLATFORMS},
    )


def _set(q: BrowseQuery, field: str, value: object, word: str) -> BrowseQuery:
    """q with `field` set; a second, different value for it is refused, naming the word."""
    before = getattr(q, field)
    if before is not None and before != value:
        raise QueryError(
            "unknown_word",
            "words",
            word,
            f"{word!r}: {field.replace('_', ' ')} given twice (already {before!r})",
            {"field": field, "first": before},
        )
    return replace(q, **{field: value})  # type: ignore[arg-type]  # each field's parser typed it


# ---------------------------------------------------------------- answering


@dataclass(frozen=True, eq=False)
class BrowseTable:
    """The served titles' filter columns as arrays (row i = `rows[i]` of the served rows)."""

    rows: np.ndarray  # int64 catalogue row of each served title
    platform: np.ndarray  # object
    kind: np.ndarray  # object
    year: np.ndarray  # int64; -1 when unknown
    added: np.ndarray  # int64 date_added ordinal; -1 when unknown
    score: np.ndarray  # float64; NaN when unrated
    votes: np.ndarray  # int64
    rank_score: np.ndarray  # float64 score shrunk by PRIOR_VOTES; -1 when unrated
    name_rank: np.ndarray  # int64 rank of the folded name (ties listed by name)
    genres: tuple[tuple[str, ...], ...]  # genre keys per served title
    genre_bits: np.ndarray  # int64 bit g set when the title has GENRES[g]

    @classmethod
    def build(cls, rows: TitleRows) -> BrowseTable:
        # Served rows only: one per id, no platform test entry (rows.row_of_id holds exactly them).
        served = np.array(sorted(rows.row_of_id.values()), dtype=np.int64)
        listed = rows.display_text["listed_in"]
        genres = tuple(genre_keys(listed[r]) for r in served.tolist())
        bit = {g: 1 << k for k, g in enumerate(GENRES)}
        years = [rows.release_year[r] for r in served.tolist()]
        added = [rows.date_added[r] for r in served.tolist()]
        order = sorted(range(len(served)), key=lambda k: rows.sort_key(int(served[k])))
        name_rank = np.empty(len(served), dtype=np.int64)
        name_rank[order] = np.arange(len(served))
        score, votes = rows.score[served], rows.votes[served]
        rated = ~np.isnan(score)
        weight = votes[rated].sum()
        mean = float((score[rated] * votes[rated]).sum() / weight) if weight else 0.0
        shrunk = (np.nan_to_num(score) * votes + PRIOR_VOTES * mean) / (votes + PRIOR_VOTES)
        return cls(
            rows=served,
            platform=np.array([rows.platform[r] for r in served.tolist()], dtype=object),
            kind=np.array([rows.kind[r] for r in served.tolist()], dtype=object),
            year=np.array([-1 if y is None else y for y in years], dtype=np.int64),
            added=np.array([-1 if d is None else d.toordinal() for d in added], dtype=np.int64),
            score=score,
            votes=votes,
            rank_score=np.where(rated, shrunk, -1.0),
            name_rank=name_rank,
            genres=genres,
            genre_bits=np.array([sum(bit[g] for g in gs) for gs in genres], dtype=np.int64),
        )

    def matching(self, q: BrowseQuery) -> np.ndarray:
        """Positions (into the table) of the titles matching q, in q's sort order."""
        at = np.flatnonzero(self.mask(q))
        keys: tuple[np.ndarray, ...]
        if q.sort == "newest":
            # newest release first, then latest added, then most voted; unknown years last
            keys = (self.name_rank[at], -self.votes[at], -self.added[at], -self.year[at])
        else:
            # best score first (shrunk: PRIOR_VOTES), then most voted; unrated titles last
            keys = (self.name_rank[at], -self.votes[at], -self.rank_score[at])
        return at[np.lexsort(keys)]

    def mask(self, q: BrowseQuery) -> np.ndarray:
        """True for the titles matching q's filters (its sort aside)."""
        keep = np.ones(len(self.rows), dtype=bool)
        if q.platform is not None:
            keep &= self.platform == q.platform
        if q.kind is not None:
            keep &= self.kind == q.kind
        if q.genre is not None:
            keep &= (self.genre_bits & (1 << GENRES.index(q.genre))) != 0
        if q.year is not None:
            keep &= self.year == q.year
        if q.decade is not None:
            keep &= (self.year >= q.decade) & (self.year < q.decade + 10)
        if q.min_score is not None:
            keep &= np.nan_to_num(self.score, nan=-1.0) >= q.min_score
        return keep


def page(table: BrowseTable, rows: TitleRows, q: BrowseQuery, start: int, n: int) -> BrowsePage:
    """`n` titles from `start` of those matching q, in q's order, and how many match."""
    found = table.matching(q)
    items = []
    for k in found[start : start + n].tolist():
        r = int(table.rows[k])
        score = float(table.score[k])
        items.append(
            BrowseItem(
                title=rows.refs[r],
                score=None if np.isnan(score) else score,
                votes=int(table.votes[k]),
                genres=table.genres[k],
                date_added=rows.date_added[r],
            )
        )
    return BrowsePage(q, len(found), start, tuple(items))


def years(table: BrowseTable, q: BrowseQuery) -> list[int]:
    """The known release years (ascending, each once) of the titles matching q."""
    found = table.year[table.mask(q)]
    return [int(y) for y in np.unique(found[found >= 0])]
