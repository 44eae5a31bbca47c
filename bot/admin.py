"""Admin commands: /status and /reload (a new catalogue built off the loop, swapped at once)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from .i18n import number, t
from .ratings_store import StoreStatus
from .replies import Html, bold, esc
from .stats import Stats

log = logging.getLogger(__name__)


def _uptime(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    return (f"{days}d " if days else "") + f"{hours:02d}:{minutes:02d}:{secs:02d}"


def status_text(lang: str, catalog: Any, stats: Stats, store: StoreStatus) -> Html:
    """Versions, sizes, uptime and counters (labels are short and the same in both languages
    except where a word matters), and the ratings store's health (RatingsStore.status)."""
    info = catalog.info
    es = lang == "es"
    model = info.model_version or ("sin modelo" if es else "no model")
    lines = [
        bold("Estado" if es else "Status"),
        f"{'Datos' if es else 'Data'}: {esc(info.version)} · {number(lang, info.titles)} "
        f"{'títulos' if es else 'titles'} ({number(lang, info.scored_titles)} "
        f"{'con nota' if es else 'scored'})",
        f"{'Por plataforma' if es else 'Per platform'}: "
        + esc(", ".join(f"{p} {number(lang, n)}" for p, n in sorted(info.per_platform.items()))),
        f"{'Modelo' if es else 'Model'}: {esc(model)}",
    ]
    if info.model_error:
        lines.append(f"{'Error del modelo' if es else 'Model error'}: {esc(info.model_error)}")
    meta = info.model or {}
    rmse = meta.get("rmse")
    if isinstance(rmse, int | float):
        lines.append(f"RMSE: {number(lang, rmse, 3)}")
    # what training chose and why (svd.json, written by `model train`'s search; the sentence
    # is the trainer's, in English)
    if isinstance(meta.get("algorithm"), str):
        lines.append(f"{'Algoritmo' if es else 'Algorithm'}: {esc(meta['algorithm'])}")
    if isinstance(meta.get("why"), str):
        lines.append(f"{'Elegido' if es else 'Chosen'}: {esc(_short(meta['why']))}")
    loaded = info.loaded_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    lines += [
        f"{'Cargado' if es else 'Loaded'}: {esc(loaded)} ({number(lang, info.load_seconds, 1)} s)",
        f"{'En marcha' if es else 'Uptime'}: {_uptime(stats.uptime())}",
        f"{'Actualizaciones' if es else 'Updates'}: {number(lang, stats.updates)} · "
        f"{'errores' if es else 'errors'}: {number(lang, stats.errors)} · "
        f"{'denegadas' if es else 'denied'}: {number(lang, stats.denied)}",
    ]
    if store.ratings is not None and store.people is not None:
        lines.append(
            f"{'Puntuaciones en el chat' if es else 'Chat ratings'}: "
            f"{number(lang, store.ratings)} ({'de' if es else 'from'} "
            f"{number(lang, store.people)} {'personas' if es else 'people'})"
        )
    if store.ok:
        lines.append(f"{'Base de puntuaciones' if es else 'Ratings store'}: ok")
    else:
        lines.append(
            f"{'Base de puntuaciones' if es else 'Ratings store'}: "
            f"{bold('NO DISPONIBLE' if es else 'UNAVAILABLE')} — quick_check: "
            f"{esc(_short(store.check, 200))}"
        )
    top = ", ".join(f"/{c} {n}" for c, n in stats.commands.most_common(8))
    if top:
        lines.append(f"{'Comandos' if es else 'Commands'}: {esc(top)}")
    return Html("\n".join(lines))


class Reloader:
    """/reload: CatalogHolder.reload (the one reload policy, shared with the API's
    POST /admin/reload; catalog/holder.py) in a worker thread.

    Questions keep being answered from the old catalogue while the new one loads. The new one is
    refused — and the old catalogue and model kept — when loading raises or breaks the data
    contract, or when it came up without a model while the old one had one. With no model
    before either, the new catalogue goes in and the reply says it has no model and why.
    """

    def __init__(self, holder: Any, build: Callable[[], Any] | None = None) -> None:
        self.holder = holder
        self.build = build  # None: the holder's own Catalog.load of its data_dir
        self._lock = asyncio.Lock()

    @property
    def busy(self) -> bool:
        return self._lock.locked()

    async def reload(self, lang: str) -> Html:
        async with self._lock:
            old = self.holder.current
            started = time.monotonic()
            try:
                new = await asyncio.to_thread(self.holder.reload, self.build)
            except Exception as e:  # any failure or refusal keeps the old catalogue
                why = getattr(e, "reason", None) or e
                log.warning("reload refused, keeping %s: %s", old.info.version, e)
                return t(lang, "reload_failed", version=old.info.version, why=_short(why))
            seconds = time.monotonic() - started
            log.info("reloaded: data %s model %s", new.info.version, new.info.model_version)
            done = t(
                lang,
                "reload_ok",
                seconds=number(lang, seconds, 1),
                version=new.info.version,
                model=new.info.model_version or "—",
            )
            if new.recommender is None:  # allowed only when there was no model before either
                why = esc(_short(new.info.model_error or "no model"))
                note = (
                    "Sin modelo de recomendaciones (tampoco había uno antes)"
                    if lang == "es"
                    else "No recommendation model (there was none before either)"
                )
                return Html(f"{done}\n{note}: {why}")
            return done


def _short(e: object, limit: int = 300) -> str:
    text = str(e) or type(e).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"
