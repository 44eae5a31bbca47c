"""`python -m refresh run|serve|list|rollback`: see docs/refresh.md."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from domain.oneline import one_line, setup_logging
from refresh import releases
from refresh.lock import Busy, RefreshLock
from refresh.outcome import RunOptions
from refresh.run import run
from refresh.settings import RefreshSettings


def _parser(s: RefreshSettings) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m refresh", description=__doc__)
    p.add_argument("--data-dir", type=Path, default=None, help="default: DATA_DIR, else data")
    sub = p.add_subparsers(dest="command", required=True)
    for name, text in (("run", "build and publish one release"), ("serve", "run on a schedule")):
        r = sub.add_parser(name, help=text)
        r.add_argument("--raw", type=Path, default=None, help="inbox (default <DATA_DIR>/inbox)")
        r.add_argument("--force", action="store_true", help="publish despite a titles drop, and "
                       "rebuild even when the inputs did not change")  # fmt: skip
        r.add_argument("--budget", type=float, default=s.refresh_budget, help="training search s")
        r.add_argument("--max-drop", type=float, default=s.refresh_max_drop)
        r.add_argument("--model-margin", type=float, default=s.refresh_model_margin)
        r.add_argument("--keep", type=int, default=s.refresh_keep, help="releases kept")
    serve = sub.choices["serve"]
    when = serve.add_mutually_exclusive_group()
    when.add_argument("--interval", type=float, default=s.refresh_interval, help="seconds")
    when.add_argument("--cron", default=s.refresh_cron, help='crontab line, e.g. "0 4 * * *"')
    serve.add_argument("--settle", type=float, default=s.refresh_settle)
    serve.add_argument("--poll", type=float, default=s.refresh_poll)
    serve.add_argument("--no-watch", action="store_true", help="do not watch the inbox")
    ls = sub.add_parser("list", help="the releases, the current one marked")
    ls.add_argument("--json", action="store_true")
    rb = sub.add_parser("rollback", help="point current at an earlier release")
    rb.add_argument("version")
    sub.add_parser("health", help="exit 0 when `serve` is alive (its heartbeat is fresh)")
    v = sub.add_parser("verify", help=argparse.SUPPRESS)  # a stage of run: load as the bot does
    v.add_argument("release", type=Path)
    v.add_argument("out", type=Path)
    return p


def main(argv: list[str] | None = None) -> int:
    setup_logging(logging.INFO, "%(asctime)s refresh: %(message)s")
    settings = RefreshSettings()
    args = _parser(settings).parse_args(argv)
    data_dir = args.data_dir or settings.data_dir
    root = releases.releases_dir(data_dir)
    if args.command in ("run", "serve"):
        opts = RunOptions(
            data_dir=data_dir,
            inbox=args.raw or settings.refresh_inbox or data_dir / "inbox",
            force=args.force,
            budget=args.budget,
            max_drop=args.max_drop,
            model_margin=args.model_margin,
            keep=args.keep,
        )
        if args.budget <= 0 or not 0 <= args.max_drop <= 1 or args.keep < 1:
            print("error: --budget > 0, --max-drop in 0..1 and --keep >= 1", file=sys.stderr)
            return 2
        if args.command == "run":
            result = run(opts)
            print(one_line(result.message), file=sys.stderr if result.exit_code else sys.stdout)
            return result.exit_code
        from refresh.serve import serve

        return serve(opts, args.interval, args.cron, args.settle, args.poll, not args.no_watch)
    if args.command == "list":
        return _list(root, args.json)
    if args.command == "rollback":
        return _rollback(root, args.version)
    if args.command == "health":
        return _health(root)
    return _verify(args.release, args.out)


def _list(root: Path, as_json: bool) -> int:
    cur = releases.current_version(root)
    rows = []
    for r in releases.list_releases(root):
        m = r.manifest
        rows.append(
            {
                "version": r.version,
                "current": r.version == cur,
                "built_at": m.get("built_at"),
                "titles": (m.get("rows") or {}).get("titles"),
                "ratings": (m.get("rows") or {}).get("ratings"),
                "validation_rmse": (m.get("model") or {}).get("validation_rmse"),
                "inputs": [f["path"] for f in (m.get("inputs") or {}).get("files", [])],
            }
        )
    if as_json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print(f"no releases in {root} (python -m refresh run builds one)")
        return 0
    for row in rows:
        rmse = row["validation_rmse"]
        rmse_text = f"{rmse:.4f}" if rmse is not None else "-"
        print(
            f"{'*' if row['current'] else ' '} {row['version']}  built {row['built_at']}  "
            f"{row['titles'] or 0:,} titles  {row['ratings'] or 0:,} ratings  "
            f"validation RMSE {rmse_text}"
        )
    return 0


def _rollback(root: Path, version: str) -> int:
    """Only to a release whose every file matches the manifest's checksums and which loads
    the way the bot and the API load it, with its model: a damaged one is refused (exit 1)."""
    try:
        with RefreshLock(root):
            release = releases.load(root, version)
            releases.check_files(release)
            error = load_error(release.path)
            if error:
                raise releases.ReleaseError(f"release {version} does not load: {error}")
            before = releases.current_version(root)
            releases.point(root, release.version)
    except Busy as e:
        print(f"error: {e}", file=sys.stderr)
        return 75
    except releases.ReleaseError as e:
        cur = releases.current_version(root) or "none"
        print(one_line(f"error: {e}; current stays {cur}"), file=sys.stderr)
        return 1 if (root / version).is_dir() else 2
    except OSError as e:  # a full disk or a read-only volume: the pointer did not move
        cur = releases.current_version(root) or "none"
        print(one_line(f"error: {e}; current stays {cur}"), file=sys.stderr)
        return 1
    print(f"current -> {version} (was {before or 'none'}); the bot and the API follow it")
    return 0


def _health(root: Path) -> int:
    from refresh.serve import HEARTBEAT, HEARTBEAT_EVERY

    try:
        age = time.time() - (root / HEARTBEAT).stat().st_mtime
    except OSError:
        print(f"unhealthy: no heartbeat in {root} (is `python -m refresh serve` running?)")
        return 1
    if age > 4 * HEARTBEAT_EVERY:
        print(f"unhealthy: refresh serve's heartbeat is {age:.0f} s old")
        return 1
    cur = releases.current_version(root)
    print(f"ok: refresh serve alive ({age:.0f} s ago); current release {cur or 'none'}")
    return 0


def load_error(release: Path) -> str | None:
    """Why the release does not load the way the bot and the API load it, with its model;
    None when it does."""
    # imported here, as in _verify: pandas and the model library cost `list` and `health`
    # (the container's health check) a second they do not need
    from catalog.core import Catalog
    from catalog.loading import CatalogLoadError

    try:
        cat = Catalog.load(release)
    except CatalogLoadError as e:
        return str(e)
    if cat.recommender is None:
        return f"the model does not load: {cat.model_error}"
    return None


def _verify(release: Path, out: Path) -> int:
    """Load the staged release the way the bot and the API do; fail without a model."""
    from catalog.core import Catalog
    from catalog.loading import CatalogLoadError

    try:
        cat = Catalog.load(release)
    except CatalogLoadError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if cat.recommender is None:
        print(f"error: the model does not load: {cat.model_error}", file=sys.stderr)
        return 1
    info = {
        "titles": cat.info.titles,
        "per_platform": cat.info.per_platform,
        "data_version": cat.info.version,
        "model_version": cat.info.model_version,
        "load_seconds": round(cat.info.load_seconds, 2),
    }
    releases.write_json(out, info)
    return 0


if __name__ == "__main__":
    sys.exit(main())
