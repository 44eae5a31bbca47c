"""The query layer: loads what etl and model produced and answers every question.

Front ends (bot, console chat, API) only translate; see docs/architecture.md.
"""

from catalog.core import Catalog
from catalog.errors import (
    QUERY_ERROR_CODES,
    AmbiguousTitle,
    CatalogError,
    ModelUnavailable,
    QueryError,
    QueryErrorCode,
    TitleNotFound,
)
from catalog.functions import get_actor, get_count_platform, get_max_duration, get_score_count
from catalog.holder import CatalogHolder, ReloadError
from catalog.index import CatalogIndex
from catalog.loading import CatalogLoadError
from catalog.recommend import RecommenderModel
from catalog.reports import ChartFrame
from catalog.results import (
    ActorResult,
    CatalogInfo,
    FileInfo,
    MaxDuration,
    Offer,
    PlatformCount,
    Recommendation,
    RecommendedTitle,
    ScoreCount,
    SearchHit,
    SearchPage,
    TitleInfo,
    TitleMatch,
    TitleRef,
    WatchPage,
    WhereToWatch,
)
from catalog.validate import (
    parse_duration_type,
    parse_kind,
    parse_platform,
    parse_score,
    parse_year,
)
from domain.vocabulary import KINDS, PLATFORMS

__all__ = [
    "KINDS",
    "PLATFORMS",
    "QUERY_ERROR_CODES",
    "ActorResult",
    "AmbiguousTitle",
    "Catalog",
    "CatalogError",
    "CatalogHolder",
    "CatalogIndex",
    "CatalogInfo",
    "CatalogLoadError",
    "ChartFrame",
    "FileInfo",
    "MaxDuration",
    "ModelUnavailable",
    "Offer",
    "PlatformCount",
    "QueryError",
    "QueryErrorCode",
    "Recommendation",
    "RecommendedTitle",
    "RecommenderModel",
    "ReloadError",
    "ScoreCount",
    "SearchHit",
    "SearchPage",
    "TitleInfo",
    "TitleMatch",
    "TitleNotFound",
    "TitleRef",
    "WatchPage",
    "WhereToWatch",
    "get_actor",
    "get_count_platform",
    "get_max_duration",
    "get_score_count",
    "parse_duration_type",
    "parse_kind",
    "parse_platform",
    "parse_score",
    "parse_year",
]
