"""Admin commands: /status and /reload (a new catalogue built off the loop, swapped at once)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from .i18n import counted, number, t
from .ratings_store import StoreStatus
from .replies import Html, bold
from .stats import Stats

if TYPE_CHECKING:
    from catalog.core import Catalog
    from catalog.holder import CatalogHolder, ReleaseInfo

log = logging.getLogger(__name__)


def _uptime(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    return (f"{days}d " if days else "") + f"{hours:02d}:{minutes:02d}:{secs:02d}"


def status_text(
    lang: str,
    catalog: Catalog,
    stats: Stats,
    store: StoreStatus,
    release: ReleaseInfo | None = None,
) -> Html:
    """Versions, sizes, uptime and counters, the release served (refresh/; None in the plain
    data_dir layout) and the ratings store's health (RatingsStore.status), one labelled line
    each."""
    info = catalog.info
    per_platform = ", ".join(f"{p} {number(lang, n)}" for p, n in sorted(info.per_platform.items()))
    lines = [
        bold(t(lang, "status_title")),
        t(
            lang,
            "status_data",
            version=info.version,
            titles=counted(lang, "n_titles", info.titles),
            scored=number(lang, info.scored_titles),
        ),
        t(lang, "status_per_platform", counts=per_platform),
        t(lang, "status_model", model=info.model_version or t(lang, "status_no_model")),
    ]
    if info.model_error:
        lines.append(t(lang, "status_model_error", error=info.model_error))
    meta = info.model or {}
    rmse = meta.get("rmse")
    if isinstance(rmse, int | float):
        lines.append(t(lang, "status_rmse", rmse=number(lang, rmse, 3)))
    # what training chose and why (svd.json, written by `model train`'s search; the sentence
    # is the trainer's, in English)
    if isinstance(meta.get("algorithm"), str):
        lines.append(t(lang, "status_algorithm", algorithm=meta["algorithm"]))
    if isinstance(meta.get("why"), str):
        lines.append(t(lang, "status_chosen", why=_short(meta["why"])))
    if release is not None:
        files = ", ".join(str(f.get("path", "?")) for f in release.inputs) or "-"
        lines.append(
            t(lang, "status_release", version=release.version, built=release.built_at or "?")
        )
        lines.append(t(lang, "status_release_inputs", files=_short(files, 200)))
    loaded = info.loaded_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    lines += [
        t(lang, "status_loaded", at=loaded, seconds=number(lang, info.load_seconds, 1)),
        t(lang, "status_uptime", uptime=_uptime(stats.uptime())),
        t(
            lang,
            "status_updates",
            updates=number(lang, stats.updates),
            errors=number(lang, stats.errors),
            denied=number(lang, stats.denied),
        ),
    ]
    if store.ratings is not None and store.people is not None:
        people = counted(lang, "n_people", store.people)
        lines.append(
            t(lang, "status_chat_ratings", ratings=number(lang, store.ratings), people=people)
        )
    if store.ok:
        lines.append(t(lang, "status_store_ok"))
    else:
        lines.append(t(lang, "status_store_down", check=_short(store.check, 200)))
    top = ", ".join(f"/{c} {n}" for c, n in stats.commands.most_common(8))
    if top:
        lines.append(t(lang, "status_commands", top=top))
    return Html("\n".join(lines))


class Reloader:
    """/reload: CatalogHolder.reload (the one reload policy, shared with the API's
    POST /admin/reload; catalog/holder.py) in a worker thread.

    Questions keep being answered from the old catalogue while the new one loads. The new one is
    refused — and the old catalogue and model kept — when loading raises or breaks the data
    contract, or when it came up without a model while the old one had one. With no model
    before either, the new catalogue goes in and the reply says it has no model and why.
    """

    def __init__(self, holder: CatalogHolder, build: Callable[[], Catalog] | None = None) -> None:
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
                note = t(lang, "reload_no_model", why=_short(new.info.model_error or "no model"))
                return Html(f"{done}\n{note}")
            return done


def _short(e: object, limit: int = 300) -> str:
    text = str(e) or type(e).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"
