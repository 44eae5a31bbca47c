"""Response bodies of the HTTP API: every field documented, so /docs reads as a reference.

They mirror the catalogue's frozen dataclasses (catalog/results.py) and are filled from them with
`from_attributes`; names (title, director, cast) keep their original casing, the other text is
lower-case as the ETL wrote it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, ValidationInfo, model_validator

from api.words import year_label
from domain.vocabulary import DurationTypeKey as DurationType
from domain.vocabulary import KindKey as Kind
from domain.vocabulary import PlatformKey as Platform
from domain.vocabulary import YearMeaning, year_meaning

ErrorName = Literal[
    "invalid_argument",
    "not_found",
    "ambiguous_title",
    "model_unavailable",
    "unauthorized",
    "forbidden",
    "method_not_allowed",
    "reload_failed",
    "internal_error",
]
ReasonCode = Literal["known", "unknown_user", "unknown_title", "unknown_both"]
# Numbers for reading: 3.41, not 3.4147469807196273 (issue 22). Decisions are taken on the
# unrounded values before this (`recommended` is score >= threshold).
Rounded = Annotated[float, PlainSerializer(lambda x: round(x, 2), return_type=float)]
RoundedOpt = Annotated[
    float | None,
    PlainSerializer(lambda x: None if x is None else round(x, 2), return_type=float | None),
]
# A share in percent keeps two significant digits: 0.0071 -> 0.0071 is "top 0.0071 %", 12.345 -> 12.
Share = Annotated[
    float | None,
    PlainSerializer(lambda x: None if x is None else float(f"{x:.2g}"), return_type=float | None),
]


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


YEAR_MEANING = (
    "What release_year counts: 'release' for a movie; for a show, 'first_season' on Disney+ "
    "and Hulu, 'latest_season' on Amazon and Netflix (each platform's data means it so)"
)


class TitleRef(Out):
    """Enough about a title to list it and to ask about it again (by its id)."""

    id: str = Field(
        description="Title id: platform letter + show_id, e.g. 'ns123' (Netflix s123)",
        examples=["ns123"],
    )
    title: str = Field(description="Title name in its original casing", examples=["The Crown"])
    platform: Platform = Field(description="Platform carrying the title")
    type: Kind = Field(description="'movie' or 'tv show'")
    release_year: int | None = Field(
        description="Release year (for a show see year_meaning); null when the data has none",
        examples=[2019],
    )
    year_meaning: YearMeaning = Field(default="release", description=YEAR_MEANING)
    year_label: str | None = Field(
        default=None,
        description="The year in words, in the answer's language: '2019' for a movie, "
        "'since 1989' for a show counted from its first season, 'latest season 2019' for one "
        "counted from its latest",
        examples=["latest season 2019"],
    )

    @model_validator(mode="after")
    def _year_words(self, info: ValidationInfo) -> Self:
        lang = (info.context or {}).get("lang")
        if lang is None and self.year_label is not None:
            return self  # FastAPI validates the dumped answer again, without our context
        lang = lang or "en"
        self.year_meaning = year_meaning(self.platform, self.type)
        self.year_label = year_label(lang, self.year_meaning, self.release_year)
        return self


class TitleInfo(TitleRef):
    """Everything the catalogue knows of one title."""

    director: str | None = Field(description="Director(s) in original casing; null when unknown")
    cast: list[str] = Field(description="Cast members in original casing, in credit order")
    country: str | None = Field(description="Production country(ies); null when unknown")
    date_added: dt.date | None = Field(description="Date the platform added the title")
    rating: str | None = Field(
        description="Maturity rating as the platform gives it (TV-MA, PG-13); null when the "
        "platform gives none: not rated"
    )
    duration_int: int | None = Field(
        description="Length: minutes (movies) or seasons (shows)", examples=[95]
    )
    duration_type: DurationType | None = Field(description="Unit of duration_int")
    listed_in: str | None = Field(description="Genres, comma-separated")
    description: str | None = Field(description="Synopsis")
    score: RoundedOpt = Field(
        description="Mean user rating 0.5..5, 2 decimals; null without votes", examples=[3.41]
    )
    votes: int = Field(description="Number of user ratings behind score", examples=[120])


class MaxDurationOut(Out):
    """The longest movie (minutes) or show (seasons) under the filters; ties all listed."""

    year: int | None = Field(
        description="Release-year filter applied; null = every year", examples=[2020]
    )
    platform: Platform | None = Field(description="Platform filter applied; null = every platform")
    duration_type: DurationType = Field(
        description="'min': movies ranked by minutes; 'season': shows ranked by seasons"
    )
    duration: int | None = Field(
        description="The longest duration found (in duration_type units); null when no title "
        "matches the filters",
        examples=[312],
    )
    title: TitleRef | None = Field(description="The first of the tied titles (by name), or null")
    titles: list[TitleRef] = Field(description="Every title with that duration, sorted by name")


class ScoreCountOut(Out):
    """Movies of one platform and release year whose mean user score is strictly above `scored`."""

    platform: Platform = Field(description="Platform asked about")
    year: int = Field(description="Release year asked about", examples=[2020])
    scored: float = Field(
        description="Score threshold (strictly greater than counts)", examples=[3.5]
    )
    count: int = Field(description="Movies with a mean user score above `scored`", examples=[41])
    movies: int = Field(description="All movies of that platform and year", examples=[517])
    rated: int = Field(description="Of those, movies with at least one user rating", examples=[480])


class PlatformCountOut(Out):
    platform: Platform = Field(description="Platform")
    movies: int = Field(description="Number of movies", examples=[6131])
    shows: int = Field(description="Number of tv shows", examples=[2676])
    total: int = Field(description="movies + shows", examples=[8807])


class CountPlatformOut(BaseModel):
    """Titles per platform: one platform when asked, else every platform and the sums."""

    platform: Platform | None = Field(description="Platform asked about; null = all of them")
    movies: int = Field(
        description="Movies of that platform (or of all platforms)", examples=[6131]
    )
    shows: int = Field(
        description="TV shows of that platform (or of all platforms)", examples=[2676]
    )
    total: int = Field(description="movies + shows", examples=[8807])
    per_platform: list[PlatformCountOut] = Field(description="The same counts, one per platform")


class ActorOut(Out):
    """The cast member appearing in most titles of a platform and release year."""

    platform: Platform = Field(description="Platform asked about")
    year: int = Field(description="Release year asked about", examples=[2020])
    actor: str | None = Field(
        description="First alphabetically among the tied; null when no title of that platform "
        "and year lists a cast"
    )
    count: int = Field(description="Number of distinct titles the actor appears in", examples=[6])
    tied: list[str] = Field(description="Every actor with that count, alphabetical")
    titles: int = Field(description="Titles of that platform and year", examples=[953])
    titles_with_cast: int = Field(description="Of those, titles that list a cast", examples=[870])


class RecommendationOut(Out):
    """Predicted score of a user for a title and the decision, with the reason."""

    user_id: int = Field(description="User asked about (the ratings' userId)", examples=[1])
    title: TitleRef = Field(description="The title the `title` argument resolved to")
    estimate: Rounded = Field(description="Predicted rating, 0.5..5, 2 decimals", examples=[3.41])
    recommended: bool = Field(description="estimate >= threshold (decided before rounding)")
    threshold: float = Field(description="Decision threshold (RECOMMEND_THRESHOLD)", examples=[3.5])
    reason_code: ReasonCode = Field(
        description="'known': user and title both in the training data; 'unknown_user': the "
        "user has no ratings, so the estimate is the average adjusted by the title's bias; "
        "'unknown_title' / 'unknown_both': the same fallbacks for the title"
    )
    reason: str = Field(
        description="The decision and its reason in plain words, in the answer's language "
        "(lang, Accept-Language)"
    )
    predicted: RoundedOpt = Field(
        examples=[3.38],
        default=None,
        description="Expected rating from the model's calibration curve: unlike `estimate` "
        "(clipped to 5 like Surprise's) it stays below 5, so liked titles keep distinct numbers; "
        "null when the model has no curve",
    )
    score: RoundedOpt = Field(
        default=None,
        examples=[3.44],
        description="The unclipped model score; `recommended` is score >= threshold (the same "
        "decision as estimate >= threshold)",
    )


class ScoredTitle(Out):
    title: TitleRef = Field(description="A recommended title")
    estimate: Rounded = Field(
        description="Predicted rating for the user, 0.5..5, 2 decimals", examples=[4.87]
    )
    predicted: RoundedOpt = Field(
        default=None,
        examples=[4.52],
        description="Expected rating (calibration curve), below 5 and distinct where `estimate` "
        "is clipped to 5; null when the model has no curve",
    )
    top_percent: Share = Field(
        default=None,
        examples=[0.5],
        description="Share (0..100] of the model's titles predicted at least this high for the "
        "user, two significant digits: 0.5 means the top 0.5%",
    )


class TopOut(BaseModel):
    """The user's best titles they have not rated yet, by predicted score."""

    user_id: int = Field(description="User asked about", examples=[1])
    known_user: bool = Field(
        description="False when the model has no ratings of this user: the list is then the "
        "popularity ranking (average + title bias) every new user gets"
    )
    platform: Platform | None = Field(description="Platform filter applied, or null")
    kind: Kind | None = Field(description="Kind filter applied, or null")
    total: int = Field(
        description="Titles the ranking holds over every page: every title of the filters "
        "the model scores and the user has not rated",
        examples=[412],
    )
    offset: int = Field(description="Where this page starts (0 = the best)", examples=[0])
    items: list[ScoredTitle] = Field(description="Best first; at most n")


class SimilarTitle(Out):
    title: TitleRef = Field(description="A similar title")
    similarity: Rounded = Field(
        examples=[0.83],
        description="basis 'ratings': the model's similarity, -1..1 (the cosine of the "
        "title factors, blended with the titles' content by how many people rated both); "
        "basis 'content': the share of the title's genres, cast and director (idf-weighted) "
        "it shares, 0..1",
    )
    basis: Literal["ratings", "content"] = Field(
        description="'ratings' from the model; 'content' for a title nobody rated (or no model)"
    )
    reason_codes: list[str] = Field(
        default_factory=list,
        description="Why it is similar, most specific first: 'same_director', 'same_cast', "
        "'same_genre:<genre key>' (the rarest genre both share worth naming), 'co_rated' "
        "(many people rated both, and alike); the same in every language. Empty for basis "
        "'content' (there the similarity is the share of genres, cast and director)",
        examples=[["same_director", "same_genre:drama"]],
    )
    reasons: list[str] = Field(
        default_factory=list,
        description="The same reasons in words, in the answer's language (lang, "
        "Accept-Language), as the bot says them: 'same director', 'also drama', 'people who "
        "liked it liked this'",
        examples=[["same director", "also drama"]],
    )


class SimilarOut(BaseModel):
    """Titles closest to one title: in the model's factor space, or by what they are made of."""

    title: TitleRef = Field(description="The title the `title` argument resolved to")
    total: int = Field(
        description="Titles the ranking holds over every page: basis 'ratings', every other "
        "title the model scores (the same film on another platform left out); basis "
        "'content', every title sharing a genre, cast member or director",
        examples=[598],
    )
    offset: int = Field(description="Where this page starts (0 = the most similar)", examples=[0])
    items: list[SimilarTitle] = Field(
        description="Most similar first; at most n; empty when the title shares nothing or "
        "offset is past the total"
    )


class SearchHit(Out):
    id: str = Field(description="Title id")
    title: str = Field(description="Title name in its original casing")
    platform: Platform = Field(description="Platform carrying the title")
    type: Kind = Field(description="'movie' or 'tv show'")
    release_year: int | None = Field(description="Release year, or null", examples=[2019])
    match: Rounded = Field(
        description="Name similarity 0..100 (100 = exact, typos forgiven)", examples=[99.0]
    )


class SearchOut(BaseModel):
    query: str = Field(description="The search text as received")
    total: int = Field(description="Titles matching, over every page", examples=[14])
    offset: int = Field(description="Where this page starts (0 = the best match)", examples=[0])
    hits: list[SearchHit] = Field(description="Best match first; at most `limit`; may be empty")


class Offer(Out):
    platform: Platform = Field(description="A platform carrying the title")
    id: str = Field(description="The title's id on that platform")


class WhereToWatchItem(Out):
    """One film or show (same name and release year) and every platform carrying it."""

    title: str = Field(description="Name in original casing")
    release_year: int | None = Field(description="Release year, or null", examples=[2019])
    type: Kind = Field(description="'movie' or 'tv show'")
    platforms: list[Platform] = Field(description="Platforms carrying it")
    offers: list[Offer] = Field(description="Platform and id of each copy")
    match: Rounded = Field(description="Name similarity 0..100", examples=[100.0])


class WhereToWatchOut(BaseModel):
    query: str = Field(description="The title text as received")
    total: int = Field(description="(name, year) groups matching, over every page", examples=[3])
    offset: int = Field(description="Where this page starts", examples=[0])
    results: list[WhereToWatchItem] = Field(description="Best match first; never empty (else 404)")


class FileInfo(Out):
    name: str = Field(description="Processed file name")
    rows: int = Field(description="Rows in the file", examples=[22998])
    bytes: int = Field(description="File size", examples=[4194304])
    sha256: str = Field(description="Content hash")


class HealthOut(BaseModel):
    """What is being served: data and model versions, sizes, load time."""

    status: Literal["ok", "degraded"] = Field(
        description="'ok'; 'degraded' when no model is loaded (the four catalogue questions, "
        "search and where_to_watch still answer; recommend, top and similar answer 503), or "
        "when the release served is not the one `current` points at (`release.degraded`)"
    )
    data_version: str = Field(description="Fingerprint of the processed files' contents")
    model_version: str | None = Field(description="Model id; null when no model is loaded")
    model_error: str | None = Field(description="Why no model is loaded, or null")
    model: dict[str, Any] = Field(description="Model parameters, sizes and metrics (svd.json)")
    titles: int = Field(description="Titles in the catalogue", examples=[22998])
    scored_titles: int = Field(description="Titles with at least one user rating", examples=[22000])
    per_platform: dict[str, int] = Field(
        description="Titles per platform",
        examples=[{"amazon": 9668, "disney": 1450, "hulu": 3073, "netflix": 8807}],
    )
    files: list[FileInfo] = Field(description="The processed files read")
    threshold: float = Field(description="RECOMMEND_THRESHOLD in use", examples=[3.5])
    loaded_at: dt.datetime = Field(description="When this catalogue was loaded (UTC)")
    load_seconds: Rounded = Field(description="How long loading it took", examples=[1.84])
    reloads: int = Field(description="Successful reloads since start-up", examples=[0])
    release: dict[str, Any] | None = Field(
        default=None,
        description="The release served (python -m refresh): version, built_at, previous, "
        "the input files with their sha256, and `degraded`: why it is not the release "
        "`current` points at (null when it is); null when data_dir/processed is served directly",
    )


class ReloadOut(BaseModel):
    status: Literal["ok", "degraded"] = Field(
        description="'ok'; 'degraded' when the new catalogue has no model, which a reload "
        "allows only when none was loaded before either (`model_error` says why)"
    )
    previous_version: str = Field(description="Data version served before the reload")
    data_version: str = Field(description="Data version served now")
    model_version: str | None = Field(description="Model id served now, or null")
    model_error: str | None = Field(description="Why no model is loaded, or null")
    load_seconds: Rounded = Field(description="How long the new load took", examples=[1.84])


class BrowseTitle(TitleRef):
    """One title of a browse page, with what it was filtered and sorted on."""

    score: RoundedOpt = Field(
        description="Mean user rating 0.5..5, 2 decimals; null without votes", examples=[4.12]
    )
    votes: int = Field(description="Number of user ratings behind score", examples=[201])
    genres: list[str] = Field(
        description="Genre keys of the one cross-platform vocabulary, in the platform's order",
        examples=[["comedy", "international"]],
    )
    genre_names: list[str] = Field(
        description="The same genres by name, in the answer's language",
        examples=[["Comedy", "International"]],
    )
    date_added: dt.date | None = Field(description="Date the platform added the title")


class BrowseFilters(BaseModel):
    """The filters applied, as the catalogue understood them (null = no filter)."""

    platform: Platform | None = Field(description="Platform, or null for every platform")
    kind: Kind | None = Field(description="'movie' or 'tv show', or null for both")
    genre: str | None = Field(description="Genre key, or null", examples=["comedy"])
    year: int | None = Field(description="Release year, or null", examples=[2020])
    decade: int | None = Field(description="First year of the decade, or null", examples=[1990])
    min_score: float | None = Field(description="Minimum mean score, or null", examples=[4.0])
    sort: Literal["score", "newest"] = Field(description="Sort order")


class TitlesOut(BaseModel):
    """A page of the catalogue under the filters."""

    filters: BrowseFilters = Field(description="The filters applied")
    total: int = Field(description="Titles matching the filters, over every page", examples=[238])
    offset: int = Field(description="Where this page starts", examples=[0])
    items: list[BrowseTitle] = Field(description="At most `limit` titles in the sort order")


class DirectorOut(BaseModel):
    """The titles a director made, per platform; or, when the words name several directors,
    their names to ask again with."""

    query: str = Field(description="The name as received")
    director: str | None = Field(
        description="The director, as the data writes the name; null when the words name "
        "several directors (see `candidates`)",
        examples=["Martin Scorsese"],
    )
    candidates: list[str] = Field(
        description="When the words name several directors: their names, most titles first "
        "(at most 8); ask again with one. Empty when `director` is set",
        examples=[["Martin Scorsese", "Martin Campbell"]],
    )
    per_platform: dict[str, int] = Field(
        description="The director's titles per platform, over every page",
        examples=[{"netflix": 5, "amazon": 2}],
    )
    total: int = Field(description="The director's titles, over every page", examples=[7])
    offset: int = Field(description="Where this page starts", examples=[0])
    titles: list[TitleRef] = Field(
        description="At most `limit` titles, by platform (amazon, disney, hulu, netflix), "
        "newest first within one"
    )


class ErrorOut(BaseModel):
    """Every error answer: what was wrong and what is accepted."""

    error: ErrorName = Field(description="Machine-readable kind of error")
    detail: str = Field(description="What was wrong, in plain words, and what to send instead")
    parameter: str | None = Field(None, description="The query parameter at fault, if one")
    accepted: str | None = Field(None, description="What that parameter (or endpoint) accepts")
    candidates: list[SearchHit] | None = Field(
        None, description="For 'ambiguous_title': the titles the text could mean; ask again by id"
    )
