"""`python -m bot`: the Telegram bot with TELEGRAM_BOT_TOKEN set, else a console chat."""

from __future__ import annotations

import os

# One BLAS thread: the model's 23,000 x 50 products take ~0.2 ms on one thread and up to ~8 ms
# at p99 with OpenBLAS's default threads on a busy 2-core machine (docs/bot.md). Set before
# anything imports numpy; an explicit setting in the environment wins. CatalogHolder(...,
# blas_threads=1) below does the same with threadpoolctl in case numpy was loaded first.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import asyncio  # noqa: E402
import gc  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable, Coroutine  # noqa: E402
from typing import Any  # noqa: E402

from chat.i18n import lang_of  # noqa: E402
from chat.replies import Person  # noqa: E402
from domain.vocabulary import LANGUAGES  # noqa: E402

from .logging_setup import redact, setup_logging  # noqa: E402
from .settings import Settings  # noqa: E402

log = logging.getLogger("bot")


def main(argv: list[str] | None = None) -> int:
    """Exit codes: 0 stopped by a signal (or console quit), 1 unexpected failure, 2 bad settings
    (or no token with --telegram) or no catalogue, 3 Telegram rejected the token / the polling
    loop ended by itself, 69 the Bot API could not be reached at start for
    BOT_START_RETRY_SECONDS (docs/deploy.md)."""
    # Secrets straight from the environment are redacted even if the settings fail to parse.
    setup_logging("WARNING", [os.environ.get("TELEGRAM_BOT_TOKEN", ""),
                              os.environ.get("WEBHOOK_SECRET", "")])  # fmt: skip
    try:
        return _main(argv)
    except (SystemExit, KeyboardInterrupt):
        raise
    except BaseException as e:  # last resort: one redacted line (and a redacted traceback)
        log.critical("bot failed", exc_info=True)
        print(
            redact(f"bot failed: {type(e).__name__}: {' '.join(str(e).split())}"), file=sys.stderr
        )
        return 1


def _main(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="StreamRec Telegram bot; without TELEGRAM_BOT_TOKEN a console chat.",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--console", action="store_true", help="console chat even with a token")
    # A container has no terminal: there a missing token is a mistake, not a wish for the
    # console chat, which would read an empty stdin and exit 0 (and `restart:` would start it
    # again forever). The image's `bot` command passes this flag (docker/entrypoint.sh).
    mode.add_argument(
        "--telegram",
        action="store_true",
        help="the Telegram bot only: without TELEGRAM_BOT_TOKEN stop with exit code 2 "
        "instead of starting the console chat (the container's `bot` command)",
    )
    # The container checks this before it builds data on an empty volume (docker/entrypoint.sh):
    # a missing token is said at once, not after minutes of ETL and training.
    parser.add_argument(
        "--check-settings",
        action="store_true",
        help="check the settings (with --telegram: that TELEGRAM_BOT_TOKEN is set; with "
        "WEBHOOK_URL: its secret) and exit: 0 good, 2 not; loads no data",
    )
    parser.add_argument("--lang", choices=LANGUAGES, help="console language: es (default) or en")
    parser.add_argument(
        "--check",
        action="store_true",
        help="health check (Docker HEALTHCHECK): exit 0 if the running bot's heartbeat "
        "(DATA_DIR/state/heartbeat) is fresh, else 1",
    )
    args = parser.parse_args(argv)

    if args.check:
        from .health import check, heartbeat_path

        try:
            state_dir = Settings().state_dir
        except Exception as e:  # one line for `docker inspect`, not a traceback
            print(f"unhealthy: bad settings: {' '.join(str(e).split())}", file=sys.stderr)
            return 1
        healthy, reason = check(heartbeat_path(state_dir))
        print(reason, file=sys.stdout if healthy else sys.stderr)
        return 0 if healthy else 1

    try:
        settings = Settings()
    except Exception as e:  # pydantic shows secrets masked; one line, not a traceback
        print(redact(f"bad settings: {' '.join(str(e).split())}"), file=sys.stderr)
        return 2
    if args.telegram and not settings.token:
        print(
            "cannot start: TELEGRAM_BOT_TOKEN is not set (the bot's token from @BotFather; "
            "in Docker: .env or -e TELEGRAM_BOT_TOKEN=...)",
            file=sys.stderr,
        )
        return 2
    console = args.console or not settings.token
    level = settings.log_level
    if console and level.upper() in ("INFO", "DEBUG"):
        level = "WARNING"  # keep the chat readable; warnings and errors still show
    setup_logging(level, settings.secrets())
    # Imported after logging is set up: loading pandas/surprise can log.
    from catalog.errors import CatalogError
    from catalog.holder import CatalogHolder
    from chat.console import run_console

    from .app import build_application, build_commands
    from .runner import EXIT_UNREACHABLE, ConfigError, run, wait_for_bot_api, webhook_options

    if settings.webhook_url and not console:
        try:
            webhook_options(settings)  # refuses without WEBHOOK_SECRET, before anything loads
        except ConfigError as e:
            log.critical("%s", e)
            print(f"cannot start: {e}", file=sys.stderr)
            return 2
    if args.check_settings:
        return 0

    try:
        holder = CatalogHolder(settings.data_dir, settings.recommend_threshold, blas_threads=1)
    except (CatalogError, OSError) as e:
        print(
            f"cannot load the catalogue from {settings.data_dir}: {e}\n"
            "build it first: `make train` (demo data, ETL and model), "
            "or python -m etl.demo ... && python -m etl ...",
            file=sys.stderr,
        )
        return 2
    if holder.current.recommender is None:
        log.warning("no recommendation model: %s", holder.current.model_error)
    freeze_heap()
    holder.reload = refreezing(holder.reload)  # type: ignore[method-assign]
    from people import StoreError, store_from_settings

    try:
        store = store_from_settings(settings)  # DATABASE_URL: SQLite file or PostgreSQL
    except StoreError as e:  # a damaged file, a refused server: say which, no traceback
        print(f"cannot open the ratings store: {e}", file=sys.stderr)
        return 2

    if console:
        commands = build_commands(settings, holder, store)
        lang = args.lang or lang_of(os.environ.get("LANG", "es")[:2])
        # The person at the terminal runs the bot, so they are its admin.
        person = Person(user_id=0, chat_id=0, lang=lang, is_admin=True)
        if args.lang:  # said on the command line: it wins over a choice stored by /language
            commands.prefer_language(person.user_id, args.lang)
        return asyncio.run(_console_then_close(run_console(commands, person), store))

    from chat.operations import ReplicaStats
    from people.replication import wire

    application = build_application(settings, holder, store)
    commands = application.bot_data["commands"]
    # PostgreSQL: reloads shared by replicas; any store: closed at shutdown
    sync = wire(application, holder, store, commands.reloader)
    if sync is not None:  # /status lists every replica's version (before any update: none counted)
        commands.stats = ReplicaStats(sync=sync)
    from .alerting import wire_alerts

    wire_alerts(application, settings)  # watchlist alerts: queued per release, sent
    log.info(
        "starting bot: %s, concurrency %d, admins %d",
        "webhook" if settings.webhook_url else "polling",
        settings.bot_concurrency,
        len(settings.admin_ids),
    )
    unreachable = wait_for_bot_api(settings)
    if unreachable:
        log.critical("%s", unreachable)
        print(redact(unreachable), file=sys.stderr, flush=True)
        return EXIT_UNREACHABLE
    failure = run(application, settings)
    if failure:
        # the last line of the log, for `docker logs` and the supervisor; exit non-zero so
        # `restart: unless-stopped` (or systemd) notices
        print(redact(failure), file=sys.stderr, flush=True)
        return 3
    return 0


# Garbage collection (issue 13's bot benchmark). The catalogue and the model are ~140k objects
# that live as long as the process; every full collection walked them all (55-65 ms each, a pause
# for every chat). Frozen (gc.freeze), they are left out of every collection: over 5,000 updates
# the two full passes took 14 ms instead of 130 ms (~23 µs per update). Throughput over the
# benchmark's 500-update runs did not move (no full pass falls in one). Freezing never keeps an
# acyclic object alive: reference counting still frees it when its last reference goes. Only
# garbage *cycles* among frozen objects would stay, so a reload, which drops the old catalogue,
# unfreezes, collects (the old catalogue's cycles go; one ~60 ms pause in the reload's worker
# thread, which holds the GIL) and freezes the new one. The thresholds stay Python's: 20,000
# young allocations instead of 700 cut the collector's time by ~15 µs per update but not the
# process's CPU per update, measurably.


def freeze_heap() -> None:
    """Collect, then move every object alive now (modules, the catalogue, the model) out of
    the collector's sight; later collections walk only what is created afterwards."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def refreezing(reload: Callable[..., Any]) -> Callable[..., Any]:
    """CatalogHolder.reload, then freeze_heap (the old catalogue's cycles freed, the new one
    frozen). Refused reloads raise before it: nothing was swapped, the frozen heap stands."""

    def reload_and_freeze(*args: Any, **kwargs: Any) -> Any:
        fresh = reload(*args, **kwargs)
        freeze_heap()
        return fresh

    return reload_and_freeze


async def _console_then_close(chat: Coroutine[Any, Any, int], store: Any) -> int:
    from people.replication import close_store

    try:
        return await chat
    finally:
        await close_store(store)  # the PostgreSQL pool, inside the loop it runs in


if __name__ == "__main__":
    sys.exit(main())
