"""`python -m etl.eda [--data-dir data] [--out data/reports]`: the exploratory analysis report.

The data folder is --data-dir, else DATA_DIR (environment or `.env`), else data/.
Reads data/processed/{titles,display,scores,ratings}.parquet and data/reports/etl.json, writes
<out>/eda.html (self-contained: charts embedded as base64 PNG), one <out>/eda_<chart>.png per
chart, and <out>/eda_ratings.json (the small ratings summary the bot can chart from).
Every finding under a chart is computed from the data at build time.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import html
import json
import logging
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq

from charts import (
    Chart,
    EdaData,
    available_charts,
    chart_titles,
    ratings_summary_to_json,
    render_chart,
)
from config import resolve_data_dir
from domain.vocabulary import SERVED_TITLE_COLUMNS

log = logging.getLogger("etl.eda")


DISPLAY_READ = ("id", "title", "country", "rating", "listed_in")


class EdaError(Exception):
    """The report cannot be built; the message says what is missing."""


def _read(path: Path, columns: Sequence[str]) -> pd.DataFrame:
    if not path.is_file():
        raise EdaError(f"{path} is missing; run `python -m etl` first")
    present = set(pq.read_schema(path).names)
    frame: pd.DataFrame = pq.read_table(
        path, columns=[c for c in columns if c in present]
    ).to_pandas()
    return frame


def summarize_ratings_parquet(path: Path) -> tuple[pd.Series, pd.Series]:
    """(rating_counts, user_activity) reading only userId and rating, counted in Arrow.

    11M ratings are 88 MB in these two columns; the per-user counts are a 115k-row table."""
    table = pq.read_table(path, columns=["userId", "rating"])
    rc = pc.value_counts(table.column("rating").cast("float64"))
    rating_counts = pd.Series(
        rc.field("counts").to_numpy(), index=rc.field("values").to_numpy(), dtype="int64"
    ).sort_index()
    per_user = pc.value_counts(table.column("userId")).field("counts")
    del table
    ua = pc.value_counts(per_user)
    user_activity = pd.Series(
        ua.field("counts").to_numpy(), index=ua.field("values").to_numpy(), dtype="int64"
    ).sort_index()
    return rating_counts, user_activity


def load_frames(data_dir: Path, reports_dir: Path | None = None) -> EdaData:
    """Everything the charts read, from the processed parquet files and etl.json."""
    processed = data_dir / "processed"
    reports_dir = reports_dir or data_dir / "reports"
    # The columns the catalogue serves and hands to the charts too (Catalog.chart_frames).
    titles = _read(processed / "titles.parquet", SERVED_TITLE_COLUMNS)
    # Names and the labels of the maturity, country and genre charts, in their raw casing.
    display = _read(processed / "display.parquet", DISPLAY_READ)
    scores = _read(processed / "scores.parquet", ("id", "score", "votes"))
    rating_counts = user_activity = None
    if (processed / "ratings.parquet").is_file():
        rating_counts, user_activity = summarize_ratings_parquet(processed / "ratings.parquet")
    else:
        log.warning("no %s: the ratings charts are skipped", processed / "ratings.parquet")
    etl_report = None
    for candidate in (reports_dir / "etl.json", data_dir / "reports" / "etl.json"):
        if candidate.is_file():
            etl_report = json.loads(candidate.read_text(encoding="utf-8"))
            break
    else:
        log.warning("no etl.json in %s: the anomalies section is skipped", reports_dir)
    return EdaData(
        titles=titles,
        display=display,
        scores=scores,
        rating_counts=rating_counts,
        user_activity=user_activity,
        etl_report=etl_report,
    )


def render_all(data: EdaData) -> list[Chart]:
    """Every chart the data allows, a progress line after each (issue 22: long work says how
    far it is; a chart takes a second or two, the whole report up to a minute at full scale)."""
    names = available_charts(data)
    charts, t0 = [], time.perf_counter()
    for k, name in enumerate(names, start=1):
        charts.append(render_chart(name, data))
        spent = time.perf_counter() - t0
        left = spent / k * (len(names) - k)
        log.info("chart %d/%d %s drawn, %.1f s, about %.0f s left", k, len(names), name, spent,
                 left)  # fmt: skip
    return charts


CSS = """
body { font-family: -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif;
       max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { margin-bottom: .2em; } .meta { color: #666; font-size: .9em; }
section { margin: 2.5em 0; border-top: 1px solid #ddd; padding-top: 1em; }
img { max-width: 100%; height: auto; } p.finding { font-size: 1.1em; background: #f4f1fb;
       border-left: 4px solid #5B4A9E; padding: .5em .8em; }
table { border-collapse: collapse; font-size: .9em; } td, th { border: 1px solid #ddd;
       padding: .3em .6em; text-align: left; vertical-align: top; } td.n { text-align: right; }
nav ol { columns: 2; } code { background: #f3f3f3; padding: 0 .2em; }
p.synthetic { background: #fff4e0; border-left: 4px solid #E08A00; padding: .5em .8em; }
"""


def _anomaly_table(report: Mapping[str, Any] | None) -> str:
    if not report:
        return "<p>No <code>etl.json</code> was found, so no anomaly counts are shown.</p>"
    rows = []
    for name, entry in sorted((report.get("anomalies") or {}).items()):
        entry = entry if isinstance(entry, dict) else {"count": entry}
        samples = ", ".join(html.escape(str(s)) for s in entry.get("samples") or [])
        rows.append(
            f"<tr><td>{html.escape(name.replace('_', ' '))}</td>"
            f"<td class='n'>{int(entry.get('count', 0)):,}</td><td>{samples or '—'}</td></tr>"
        )
    filled = report.get("nulls_filled") or {}
    filled_txt = "".join(
        f"<li>missing <code>{html.escape(str(k))}</code> filled: {int(v):,}</li>"
        for k, v in filled.items()
    )
    sizes = report.get("rows") or {}
    sizes_txt = ", ".join(f"{html.escape(str(k))} {int(v):,}" for k, v in sizes.items())
    return (
        f"<p>Rows written by the ETL: {sizes_txt or 'not given'}. "
        "These rows are kept as they are (the ETL changes nothing beyond the five rules); "
        "the counts and sample ids below come straight from <code>etl.json</code>.</p>"
        f"<ul>{filled_txt}</ul>"
        "<table><tr><th>anomaly</th><th>rows</th><th>sample ids</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def _synthetic_notice(synthetic: Mapping[str, Any] | None, n_ratings: int | None) -> str:
    """Says, above everything, when the ratings were made up (etl.json `synthetic_ratings`,
    from the marker etl.demo writes): their charts then describe the generator, not people."""
    if not synthetic:
        return ""
    rows = int(synthetic.get("rows", 0))
    of = f" of the {n_ratings:,}" if n_ratings and n_ratings != rows else ""
    files = ", ".join(html.escape(str(f)) for f in synthetic.get("files") or [])
    generator = html.escape(str(synthetic.get("generator", "etl.demo")))
    return (
        f"<p class='synthetic'><strong>Synthetic ratings.</strong> {rows:,}{of} ratings were "
        f"made up by the demo generator (<code>{generator}</code>; {files}), not given by "
        "people: the ratings charts and their findings describe that generator, not real "
        "viewers. The titles are as the ETL read them.</p>"
    )


def build_html(charts: Sequence[Chart], data: EdaData, data_dir: Path) -> str:
    titles = chart_titles()
    made = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    n_ratings = int(data.rating_counts.sum()) if data.rating_counts is not None else None
    meta = (
        f"Built {made} from <code>{html.escape(str(data_dir))}</code>: "
        f"{len(data.titles):,} titles"
        + (f", {n_ratings:,} ratings" if n_ratings is not None else ", no ratings file")
        + ". Every sentence under a chart is computed from the data when the report is built."
    )
    synthetic = data.synthetic_ratings()
    skipped = [n for n in available_charts() if n not in {c.name for c in charts}]
    toc = "".join(f"<li><a href='#{c.name}'>{html.escape(c.title)}</a></li>" for c in charts)
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>streamrec — exploratory analysis</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>streamrec — exploratory analysis</h1>",
        f"<p class='meta'>{meta}</p>",
        _synthetic_notice(synthetic, n_ratings),
        f"<nav><ol>{toc}<li><a href='#anomaly-table'>Anomaly details</a></li></ol></nav>",
    ]
    if skipped:
        parts.append(
            "<p class='meta'>Not drawn (input absent): "
            + ", ".join(html.escape(titles[n]) for n in skipped)
            + ".</p>"
        )
    for c in charts:
        b64 = base64.b64encode(c.png).decode("ascii")
        parts.append(
            f"<section id='{c.name}'><h2>{html.escape(c.title)}</h2>"
            f"<img alt='{html.escape(c.title)}' src='data:image/png;base64,{b64}'>"
            f"<p class='finding'>{html.escape(c.finding)}</p>"
            f"<p class='meta'>Chart <code>{c.name}</code> · <code>eda_{c.name}.png</code>"
            f" · in the bot: <code>/chart {c.name}</code></p></section>"
        )
    parts.append(
        "<section id='anomaly-table'><h2>Anomaly details (from etl.json)</h2>"
        + _anomaly_table(data.etl_report)
        + "</section></body></html>"
    )
    return "\n".join(parts)


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def build_report(data_dir: Path, out: Path | None = None) -> tuple[Path, list[Chart]]:
    """Build the report; returns the path of eda.html and the charts drawn."""
    out = out or data_dir / "reports"
    t0 = time.perf_counter()
    data = load_frames(data_dir, out)
    log.info("read %s in %.1f s", data_dir / "processed", time.perf_counter() - t0)
    charts = render_all(data)
    out.mkdir(parents=True, exist_ok=True)
    for c in charts:
        _write(out / f"eda_{c.name}.png", c.png)
    drawn = {c.name for c in charts}
    for name in available_charts():  # a chart not drawn this time leaves no stale file behind
        if name not in drawn:
            (out / f"eda_{name}.png").unlink(missing_ok=True)
    if data.rating_counts is not None and data.user_activity is not None:
        summary = ratings_summary_to_json(data.rating_counts, data.user_activity)
        _write(out / "eda_ratings.json", summary.encode("utf-8"))
    else:
        (out / "eda_ratings.json").unlink(missing_ok=True)
    report = out / "eda.html"
    _write(report, build_html(charts, data, data_dir).encode("utf-8"))
    return report, charts


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m etl.eda", description=__doc__.splitlines()[0])
    p.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="holds processed/ (default: DATA_DIR from the environment or .env, else data)",
    )
    p.add_argument("--out", type=Path, default=None, help="default: <data-dir>/reports")
    p.add_argument("-q", "--quiet", action="store_true")
    args = p.parse_args(argv)
    args.data_dir = resolve_data_dir(args.data_dir)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO, format="eda: %(message)s"
    )
    started = time.perf_counter()
    try:
        report, charts = build_report(args.data_dir, args.out)
    except EdaError as e:
        print(f"eda: error: {e}", file=sys.stderr)
        return 1
    log.info(
        "wrote %s with %d charts in %.1f s", report, len(charts), time.perf_counter() - started
    )
    for c in charts:
        log.info("  %-16s %s", c.name, c.finding)
    return 0


if __name__ == "__main__":
    sys.exit(main())
