"""/chart: the EDA charts (charts, docs/eda.md) rendered from the loaded catalogue.

Rendering takes 0.1-1 s of CPU, so it runs in a worker thread, one chart at a time (an
asyncio.Lock: two people asking at once wait for each other instead of halving each other's
core), and each PNG is cached per (catalogue version, chart name): the data only changes on
/reload. The image is the same in every language; the cached entry keeps the finding in each
language (`findings`, "es" and "en") and the caption picks one by the person's language.
Telegram-free: the command logic turns a `RenderedChart` into a `Reply` with `photo`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from domain.text import fold

from .limits import CAPTION_MAX

if TYPE_CHECKING:
    from catalog.core import Catalog
    from catalog.reports import ChartFrame

log = logging.getLogger(__name__)

MAX_CAPTION = CAPTION_MAX  # Telegram's caption limit (chat/limits.py)


@dataclass(frozen=True)
class RenderedChart:
    name: str
    title: str
    png: bytes
    finding: str  # English
    findings: Mapping[str, str] = field(default_factory=dict)  # "en" and "es"

    def finding_in(self, lang: str) -> str:
        """The finding in the person's language; English if that one is missing."""
        return self.findings.get(lang) or self.finding


def _charts() -> Any:
    # matplotlib loads on the first /chart, not at bot start-up.
    import charts

    return charts


# Charts about the data's quality, not the catalogue: for admins only.
INTERNAL_CHARTS = frozenset({"missing", "anomalies"})
# Each chart's name in Spanish (/grafico plataformas); typed with or without accents.
NAME_IN_SPANISH = {
    "platforms": "plataformas",
    "release_years": "estrenos",
    "durations": "duraciones",
    "maturity": "edades",
    "countries": "países",
    "genres": "géneros",
    "date_added": "añadidos",
    "missing": "faltan",
    "votes_per_title": "votos_por_título",
    "score_vs_votes": "nota_y_votos",
    "anomalies": "anomalías",
    "ratings": "puntuaciones",
    "votes_per_user": "votos_por_usuario",
}


# Keyed by the folded name: "votos_por_título" as "votos por titulo", typed any way.
SPANISH_NAMES = {fold(spanish): chart for chart, spanish in NAME_IN_SPANISH.items()}


def chart_name(name: str, lang: str) -> str:
    """What a person types for a chart: the Spanish name in Spanish."""
    return NAME_IN_SPANISH.get(name, name) if lang == "es" else name


class ChartService:
    """Chart names, labels and PNGs for one bot; cached per catalogue version."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._frames: tuple[str, dict[str, ChartFrame]] | None = None  # (version, frames)
        self._pngs: dict[tuple[str, str], RenderedChart] = {}
        self.renders = 0  # charts actually drawn (the rest came from the cache)

    def frames(self, catalog: Catalog) -> dict[str, ChartFrame]:
        version = catalog.info.version
        if self._frames is None or self._frames[0] != version:
            self._frames = (version, catalog.chart_frames())
        return self._frames[1]

    async def prepare(self, catalog: Catalog) -> None:
        """Build the frames off the loop (about 90 ms for 23,000 titles) before they are needed."""
        if self._frames is None or self._frames[0] != catalog.info.version:
            await asyncio.to_thread(self.frames, catalog)

    def available(self, catalog: Catalog) -> list[str]:
        """The charts this catalogue can draw, in report order."""
        return list(_charts().available_charts(self.frames(catalog)))

    @staticmethod
    def titles() -> dict[str, str]:
        return dict(_charts().chart_titles())

    @staticmethod
    def canonical(name: str) -> str:
        """The chart a typed name means: its English name or its Spanish one, any case or
        accents ("Países" -> countries)."""
        key = name.strip().lower().replace("-", "_").replace(" ", "_")
        return SPANISH_NAMES.get(fold(key), key)

    def _draw(self, catalog: Catalog, name: str) -> Any:
        return _charts().render_chart(name, self.frames(catalog))

    async def render(self, catalog: Catalog, name: str) -> RenderedChart:
        """The chart `name` (canonical, one of `available`); KeyError/ValueError as render_chart."""
        version = catalog.info.version
        key = (version, name)
        cached = self._pngs.get(key)
        if cached is not None:
            return cached
        async with self._lock:
            cached = self._pngs.get(key)  # drawn while we waited for the lock
            if cached is not None:
                return cached
            chart = await asyncio.to_thread(self._draw, catalog, name)
            self.renders += 1
            rendered = RenderedChart(
                chart.name, chart.title, chart.png, chart.finding, dict(chart.findings)
            )
            # Keep only the current catalogue's charts.
            self._pngs = {k: v for k, v in self._pngs.items() if k[0] == version}
            self._pngs[key] = rendered
            log.info("chart %s rendered: %d bytes", name, len(chart.png))
            return rendered
