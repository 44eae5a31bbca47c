"""Several replicas serving one version: the serving side of people/announce.py.

With a PostgreSQL store (DATABASE_URL=postgresql://...) every replica runs a `ReplicaSync`:
- it announces the version it just swapped in after an admin's /reload (the admin command's
  reloader, handed in as a `ReloadHook`)
  or after noticing a new release by itself (CatalogHolder following releases/current), and
  also at start-up when the shared row names another version (the files are the truth: a
  replica that starts on newer files brings the others to them);
- it listens, and on another replica's announcement reloads through its holder -- the current
  release, or DATA_DIR's processed/ and models/ -- off the event loop, unless it already serves
  that version;
- it keeps a view of every replica's version for /status and for the /reload answer.

A version names what is served: the release (`refresh`'s version) when releases/current exists,
else the data and model fingerprints. Replicas must see the same files (one shared volume) to
load the same version; one that loads another version says so in its row. With SQLite nothing
here runs: one process, nothing to tell.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import os
import socket
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from .announce import ReloadListener, ReplicaState, announce, forget, record, replicas

if TYPE_CHECKING:
    from catalog.holder import CatalogHolder

log = logging.getLogger(__name__)

WAIT_FOR_OTHERS = 10.0  # seconds the /reload answer waits for the other replicas to report
STOP_TIMEOUT = 5.0  # seconds stopping may spend on taking our row out


def serving_version(holder: Any) -> str:
    """The version a holder serves: its release, else `data <fingerprint> model <fingerprint>`."""
    release = getattr(holder, "release", None)
    if release is not None:
        return str(release.version)
    info = holder.current.info
    return f"data {info.version} model {info.model_version or '-'}"


def replica_name() -> str:
    """STREAMREC_REPLICA, else host:pid (unique among processes on one host or container)."""
    return os.environ.get("STREAMREC_REPLICA") or f"{socket.gethostname()}:{os.getpid()}"


class ReloadHook(Protocol):
    """What ReplicaSync needs of the admin's /reload (the conversation's Reloader): where to
    announce a reload that went in, and which catalogue builder it uses (None: the holder's
    own load, the one every replica uses on an announcement)."""

    sync: ReplicaSync | None
    build: Callable[[], Any] | None


class VersionMismatch(Exception):
    """Reloading gave another version than the one announced (files not shared, or moved)."""

    def __init__(self, message: str, served: str) -> None:
        super().__init__(message)
        self.served = served  # what the replica serves: its row names it


class ReplicaSync:
    """One replica's link to the others (see the module docstring)."""

    def __init__(
        self,
        url: str,
        holder: CatalogHolder,
        reloader: ReloadHook | None = None,
        name: str | None = None,
        reconnect_delay: float = 1.0,
        refresh_every: float = 30.0,
    ) -> None:
        self.url = url
        self.holder = holder
        self.name = name or replica_name()
        self.listener = ReloadListener(
            url, self.name, self._on_announced, reconnect_delay, refresh_every
        )
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: set[concurrent.futures.Future[None]] = set()
        if reloader is not None:
            reloader.sync = self
            # the holder's own load (the current release, else DATA_DIR), as every replica
            # loads on an announcement: the same source gives the same version
            reloader.build = None

    def version(self) -> str:
        return serving_version(self.holder)

    @property
    def states(self) -> list[ReplicaState]:
        """Every replica's row as last read (refreshed on each announcement or record)."""
        return self.listener.states

    # ----- lifecycle (in the bot's event loop) ----------------------------------------------
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        # the holder follows releases/current in a thread of its own: announce from the loop
        self.holder.on_followed = self._followed_in_thread
        # The row may name another version (older files, or a replica gone): ours wins, since
        # every replica loads from the same files. Announced before listening, so our own
        # listener finds the row already naming what we serve and loads nothing.
        try:
            await self.announce(self.version())
        except Exception as e:  # the server is away: the listener catches up when it is back
            log.warning("replica %s: could not announce its version at start: %s", self.name, e)
        self._task = asyncio.create_task(self.listener.listen(), name="replica-listener")
        try:
            await asyncio.wait_for(self.listener.listening.wait(), 30)
        except TimeoutError:  # serving goes on; the listener keeps trying
            log.warning("replica %s: not listening for reloads yet", self.name)

    async def stop(self) -> None:
        self.holder.on_followed = None
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for fut in list(self._pending):
            fut.cancel()
        try:  # clean stop: out of /status; bounded, a server that is away must not hold us
            await asyncio.wait_for(forget(self.url, self.name), STOP_TIMEOUT)
        except Exception as e:
            log.warning("replica %s: could not remove its row: %s", self.name, e)

    # ----- announcing ----------------------------------------------------------------------
    async def announce(self, version: str) -> None:
        """Tell every replica to serve `version` (the one this replica serves now)."""
        self.listener.current = version
        await record(self.url, self.name, version, None)
        await announce(self.url, version)

    async def announce_and_wait(self, timeout: float = WAIT_FOR_OTHERS) -> list[ReplicaState]:
        """After our /reload: announce, then wait until every other live replica reports the
        version (or an error), at most `timeout` s; the rows as they are then."""
        version = self.version()
        await self.announce(version)
        deadline = time.monotonic() + timeout
        while True:
            states = await replicas(self.url)
            waiting = [s for s in states if s.live and s.version != version and s.error is None]
            if not waiting or time.monotonic() >= deadline:
                self.listener.states = states
                return states
            await asyncio.sleep(0.1)

    def _followed_in_thread(self, catalog: object) -> None:
        version = self.version()  # the release the holder just swapped in
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            fut = asyncio.run_coroutine_threadsafe(self._announce_logged(version), loop)
        except RuntimeError:  # the loop is shutting down
            return
        self._pending.add(fut)
        fut.add_done_callback(self._pending.discard)

    async def _announce_logged(self, version: str) -> None:
        try:
            await self.announce(version)
            log.info("replica %s announced release %s", self.name, version)
        except Exception as e:  # the others still follow the pointer by themselves
            log.warning("replica %s could not announce %s: %s", self.name, version, e)

    # ----- listening -----------------------------------------------------------------------
    async def _on_announced(self, version: str) -> str:
        if self.version() == version:
            return version
        log.info("replica %s: %s announced, reloading", self.name, version)
        try:
            await asyncio.to_thread(self.holder.reload)  # refusals raise: recorded, old kept
        except Exception as e:
            e.served = self.version()  # type: ignore[attr-defined]  # the row names what serves
            raise
        served = self.version()
        if served != version:
            raise VersionMismatch(
                f"reloaded {served}, not the announced {version} (are the data files shared?)",
                served,
            )
        return served


CLOSE_TIMEOUT = 10.0  # seconds: closing the store at shutdown never hangs the exit


async def close_store(store: Any) -> None:
    """Close the people's store (the PostgreSQL pool; SQLite: its worker threads), bounded by
    CLOSE_TIMEOUT."""
    try:
        await asyncio.wait_for(store.aclose(), CLOSE_TIMEOUT)
    except Exception as e:  # TimeoutError included: exiting matters more than a clean close
        log.warning("closing the ratings store: %s", e)


def wire(
    application: Any, holder: CatalogHolder, store: Any, reloader: ReloadHook | None = None
) -> ReplicaSync | None:
    """`python -m bot`'s wiring: with a PostgreSQL store, a ReplicaSync (announcing the reloads
    of `reloader`) started after the Application's own post_init and stopped at shutdown; with
    any store, the store closed at shutdown. Returns the sync (None with SQLite): the caller
    hands it to /status before any update comes."""
    url = getattr(store, "url", None)
    sync = None
    if isinstance(url, str) and url.startswith(("postgresql://", "postgres://")):
        sync = ReplicaSync(url, holder, reloader)
    post_init, post_shutdown = application.post_init, application.post_shutdown

    async def init(app: Any) -> None:
        if post_init is not None:
            await post_init(app)
        if sync is not None:
            try:
                await sync.start()
                log.info("replica %s serves %s", sync.name, sync.version())
            except Exception as e:  # the listener keeps retrying; serving goes on meanwhile
                log.warning("replica %s: announcing at start failed: %s", sync.name, e)

    async def shutdown(app: Any) -> None:
        try:
            if post_shutdown is not None:
                await post_shutdown(app)
        finally:
            if sync is not None:
                await sync.stop()
            await close_store(store)

    application.post_init, application.post_shutdown = init, shutdown
    return sync
