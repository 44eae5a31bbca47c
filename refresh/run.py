"""One refresh: inbox -> staging (ETL, training, gates, changes, manifest) -> publish.

Everything is built in `releases/.staging-<version>-<pid>/`; only when every gate passed is it
renamed to `releases/<version>/` and `current` moved to it. A failed gate or a crash anywhere
publishes nothing and leaves `current` as it was; the run's report (gates, timings, the failing
stage's log) is kept in `releases/runs/<version>.json` either way.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import platform
import resource
import shutil
import time
from pathlib import Path
from typing import Any

from domain import releasefiles
from refresh import gates, inbox, releases
from refresh.changes import diff
from refresh.gates import Gate
from refresh.lock import Busy, RefreshLock
from refresh.outcome import (
    RunOptions,
    RunResult,
    _Abort,
    crash_point,
)
from refresh.stages import StageResult, python_module, run_stage

log = logging.getLogger("refresh")


def run(opts: RunOptions) -> RunResult:
    root = releases.releases_dir(opts.data_dir)
    try:
        lock = RefreshLock(root).acquire()
    except Busy as e:
        return RunResult("busy", str(e))
    try:
        leftovers = releases.clean_leftovers(root)
        if leftovers:
            log.info("removed what an interrupted run left: %s", ", ".join(leftovers))
        return _Run(opts, root, lock).go()
    finally:
        lock.release()


class _Run:
    def __init__(self, opts: RunOptions, root: Path, lock: RefreshLock) -> None:
        self.opts = opts
        self.root = root
        self.lock = lock
        self.inbox = opts.inbox.resolve()
        self.prev = releases.current(root)
        self.gates: list[Gate] = []
        self.timings: dict[str, Any] = {}
        self.manifest: dict[str, Any] = {}
        self.started = time.perf_counter()

    def go(self) -> RunResult:
        try:
            inbox.check_layout(self.inbox)
        except inbox.InboxError as e:
            return RunResult("failed", str(e))
        t = time.perf_counter()
        snap = inbox.snapshot(self.inbox)
        prev_manifest = self.prev.manifest if self.prev else None
        if not self.opts.force and inbox.same_inputs(snap, prev_manifest, by_hash=False):
            return self._unchanged()
        files = inbox.hashed(self.inbox, snap)
        if not self.opts.force and inbox.same_inputs(files, prev_manifest, by_hash=True):
            return self._unchanged()
        self.timings["inputs"] = {"seconds": round(time.perf_counter() - t, 2)}
        now = dt.datetime.now(dt.UTC)
        self.version = f"{now:%Y%m%dT%H%M%SZ}-{inbox.fingerprint(files)}"
        self.stage = releases.new_staging(self.root, self.version)
        self.manifest = {
            "version": self.version,
            "built_at": now.isoformat(timespec="seconds"),
            "previous": self.prev.version if self.prev else None,
            "inputs": {"root": str(self.inbox), "files": inbox.as_dicts(files)},
            "settings": {
                "force": self.opts.force,
                "budget_seconds": self.opts.budget,
                "max_drop": self.opts.max_drop,
                "model_margin": self.opts.model_margin,
            },
            "builder": {"host": platform.node(), "pid": os.getpid()},
        }
        log.info("building release %s from %d files in %s", self.version, len(files), self.inbox)
        try:
            self._build(snap)
            return self._publish()
        except _Abort:
            return self._failed()
        except OSError as e:  # a full disk, a read-only volume: one line, never published
            log.error("refresh stopped: %s", e)
            self.gates.append(Gate("internal", "fail", f"{type(e).__name__}: {e}"))
            return self._failed()
        except Exception as e:  # a bug: its traceback, reported like a gate, never published
            log.exception("refresh crashed")
            self.gates.append(Gate("internal", "fail", f"{type(e).__name__}: {e}"))
            return self._failed()
        finally:
            shutil.rmtree(self.stage, ignore_errors=True)

    def _unchanged(self) -> RunResult:
        assert self.prev is not None
        msg = (
            f"nothing new: {self.inbox} holds the files release {self.prev.version} was built "
            "from (--force rebuilds)"
        )
        return RunResult("unchanged", msg, self.prev.version)

    def _gate(self, gate: Gate) -> None:
        self.gates.append(gate)
        level = logging.ERROR if gate.failed else logging.INFO
        log.log(level, "gate %s: %s: %s", gate.name, gate.status.upper(), gate.message)
        if gate.failed:
            raise _Abort

    def _stage(self, name: str, argv: list[str]) -> StageResult:
        log.info("stage %s ...", name)
        logf = self.stage / "reports" / f"{name}.log"
        result = run_stage(name, argv, logf, keep_fds=(self.lock.fd,) if self.lock.fd else ())
        self.timings[name] = result.timing()
        log.info(
            "stage %s: %s in %.1f s, peak %.0f MB",
            name,
            "ok" if result.ok else f"FAILED ({result.error})",
            result.seconds,
            result.peak_rss_mb,
        )
        return result

    def _build(self, snap: list[inbox.InputFile]) -> None:
        processed, reports = self.stage / "processed", self.stage / "reports"
        etl = self._stage(
            "etl",
            python_module(
                "etl", "--raw", str(self.inbox), "--out", str(processed), "--reports", str(reports)
            ),
        )
        crash_point("after_etl")
        self._gate(gates.raw_input(etl.error))
        if [f.key() for f in inbox.snapshot(self.inbox)] != [f.key() for f in snap]:
            self._gate(Gate("inputs_stable", "fail", "the inbox changed while the ETL read it"))
        t = time.perf_counter()
        etl_report = json.loads((reports / "etl.json").read_text(encoding="utf-8"))
        self._record_rows(etl_report, processed)
        self._gate(gates.schema(processed))
        prev_rows = (self.prev.manifest.get("rows") or {}) if self.prev else None
        self._gate(
            gates.platform_drop(
                self.manifest["rows"]["per_platform"],
                prev_rows.get("per_platform") if prev_rows is not None else None,
                self.opts.max_drop,
                self.opts.force,
                self.prev.version if self.prev else "",
            )
        )
        prev_anomalies = self.prev.manifest.get("anomalies") if self.prev else None
        self._gate(gates.anomalies(etl_report, prev_anomalies))
        self.manifest["anomalies"] = self.gates[-1].details["counts"]
        self.timings["data_gates"] = {"seconds": round(time.perf_counter() - t, 2)}
        self._train()
        self._verify()
        self._changes()

    def _record_rows(self, etl_report: dict[str, Any], processed: Path) -> None:
        rows = dict(etl_report.get("rows", {}))
        rows["per_platform"] = gates.per_platform(processed / "titles.parquet")
        self.manifest["rows"] = rows
        by_file = {}
        for path, counts in etl_report.get("files", {}).items():
            try:
                by_file[str(Path(os.path.abspath(path)).relative_to(self.inbox))] = counts
            except ValueError:
                by_file[path] = counts
        for f in self.manifest["inputs"]["files"]:
            f["rows"] = by_file.get(f["path"])

    def _train(self) -> None:
        budget = f"{self.opts.budget:g}"
        train = self._stage(
            "train",
            python_module("model", "train", "--data-dir", str(self.stage), "--budget", budget),
        )
        crash_point("after_train")
        if not train.ok:
            self._gate(Gate("training", "fail", f"training failed: {train.error}"))
        meta = json.loads((self.stage / "models" / "svd.json").read_text(encoding="utf-8"))
        metrics = gates.model_metrics(meta)
        self.manifest["model"] = metrics
        self._gate(gates.beats_baseline(metrics))
        prev_model = self.prev.manifest.get("model") if self.prev else None
        prev_name = self.prev.version if self.prev else ""
        self._gate(gates.vs_current(metrics, prev_model, self.opts.model_margin, prev_name))

    def _verify(self) -> None:
        out = self.stage / "reports" / "verify.json"
        result = self._stage(
            "verify", python_module("refresh", "verify", str(self.stage), str(out))
        )
        info = json.loads(out.read_text()) if result.ok and out.exists() else {}
        self._gate(gates.loads(result.error, info))

    def _changes(self) -> None:
        t = time.perf_counter()
        old = self.prev.path / "processed" / "titles.parquet" if self.prev else None
        if old is None or not old.is_file():
            self.manifest["changes"] = {"previous": None, "per_platform": {}}
        else:
            table, summary = diff(self.stage / "processed" / "titles.parquet", old)
            import pyarrow.parquet as pq

            pq.write_table(table, self.stage / "changes.parquet")
            self.manifest["changes"] = {
                "previous": self.prev.version if self.prev else None,
                "file": "changes.parquet",
                "rows": table.num_rows,
                "per_platform": summary,
            }
        self.timings["changes"] = {"seconds": round(time.perf_counter() - t, 2)}

    def _finish_manifest(self, status: str) -> dict[str, Any]:
        self.timings["total"] = {
            "seconds": round(time.perf_counter() - self.started, 2),
            # this process alone (wait4 on it would count its children's peaks too)
            "orchestrator_peak_rss_mb": round(
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
            ),
        }
        return {
            **self.manifest,
            "status": status,
            "gates": [g.as_dict() for g in self.gates],
            "timings": self.timings,
        }

    def _publish(self) -> RunResult:
        """Publishing (moving `current`) is the last step: the manifest, the release folder and
        the run report are all written first, so a full disk or any other failure before the
        pointer moves ends as "not published" (the installed folder is taken away again), and
        a moved pointer is always a published run with its report."""
        self.manifest["files"] = releasefiles.checksums(self.stage)
        manifest = self._finish_manifest("published")
        releases.write_json(self.stage / releases.MANIFEST, manifest)
        crash_point("before_publish")
        final = releases.install(self.root, self.stage, self.version)
        crash_point("after_rename")
        try:
            releases.check_files(releases.load(self.root, self.version))  # what was flushed
            report = self._write_run(manifest)
            releases.point(self.root, self.version)
        except BaseException:
            if releases.current_version(self.root) != self.version:
                releases.discard(self.root, self.version)
                raise
            # the pointer moved and only flushing its folder failed: published, and reported
            log.warning("current moved to %s; flushing %s failed", self.version, self.root)
        crash_point("after_publish")
        msg = f"published release {self.version} ({final}); current -> {self.version}"
        log.info(msg)
        try:
            removed = releases.prune(self.root, self.opts.keep)
        except OSError as e:  # published already: old releases stay until the next run
            log.warning("could not remove old releases: %s", e)
        else:
            if removed:
                log.info("removed old releases: %s", ", ".join(removed))
        return RunResult("published", msg, self.version, report, self.gates)

    def _failed(self) -> RunResult:
        failed = [g for g in self.gates if g.failed]
        manifest = self._finish_manifest("failed")
        manifest["logs"] = _tail_logs(self.stage / "reports")
        cur = self.prev.version if self.prev else "none"
        what = "; ".join(f"gate {g.name} failed: {g.message}" for g in failed)
        report: Path | None
        try:
            report = self._write_run(manifest)
            where = f"report {report}"
        except OSError as e:  # a full disk: the one line below is then the only trace
            report, where = None, f"no report written ({e})"
        msg = f"nothing published (current stays {cur}): {what}; {where}"
        log.error(msg)
        return RunResult("failed", msg, self.version, report, self.gates)

    def _write_run(self, manifest: dict[str, Any]) -> Path:
        path = self.root / releases.RUNS / f"{self.version}.json"
        releases.write_json(path, manifest)
        releases.prune_runs(self.root)
        return path


def _tail_logs(reports: Path, lines: int = 20) -> dict[str, list[str]]:
    out = {}
    for path in sorted(reports.glob("*.log")):
        text = path.read_text(errors="replace").splitlines()
        out[path.name] = text[-lines:]
    return out
