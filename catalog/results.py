"""What the query layer answers: small frozen dataclasses, never DataFrames or rendered text.

Names (title, director, cast) are in their original casing from display.parquet; the other text
fields are lower-case as the ETL wrote them (DESIGN.md rule 4).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class TitleRef:
    """Enough about a title to list it and to act on it (its id)."""

    id: str
    title: str
    platform: str
    type: str  # "movie" | "tv show"
    release_year: int | None


@dataclass(frozen=True)
class TitleInfo:
    """Everything the catalogue knows of one title."""

    id: str
    title: str
    platform: str
    type: str
    release_year: int | None
    director: str | None
    cast: tuple[str, ...]
    country: str | None
    date_added: dt.date | None
    rating: str | None  # maturity rating as the platform writes it (TV-MA); None: not rated
    duration_int: int | None
    duration_type: str | None  # "min" | "season"
    listed_in: str | None
    description: str | None
    score: float | None  # mean user rating, None without votes
    votes: int

    @property
    def ref(self) -> TitleRef:
        return TitleRef(self.id, self.title, self.platform, self.type, self.release_year)


@dataclass(frozen=True)
class MaxDuration:
    """The longest title(s) under the filters; all tied titles are listed (sorted by name)."""

    year: int | None
    platform: str | None
    duration_type: str  # "min" (movies) | "season" (shows)
    duration: int | None  # None when nothing matches the filters
    titles: tuple[TitleRef, ...]

    @property
    def title(self) -> TitleRef | None:
        """The first of the tied titles, for callers that want one answer."""
        return self.titles[0] if self.titles else None


@dataclass(frozen=True)
class ScoreCount:
    """Movies of a platform and release year whose mean user score is strictly above `scored`."""

    platform: str
    year: int
    scored: float
    count: int
    movies: int  # movies of that platform and year
    rated: int  # of which have a score (at least one vote)


@dataclass(frozen=True)
class PlatformCount:
    platform: str
    movies: int
    shows: int
    total: int


@dataclass(frozen=True)
class ActorResult:
    """The cast member in most titles of a platform and year; `tied` lists every one at `count`."""

    platform: str
    year: int
    actor: str | None  # first alphabetically among the tied; None when no title has a cast
    count: int
    tied: tuple[str, ...]
    titles: int  # titles of that platform and year
    titles_with_cast: int


@dataclass(frozen=True)
class SearchHit:
    id: str
    title: str
    platform: str
    type: str
    release_year: int | None
    match: float  # 0..100, higher is better


@dataclass(frozen=True)
class SearchPage:
    """One page of search results and how many titles match in all (for "N matches" and
    paging: the next page starts at offset + len(hits) while that is below total)."""

    query: str
    total: int  # titles (one per platform row) matching the query, over every page
    offset: int
    hits: tuple[SearchHit, ...]


@dataclass(frozen=True)
class RankedPage:
    """One page of a ranking (/top, /similar): `items` from `offset`, of `total` titles the
    ranking holds over every page (an offset past the end gives no items, the same total)."""

    total: int
    offset: int
    items: tuple[RecommendedTitle, ...]


@dataclass(frozen=True)
class Offer:
    platform: str
    id: str


@dataclass(frozen=True)
class WhereToWatch:
    """One film or show (same normalised name and release year) and every platform carrying it."""

    title: str
    release_year: int | None
    type: str
    offers: tuple[Offer, ...]
    match: float

    @property
    def platforms(self) -> tuple[str, ...]:
        return tuple(o.platform for o in self.offers)


@dataclass(frozen=True)
class WatchPage:
    """One page of where_to_watch: `groups` from `offset`, of `total` (name, year) groups."""

    query: str
    total: int
    offset: int
    groups: tuple[WhereToWatch, ...]


@dataclass(frozen=True)
class TitleMatch:
    """resolve_title's answer: `title` when one title is meant, else `candidates` to choose from."""

    title: TitleInfo | None
    candidates: tuple[SearchHit, ...] = ()

    @property
    def ambiguous(self) -> bool:
        return self.title is None and len(self.candidates) > 0


@dataclass(frozen=True)
class DirectorTitles:
    """director's answer: the titles `director` (as the data writes the name) directed, by
    platform in PLATFORMS order, newest first; when the words name several directors, none is
    chosen and `candidates` lists them (most titles first); neither: nobody matched."""

    query: str
    director: str | None
    titles: tuple[TitleRef, ...] = ()
    candidates: tuple[str, ...] = ()

    def by_platform(self) -> dict[str, tuple[TitleRef, ...]]:
        out: dict[str, list[TitleRef]] = {}
        for ref in self.titles:
            out.setdefault(ref.platform, []).append(ref)
        return {platform: tuple(refs) for platform, refs in out.items()}


@dataclass(frozen=True)
class Recommendation:
    """Predicted score of a user for a title and the decision, with the reason."""

    user_id: int | None  # None for ratings folded in from the chat
    title: TitleRef
    estimate: float
    recommended: bool
    threshold: float
    reason_code: str  # "known" | "unknown_user" | "unknown_title" | "unknown_both"
    reason: str
    # `estimate` is clipped to 5.0 like Surprise's, so good titles all read "5.0": people are
    # shown `predicted` (the model's expected-rating curve, below 5.0; None without a curve)
    # and `score`, the unclipped number the threshold is compared with (same decision).
    predicted: float | None = None
    score: float | None = None


@dataclass(frozen=True)
class RecommendedTitle:
    title: TitleRef
    estimate: float | None = None  # predicted score, clipped like Surprise (top, for_ratings)
    similarity: float | None = None  # cosine of title factors (similar)
    # What people are shown instead of the clipped estimate (docs/model.md, readable scores):
    predicted: float | None = None  # expected rating, never reaching 5.0
    top_percent: float | None = None  # share (0..100] of the model's titles predicted as high
    # for_ratings only: why this title. "liked": `because` is the person's highly rated title
    # it is really like (what they share in `reasons`; Recommender.liked_reasons); else
    # "similar_taste" when the person's part of the score outweighs the title's bias, "popular"
    # when the bias does (or no factors or usable ratings to go on).
    reason_code: str | None = None
    because: TitleRef | None = None
    # similar (and for_ratings' "liked"), from a hybrid model: why it is like the title asked
    # about (or `because`), as codes front ends word ("same_director", "same_cast",
    # "same_genre:<key>", "co_rated"; model/similarity.py)
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileInfo:
    name: str
    rows: int
    bytes: int
    sha256: str


@dataclass(frozen=True)
class CatalogInfo:
    """What the bot's /status and the API's /health show."""

    data_dir: str
    version: str  # short fingerprint of the processed files' contents
    model_version: str | None  # fingerprint of svd.json, None without a model
    model_error: str | None
    titles: int
    scored_titles: int
    per_platform: dict[str, int]
    files: tuple[FileInfo, ...]
    model: dict[str, object] = field(default_factory=dict)  # a few svd.json fields (rmse, ...)
    loaded_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    load_seconds: float = 0.0
    # The catalogue's date: the newest date_added of a served title ("as of …"); None if no
    # title has one
    as_of: dt.date | None = None
