"""The FastAPI application over `catalog`: the same questions the bot answers, as JSON.

The catalogue is loaded once at start-up (lifespan) into a `CatalogHolder`; every request takes
`holder.current` once and keeps that object, and POST /admin/reload swaps a freshly built one in
by one reference assignment, exactly as the bot's /reload does.

Endpoints are plain `def`: FastAPI runs them in its threadpool. Each answer costs well under
5 ms of Python (lookups in precomputed tables, numpy over the title factors), so `async def`
would also do, but a thread keeps the event loop free for /health and for accepting
connections while a slower call (fuzzy search over full-scale names, a reload that reads parquet
for seconds) runs; the hop costs tens of microseconds (docs/api.md has the numbers).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal, TypeVar

import anyio
from fastapi import Depends, FastAPI, Header, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from fastapi_offline import FastAPIOffline

from api import errors
from api.errors import ACCEPTED, ApiError
from api.schemas import (
    ActorOut,
    CountPlatformOut,
    HealthOut,
    MaxDurationOut,
    PlatformCountOut,
    RecommendationOut,
    ReloadOut,
    ScoreCountOut,
    ScoredTitle,
    SearchHit,
    SearchOut,
    SimilarOut,
    SimilarTitle,
    TitleInfo,
    TitleRef,
    TopOut,
    WhereToWatchItem,
    WhereToWatchOut,
)
from api.settings import ApiSettings
from catalog import Catalog, CatalogHolder, CatalogLoadError, ModelUnavailable, QueryError
from catalog import validate as v
from domain.vocabulary import DURATION_TYPE_ALIASES, KIND_ALIASES

log = logging.getLogger("api")
T = TypeVar("T")

# Text the catalogue accepts: at least one character that str.strip() keeps. The class lists
# Python's whitespace (str.isspace), which is wider than the regex \s (e.g. \x1c..\x1f).
TEXT_PATTERN = r"[^\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
TEXT_MAX = 200
USER_ID_MAX = v.USER_ID_MAX  # the one user-id rule, shared with the bot

# Every alias the catalogue accepts for duration_type and kind (domain/vocabulary.py), listed so
# the schema documents them. Built from the tables: Literal[("a", "b")] is Literal["a", "b"].
DurationType = Literal[tuple(DURATION_TYPE_ALIASES)]  # type: ignore[valid-type]
KindArg = Literal[tuple(KIND_ALIASES)]  # type: ignore[valid-type]

# ---------------------------------------------------------------- query parameters

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
TitleArg = Annotated[
    str,
    Query(pattern=TEXT_PATTERN, max_length=TEXT_MAX, description=f"Title: {ACCEPTED['title']}. "
          "No match answers 404; several equally good matches answer 409 with the candidates",
          examples=["ns1"]),
]  # fmt: skip
UserId = Annotated[
    int,
    Query(ge=0, le=USER_ID_MAX, description=f"User: {ACCEPTED['user_id']}. A user the model "
          "does not know is not an error: the answer says so (reason_code / known_user)",
          examples=[1]),
]  # fmt: skip
N = Annotated[int, Query(ge=1, le=v.LIMIT_MAX, description=f"How many titles: {ACCEPTED['n']}")]


# ---------------------------------------------------------------- helpers


def _catalog(request: Request) -> Catalog:
    """The serving catalogue, read once per request (a reload never changes it under us)."""
    holder: CatalogHolder = request.app.state.holder
    return holder.current


Cat = Annotated[Catalog, Depends(_catalog)]


def _arg(name: str, parse: Callable[[Any], T], value: Any) -> T:
    """Parse one argument with the catalogue's parser; a QueryError names the parameter."""
    try:
        return parse(value)
    except QueryError as e:
        raise errors.from_query_error(e, name) from None


def _platform(value: str | None) -> str | None:
    """Optional filter: None or '' (no filter), else a platform alias -> canonical name.

    An unknown name answers 404: the platform is well formed but not one we carry.
    """
    try:
        return v.parse_optional_platform(value)
    except QueryError as e:
        raise errors.platform_not_found(e) from None


def _platform_req(value: str) -> str:
    """Required platform: the schema already refused a blank one (422); unknown -> 404."""
    try:
        return v.parse_platform(value)
    except QueryError as e:
        raise errors.platform_not_found(e) from None


def _resolve(c: Catalog, title: str) -> Any:
    """A title id or name -> TitleInfo; 404 when nothing matches, 409 when several do."""
    match = _arg("title", c.resolve_title, title)
    if match.title is not None:
        return match.title
    if match.candidates:
        raise errors.from_query_error(v.AmbiguousTitle(title, match.candidates), "title")
    raise errors.from_query_error(v.TitleNotFound(title), "title")


def _need_model(c: Catalog) -> None:
    if c.recommender is None:
        raise ModelUnavailable(c.model_error or "no recommendation model is loaded")


def _ref(obj: Any) -> TitleRef:
    return TitleRef.model_validate(obj, from_attributes=True)


# ---------------------------------------------------------------- the application


def create_app(settings: ApiSettings | None = None, holder: CatalogHolder | None = None) -> FastAPI:
    """The app; `holder` (tests) skips loading at start-up and serves that one instead."""
    settings = settings or ApiSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if holder is None:  # else the caller's holder is already in app.state
            log.info("loading catalogue from %s", settings.data_dir)
            app.state.holder = await anyio.to_thread.run_sync(
                lambda: CatalogHolder(settings.data_dir, settings.recommend_threshold)
            )
            app.state.reloads = 0
            info = app.state.holder.current.info
            log.info(
                "serving data %s (%d titles), model %s%s",
                info.version,
                info.titles,
                info.model_version,
                f" ({info.model_error})" if info.model_error else "",
            )
        yield

    # FastAPIOffline: /docs and /redoc load Swagger UI's and ReDoc's JS and CSS from the
    # fastapi-offline package (under /static-offline-docs), not from a CDN, so the pages render
    # where the API runs without internet (tests/test_api_pages.py renders them in Chromium).
    app = FastAPIOffline(
        title="streamrec API",
        version="1.0.0",
        summary="The Amazon Prime, Disney+, Hulu and Netflix catalogues and a recommender",
        description=(
            "The questions the streamrec bot answers, as JSON. Every error is "
            "`{error, detail, parameter, accepted, candidates}`: 422 for a missing or malformed "
            "parameter, 404 for an unknown platform or title, 409 when a title name is "
            "ambiguous (pick an id from `candidates`), 503 when a recommendation is asked for "
            "and no model is loaded. See docs/api.md."
        ),
        lifespan=lifespan,
    )
    app.state.settings = settings
    if holder is not None:  # usable without a lifespan too (schemathesis' ASGI client, tests)
        app.state.holder = holder
        app.state.reloads = 0
    errors.install(app)
    r = errors.responses

    @app.get("/", include_in_schema=False)
    def root(request: Request) -> RedirectResponse:
        """A person who opens the bare address lands on the endpoint list."""
        return RedirectResponse(f"{request.scope.get('root_path', '')}/docs")

    # ------------------------------------------------------------ the four questions

    @app.get(
        "/max_duration",
        response_model=MaxDurationOut,
        responses=r(404, 422),
        tags=["questions"],
        summary="Longest movie (minutes) or show (seasons)",
    )
    def max_duration(
        c: Cat,
        year: YearOpt = None,
        platform: PlatformOpt = None,
        duration_type: Annotated[
            DurationType | None,
            Query(description=f"{ACCEPTED['duration_type']}; default 'min'"),
        ] = None,
    ) -> MaxDurationOut:
        """The movie with the most minutes (default) or the show with the most seasons, under
        optional release-year and platform filters. Ties are all listed, sorted by name; with
        no title matching the filters, `duration` and `title` are null."""
        res = c.max_duration(year, _platform(platform), duration_type)
        return MaxDurationOut.model_validate(
            {**res.__dict__, "title": res.title}, from_attributes=True
        )

    @app.get(
        "/score_count",
        response_model=ScoreCountOut,
        responses=r(404, 422),
        tags=["questions"],
        summary="Movies scored above a threshold",
    )
    def score_count(
        c: Cat,
        platform: PlatformReq,
        scored: Annotated[
            float,
            Query(ge=v.SCORE_MIN, le=v.SCORE_MAX, description=ACCEPTED["scored"], examples=[3.5]),
        ],
        year: YearReq,
    ) -> ScoreCountOut:
        """How many movies of a platform and release year have a mean user score strictly
        greater than `scored`."""
        res = c.score_count(_platform_req(platform), scored, year)
        return ScoreCountOut.model_validate(res, from_attributes=True)

    @app.get(
        "/count_platform",
        response_model=CountPlatformOut,
        responses=r(404, 422),
        tags=["questions"],
        summary="Titles per platform",
    )
    def count_platform(c: Cat, platform: PlatformOpt = None) -> CountPlatformOut:
        """Movies (the original question), shows and total of one platform, or summed over all
        platforms with the per-platform counts when `platform` is omitted."""
        p = _platform(platform)
        counts = c.count_platform(p)
        return CountPlatformOut(
            platform=p,  # type: ignore[arg-type]
            movies=sum(x.movies for x in counts),
            shows=sum(x.shows for x in counts),
            total=sum(x.total for x in counts),
            per_platform=[PlatformCountOut.model_validate(x) for x in counts],
        )

    @app.get(
        "/actor",
        response_model=ActorOut,
        responses=r(404, 422),
        tags=["questions"],
        summary="Most frequent actor",
    )
    def actor(c: Cat, platform: PlatformReq, year: YearReq) -> ActorOut:
        """The cast member appearing in most titles of that platform and release year; ties are
        broken alphabetically and all named in `tied`."""
        res = c.actor(_platform_req(platform), year)
        return ActorOut.model_validate(res, from_attributes=True)

    # ------------------------------------------------------------ titles

    @app.get(
        "/search",
        response_model=SearchOut,
        responses=r(422),
        tags=["titles"],
        summary="Find titles by name",
    )
    def search(
        c: Cat,
        q: Annotated[
            str,
            Query(
                pattern=TEXT_PATTERN,
                max_length=TEXT_MAX,
                description=ACCEPTED["q"],
                examples=["stranger things"],
            ),
        ],
        limit: Annotated[
            int, Query(ge=1, le=v.LIMIT_MAX, description=f"At most: {ACCEPTED['limit']}")
        ] = 10,
    ) -> SearchOut:
        """Titles whose name matches `q`, best first; typos and accents are forgiven. No match
        is an empty list, not an error."""
        hits = _arg("q", lambda x: c.search(x, limit), q)
        return SearchOut(query=q, hits=[SearchHit.model_validate(h) for h in hits])

    @app.get(
        "/where_to_watch",
        response_model=WhereToWatchOut,
        responses=r(404, 422),
        tags=["titles"],
        summary="Which platforms carry a title",
    )
    def where_to_watch(c: Cat, title: TitleArg) -> WhereToWatchOut:
        """Every platform carrying the film or show the text names, one entry per name and
        release year (remakes are separate entries). No match answers 404."""
        found = _arg("title", c.where_to_watch, title)
        if not found:
            raise errors.from_query_error(v.TitleNotFound(title), "title")
        items = [
            WhereToWatchItem.model_validate({**w.__dict__, "platforms": w.platforms}) for w in found
        ]
        return WhereToWatchOut(query=title, results=items)

    @app.get(
        "/title/{title_id}",
        response_model=TitleInfo,
        responses=r(404, 422),
        tags=["titles"],
        summary="One title by id",
    )
    def title_info(
        c: Cat,
        title_id: Annotated[
            str, Path(max_length=TEXT_MAX, description=ACCEPTED["title_id"], examples=["ns1"])
        ],
    ) -> TitleInfo:
        """Everything the catalogue knows of one title id (case-insensitive); 404 if unknown."""
        info = c.title(title_id)
        if info is None:
            raise ApiError(
                404, "not_found", f"no title has id {title_id!r}", "title_id",
                "a title id such as 'ns123'; find ids with /search",
            )  # fmt: skip
        return TitleInfo.model_validate(info)

    # ------------------------------------------------------------ recommendations

    @app.get(
        "/recommend",
        response_model=RecommendationOut,
        responses=r(404, 409, 422, 503),
        tags=["recommendations"],
        summary="Would this user like this title?",
    )
    def recommend(c: Cat, user_id: UserId, title: TitleArg) -> RecommendationOut:
        """The user's predicted rating for the title and the decision: recommended when the
        prediction is at least RECOMMEND_THRESHOLD (3.5 by default), with the reason. A user or
        title the model has not seen gets Surprise's fallback estimate, named in reason_code."""
        res = _arg("title", lambda t: c.recommend(user_id, t), title)
        return RecommendationOut.model_validate(res)

    @app.get(
        "/top",
        response_model=TopOut,
        responses=r(404, 422, 503),
        tags=["recommendations"],
        summary="A user's best unseen titles",
    )
    def top(
        c: Cat,
        user_id: UserId,
        n: N = 10,
        platform: PlatformOpt = None,
        kind: Annotated[
            KindArg | None, Query(description=f"{ACCEPTED['kind']}; omit for both")
        ] = None,
    ) -> TopOut:
        """The `n` titles with the highest predicted rating that the user has not rated,
        optionally of one platform or kind. For a user the model does not know the list is
        the popularity ranking every new user gets, and `known_user` is false."""
        p = _platform(platform)
        k = _arg("kind", v.parse_kind, kind)
        items = c.top(user_id, n, p, k)
        return TopOut(
            user_id=user_id,
            known_user=bool(c.recommender.knows_user(user_id)),
            platform=p,  # type: ignore[arg-type]
            kind=k,  # type: ignore[arg-type]
            items=[
                ScoredTitle(
                    title=_ref(x.title),
                    estimate=x.estimate,  # type: ignore[arg-type]
                    predicted=x.predicted,
                    top_percent=x.top_percent,
                )
                for x in items
            ],
        )

    @app.get(
        "/similar",
        response_model=SimilarOut,
        responses=r(404, 409, 422, 503),
        tags=["recommendations"],
        summary="Titles like this one",
    )
    def similar(c: Cat, title: TitleArg, n: N = 10) -> SimilarOut:
        """Titles closest to the given one in the model's factor space (cosine similarity),
        most similar first. A title nobody rated has no factors: `items` is empty."""
        _need_model(c)
        info = _resolve(c, title)
        items = c.similar(info.id, n)
        return SimilarOut(
            title=_ref(info),
            items=[SimilarTitle(title=_ref(x.title), similarity=x.similarity) for x in items],  # type: ignore[arg-type]
        )

    # ------------------------------------------------------------ operations

    @app.get("/health", response_model=HealthOut, tags=["operations"], summary="What is served")
    def health(request: Request, c: Cat) -> HealthOut:
        """Data and model versions, sizes and load time of the catalogue being served.
        Always 200 while the app is up; `status` is 'degraded' when no model is loaded."""
        i = c.info
        return HealthOut(
            status="ok" if c.recommender is not None else "degraded",
            data_version=i.version,
            model_version=i.model_version,
            model_error=i.model_error,
            model=dict(i.model),
            titles=i.titles,
            scored_titles=i.scored_titles,
            per_platform=dict(i.per_platform),
            files=[f.__dict__ for f in i.files],  # type: ignore[misc]
            threshold=c.threshold,
            loaded_at=i.loaded_at,
            load_seconds=i.load_seconds,
            reloads=request.app.state.reloads,
        )

    @app.head("/health", include_in_schema=False)
    def health_head(c: Cat) -> Response:
        """Monitors and load balancers often probe with HEAD: 200, no body."""
        return Response(status_code=200)

    @app.post(
        "/admin/reload",
        response_model=ReloadOut,
        responses=r(401, 403, 422, 503),
        tags=["operations"],
        summary="Reload data and model",
    )
    def reload(
        request: Request,
        x_admin_token: Annotated[
            str | None, Header(description="Must equal API_ADMIN_TOKEN")
        ] = None,
    ) -> ReloadOut:
        """Build a new catalogue from DATA_DIR and swap it in by one reference assignment;
        requests already running finish on the old one. CatalogHolder.reload's policy, the same
        as the bot's /reload: when the new data breaks the contract of docs/data.md, or its
        model fails to load while a model is being served, the old catalogue and model keep
        serving and 503 `reload_failed` says why. With no model before either, the new data
        goes in and `status` is 'degraded'. Disabled (403) unless API_ADMIN_TOKEN is set."""
        expected = settings.admin_token
        if expected is None:
            raise ApiError(
                403, "forbidden", "reload is disabled: API_ADMIN_TOKEN is not set",
                accepted="set API_ADMIN_TOKEN on the server and send it as X-Admin-Token",
            )  # fmt: skip
        if x_admin_token is None or not hmac.compare_digest(
            x_admin_token.encode(), expected.encode()
        ):
            raise ApiError(
                401, "unauthorized", "missing or wrong X-Admin-Token header",
                accepted="the value of API_ADMIN_TOKEN in the X-Admin-Token header",
            )  # fmt: skip
        holder: CatalogHolder = request.app.state.holder
        before = holder.current.info.version
        try:
            fresh = holder.reload()
        except CatalogLoadError as e:  # -> 503 reload_failed; the old catalogue serves on
            log.warning("reload refused: %s", e)
            raise
        request.app.state.reloads += 1
        log.info("reloaded: data %s -> %s", before, fresh.info.version)
        return ReloadOut(
            status="ok" if fresh.recommender is not None else "degraded",
            previous_version=before,
            data_version=fresh.info.version,
            model_version=fresh.info.model_version,
            model_error=fresh.info.model_error,
            load_seconds=fresh.info.load_seconds,
        )

    return app
