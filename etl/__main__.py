"""`python -m etl [--data-dir data] [--raw DIR] [--out DIR]`: raw CSVs to clean parquet.

The data folder is --data-dir, else DATA_DIR (environment or `.env`), else data/; --raw and
--out default to its raw/ and processed/, like every other entry point's."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from config import resolve_data_dir
from domain.oneline import one_line, setup_logging
from etl.errors import EtlError
from etl.pipeline import Paths, run


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m etl", description=__doc__)
    p.add_argument("--data-dir", type=Path, default=None, help="default: DATA_DIR, else data/")
    p.add_argument(
        "--raw", type=Path, default=None, help="folder with titles/ and ratings/ (<data-dir>/raw)"
    )
    p.add_argument("--out", type=Path, default=None, help="default: <data-dir>/processed")
    p.add_argument("--reports", type=Path, default=None, help="default: <out>/../reports")
    p.add_argument("--titles", type=Path, default=None, help="titles folder (default <raw>/titles)")
    p.add_argument(
        "--ratings", type=Path, default=None, help="ratings folder (default <raw>/ratings)"
    )
    p.add_argument("-q", "--quiet", action="store_true")
    args = p.parse_args(argv)
    data_dir = resolve_data_dir(args.data_dir)
    args.raw = args.raw or data_dir / "raw"
    args.out = args.out or data_dir / "processed"
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    setup_logging(logging.WARNING if args.quiet else logging.INFO, "etl: %(message)s")
    paths = Paths.from_raw(args.raw, args.out, args.reports, args.titles, args.ratings)
    try:
        summary = run(paths)
    except EtlError as e:
        print(f"etl: error: {one_line(str(e))}", file=sys.stderr)
        return 1
    anomalies = {k: v["count"] for k, v in summary["anomalies"].items() if v["count"]}
    logging.getLogger("etl").info(
        "wrote %s in %.1f s; anomalies: %s (details in %s)",
        paths.out,
        summary["seconds"],
        anomalies or "none",
        paths.reports / "etl.json",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
