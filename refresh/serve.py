"""`python -m refresh serve`: refresh on a schedule (interval or cron) and when the inbox settles.

Each refresh is a child `python -m refresh run`, so the long-lived scheduler holds no ETL or
training memory, and a crash in a run cannot take the scheduler down. One at a time: a trigger
while a run is going is skipped here (logged), and the run's own flock keeps out a `refresh run`
started by hand.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import threading
from pathlib import Path
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from refresh import inbox, releases
from refresh.outcome import RunOptions
from refresh.stages import _die_with_parent, python_module

log = logging.getLogger("refresh")


class Refresher:
    """Starts `refresh run` children, never two at once."""

    def __init__(self, opts: RunOptions) -> None:
        self.opts = opts
        self._busy = threading.Lock()
        self.child: subprocess.Popen[bytes] | None = None

    def argv(self) -> list[str]:
        o = self.opts
        return python_module(
            "refresh", "--data-dir", str(o.data_dir), "run", "--raw", str(o.inbox),
            "--budget", f"{o.budget:g}", "--max-drop", f"{o.max_drop:g}",
            "--model-margin", f"{o.model_margin:g}", "--keep", str(o.keep),
        )  # fmt: skip

    def run_once(self, reason: str) -> int | None:
        if not self._busy.acquire(blocking=False):
            log.info("refresh (%s) skipped: one is already running", reason)
            return None
        try:
            log.info("refresh started (%s)", reason)
            self.child = subprocess.Popen(self.argv(), preexec_fn=_die_with_parent)
            code = self.child.wait()
            log.info("refresh (%s) finished with status %d", reason, code)
            return code
        finally:
            self.child = None
            self._busy.release()

    def stop(self) -> None:
        child = self.child
        if child is not None and child.poll() is None:
            child.terminate()


class InboxWatch:
    """Runs a refresh when the inbox has changed and then stayed still for `settle` seconds,
    unless it holds exactly the files the current release was built from."""

    def __init__(self, refresher: Refresher, settle: float) -> None:
        self.refresher = refresher
        self.root = releases.releases_dir(refresher.opts.data_dir)
        self.watch = inbox.SettleWatch(refresher.opts.inbox, settle)

    def poll(self) -> None:
        snap = self.watch.poll()
        if snap is None:
            return
        cur = releases.current(self.root) if releases.current_version(self.root) else None
        files = inbox.snapshot(self.refresher.opts.inbox)
        if cur is not None and inbox.same_inputs(files, cur.manifest, by_hash=False):
            self.watch.mark_handled(snap)
            return
        if self.refresher.run_once("new files settled in the inbox") is not None:
            # handled even when the run failed: a broken inbox is retried when it changes again
            self.watch.mark_handled(snap)


HEARTBEAT = ".serve-heartbeat"
HEARTBEAT_EVERY = 30.0


def beat(root: Path) -> None:
    """Touch releases/.serve-heartbeat: `python -m refresh health` checks its age."""
    root.mkdir(parents=True, exist_ok=True)
    path = root / HEARTBEAT
    path.touch()
    os.utime(path)


def trigger(interval: float | None, cron: str | None) -> Any:
    if cron:
        return CronTrigger.from_crontab(cron)
    if interval:
        return IntervalTrigger(seconds=interval)
    return None


def serve(
    opts: RunOptions,
    interval: float | None,
    cron: str | None,
    settle: float,
    poll: float,
    watch: bool = True,
) -> int:
    try:
        when = trigger(interval, cron)
    except ValueError as e:
        log.error("bad --cron %r: %s", cron, e)
        return 2
    if when is None and not watch:
        log.error("nothing to do: give --interval or --cron, or leave inbox watching on")
        return 2
    Path(opts.inbox).mkdir(parents=True, exist_ok=True)
    refresher = Refresher(opts)
    scheduler = BlockingScheduler(
        # schedule + inbox (either may sit in a run for minutes) + heartbeat
        executors={"default": {"type": "threadpool", "max_workers": 3}},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    if when is not None:
        scheduler.add_job(refresher.run_once, when, args=["schedule"], id="schedule")
    if watch:
        w = InboxWatch(refresher, settle)
        scheduler.add_job(w.poll, IntervalTrigger(seconds=poll), id="inbox")

    root = releases.releases_dir(opts.data_dir)
    beat(root)
    scheduler.add_job(beat, IntervalTrigger(seconds=HEARTBEAT_EVERY), args=[root], id="heartbeat")

    def stop(signum: int, _frame: object) -> None:
        log.info("signal %d: stopping", signum)
        refresher.stop()
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info(
        "serving: inbox %s%s, schedule %s",
        opts.inbox,
        f" (settle {settle:g} s)" if watch else " (not watched)",
        when or "none",
    )
    scheduler.start()
    return 0
