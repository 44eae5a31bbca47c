"""Admin commands: /status and /reload. To anyone else they do not exist (bot/router.py)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from ..context import Context
from ..i18n import t
from ..operations import status_text
from ..registry import REGISTRY
from ..replies import Person, Reply

log = logging.getLogger(__name__)


@REGISTRY.command("status", "estado", admin=True)
async def status(ctx: Context, person: Person, rest: str) -> Reply:
    # The store's own health is part of the answer, so /status works on a broken store.
    store = await ctx.store.status_async()
    release = getattr(ctx.holder, "release", None)  # a CatalogHolder; tests may pass a plain one
    lang = person.lang

    def named(name: str) -> str:  # "/recomendar" in Spanish; "?" counts unknown commands
        command = REGISTRY.commands.get(name)
        return command.name_in(lang) if command is not None else name

    return Reply(status_text(lang, ctx.catalog, ctx.stats, store, release, named))


@REGISTRY.streaming_command("reload", "recargar", admin=True)
async def reload(ctx: Context, person: Person, rest: str) -> AsyncIterator[Reply]:
    lang = person.lang
    if ctx.reloader is None or ctx.reloader.busy:
        yield Reply(t(lang, "reload_busy"))
        return
    log.info("admin %s asked for /reload", person.user_id)
    yield Reply(t(lang, "reload_start"))
    yield Reply(await ctx.reloader.reload(lang))
