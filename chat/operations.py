"""Admin commands: /status and /reload (a new catalogue built off the loop, swapped at once)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from locales import number
from people import StoreStatus

from .i18n import counted, platform_name, t
from .model_choice import chosen_reason
from .replies import Html, bold, esc
from .stats import Stats

if TYPE_CHECKING:
    from catalog.core import Catalog
    from catalog.holder import CatalogHolder, ReleaseInfo
    from people.announce import ReplicaState

log = logging.getLogger(__name__)


class ReplicaSync(Protocol):
    """What /status and /reload use of the replicas' sync (bot/replication.py's ReplicaSync,
    given at wiring): a Protocol, so the conversation does not import the replication."""

    name: str

    def version(self) -> str: ...

    @property
    def states(self) -> list[ReplicaState]: ...

    async def announce_and_wait(self) -> list[ReplicaState]: ...


def _uptime(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    return (f"{days}d " if days else "") + f"{hours:02d}:{minutes:02d}:{secs:02d}"


@dataclass
class ReplicaStats(Stats):
    """The counters of one replica among several (PostgreSQL store): /status also lists the
    version every replica serves (bot/replication.py). It rides on Stats because /status
    (chat/features/admin.py) hands status_text the counters, not the reloader."""

    sync: ReplicaSync | None = None


# The replica lines are not in locales/ yet (another change owned those files when they were
# written); both languages are here until they move there.
_REPLICA_TEXT = {
    "es": {
        "this": "Réplica {name} (esta): {version}",
        "other": "Réplica {name}: {version}, cargada {at}",
        "gone": " (sin conexión)",
        "error": " (no la cargó: {error})",
        "announced": "Anunciada a las otras réplicas:",
        "not_announced": "No se pudo anunciar a las otras réplicas: {error}",
    },
    "en": {
        "this": "Replica {name} (this one): {version}",
        "other": "Replica {name}: {version}, loaded {at}",
        "gone": " (not connected)",
        "error": " (did not load it: {error})",
        "announced": "Announced to the other replicas:",
        "not_announced": "Could not announce it to the other replicas: {error}",
    },
}


def _rt(lang: str, key: str, **values: object) -> Html:
    text = _REPLICA_TEXT.get(lang, _REPLICA_TEXT["en"])[key]
    return Html(text.format(**{k: esc(v) for k, v in values.items()}))


def replica_lines(lang: str, name: str, version: str, states: Sequence[ReplicaState]) -> list[Html]:
    """This replica's version, then every other replica's row (version, when, live, error)."""
    lines = [_rt(lang, "this", name=name, version=version)]
    for s in states:
        if s.replica == name:
            continue
        at = dt.datetime.fromtimestamp(s.loaded_at, dt.UTC).strftime("%H:%M:%S UTC")
        line = _rt(lang, "other", name=s.replica, version=s.version, at=at)
        if not s.live:
            line = Html(line + _rt(lang, "gone"))
        if s.error:
            line = Html(line + _rt(lang, "error", error=_short(s.error, 200)))
        lines.append(line)
    return lines


def status_text(
    lang: str,
    catalog: Catalog,
    stats: Stats,
    store: StoreStatus,
    release: ReleaseInfo | None = None,
    named: Callable[[str], str] = str,
) -> Html:
    """Versions, sizes, uptime and counters, the release served (refresh/; None in the plain
    data_dir layout) and the ratings store's health (Store.status), one labelled line
    each. `named` writes a counted command as the person types it (the registry's name in
    their language: /status gives it, the registry being above this module)."""
    info = catalog.info
    per_platform = ", ".join(
        f"{platform_name(p, lang)} {number(lang, n)}" for p, n in sorted(info.per_platform.items())
    )
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
    # what training chose and why (svd.json, written by `model train`'s search; the trainer's
    # English sentence said again in the person's language, chat/model_choice.py)
    if isinstance(meta.get("algorithm"), str):
        lines.append(t(lang, "status_algorithm", algorithm=meta["algorithm"]))
    if isinstance(meta.get("why"), str):
        why = chosen_reason(lang, _short(meta["why"]))
        lines.append(t(lang, "status_chosen", why=why))
    if release is not None:
        files = ", ".join(str(f.get("path", "?")) for f in release.inputs) or "-"
        lines.append(
            t(lang, "status_release", version=release.version, built=release.built_at or "?")
        )
        lines.append(t(lang, "status_release_inputs", files=_short(files, 200)))
        if release.degraded:
            lines.append(t(lang, "status_release_degraded", why=_short(release.degraded, 300)))
    sync = getattr(stats, "sync", None)
    if sync is not None:  # several replicas share a PostgreSQL store
        lines += replica_lines(lang, sync.name, sync.version(), sync.states)
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
    top = ", ".join(f"/{named(c)} {n}" for c, n in stats.commands.most_common(8))
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
        self.build = build  # None: the holder's own load (releases/current, else data_dir)
        self._lock = asyncio.Lock()
        # With a PostgreSQL store (bot/replication.py): a reload that went in is announced to
        # the other replicas, and the answer lists what each of them serves then.
        self.sync: ReplicaSync | None = None

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
                done = Html(f"{done}\n{note}")
            if self.sync is not None:
                done = Html(f"{done}\n" + "\n".join(await self._announce(lang)))
            return done

    async def _announce(self, lang: str) -> list[Html]:
        assert self.sync is not None
        try:
            states = await self.sync.announce_and_wait()
        except Exception as e:  # served here; the others keep theirs until the next one
            log.warning("reload not announced: %s", e)
            return [_rt(lang, "not_announced", error=_short(e, 200))]
        lines = replica_lines(lang, self.sync.name, self.sync.version(), states)
        return [_rt(lang, "announced"), *lines]


def _short(e: object, limit: int = 300) -> str:
    text = str(e) or type(e).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"
