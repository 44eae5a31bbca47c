"""The original brief's four functions, over a loaded catalogue (or its holder).

They return the same result objects as the Catalog methods: `.title` of get_max_duration,
`.count` of get_score_count, `.movies` of get_count_platform and `.actor` of get_actor are the
single answers the original brief asked for.
"""

from __future__ import annotations

from catalog.core import Catalog
from catalog.holder import CatalogHolder
from catalog.results import ActorResult, MaxDuration, PlatformCount, ScoreCount
from catalog.validate import parse_platform


def _catalog(catalog: Catalog | CatalogHolder) -> Catalog:
    return catalog.current if isinstance(catalog, CatalogHolder) else catalog


def get_max_duration(
    catalog: Catalog | CatalogHolder,
    year: object = None,
    platform: object = None,
    duration_type: object = None,
) -> MaxDuration:
    return _catalog(catalog).max_duration(year, platform, duration_type)


def get_score_count(
    catalog: Catalog | CatalogHolder, platform: object, scored: object, year: object
) -> ScoreCount:
    return _catalog(catalog).score_count(platform, scored, year)


def get_count_platform(catalog: Catalog | CatalogHolder, platform: object) -> PlatformCount:
    # The original takes one platform; None (all of them) is for the Catalog method only.
    return _catalog(catalog).count_platform(parse_platform(platform))[0]


def get_actor(catalog: Catalog | CatalogHolder, platform: object, year: object) -> ActorResult:
    return _catalog(catalog).actor(platform, year)
