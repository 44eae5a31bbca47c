"""The four questions of the original brief: longest title, scored count, per platform, actor.

Arguments go to the catalogue as received: it parses them and raises the QueryError that
api/errors.py turns into the answer (an unknown platform: 404).
"""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import Cat
from api.errors import responses as r
from api.language import Lang
from api.params import DurationTypeOpt, PlatformOpt, PlatformReq, Scored, YearOpt, YearReq
from api.schemas import ActorOut, CountPlatformOut, MaxDurationOut, PlatformCountOut, ScoreCountOut
from catalog import validate as v

router = APIRouter(tags=["questions"])


@router.get(
    "/max_duration",
    response_model=MaxDurationOut,
    responses=r(404, 422),
    summary="Longest movie (minutes) or show (seasons)",
)
def max_duration(
    c: Cat,
    lang: Lang,
    year: YearOpt = None,
    platform: PlatformOpt = None,
    duration_type: DurationTypeOpt = None,
) -> MaxDurationOut:
    """The movie with the most minutes (default) or the show with the most seasons, under
    optional release-year and platform filters. Ties are all listed, sorted by name; with
    no title matching the filters, `duration` and `title` are null."""
    answer = c.max_duration(year, platform, duration_type)
    return MaxDurationOut.model_validate(answer, context={"lang": lang})


@router.get(
    "/score_count",
    response_model=ScoreCountOut,
    responses=r(404, 422),
    summary="Movies scored above a threshold",
)
def score_count(c: Cat, platform: PlatformReq, scored: Scored, year: YearReq) -> ScoreCountOut:
    """How many movies of a platform and release year have a mean user score strictly
    greater than `scored`."""
    return ScoreCountOut.model_validate(c.score_count(platform, scored, year))


@router.get(
    "/count_platform",
    response_model=CountPlatformOut,
    responses=r(404, 422),
    summary="Titles per platform",
)
def count_platform(c: Cat, platform: PlatformOpt = None) -> CountPlatformOut:
    """Movies (the original question), shows and total of one platform, or summed over all
    platforms with the per-platform counts when `platform` is omitted."""
    p = v.parse_optional_platform(platform)  # the answer names the canonical platform
    counts = c.count_platform(p)
    return CountPlatformOut.model_validate(
        {
            "platform": p,
            "movies": sum(x.movies for x in counts),
            "shows": sum(x.shows for x in counts),
            "total": sum(x.total for x in counts),
            "per_platform": [PlatformCountOut.model_validate(x) for x in counts],
        }
    )


@router.get(
    "/actor",
    response_model=ActorOut,
    responses=r(404, 422),
    summary="Most frequent actor",
)
def actor(c: Cat, platform: PlatformReq, year: YearReq) -> ActorOut:
    """The cast member appearing in most titles of that platform and release year; ties are
    broken alphabetically and all named in `tied`."""
    return ActorOut.model_validate(c.actor(platform, year))
