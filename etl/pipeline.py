"""The ETL run: raw titles + ratings → processed parquet + the data-quality report."""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from domain.vocabulary import CONTENT_FILE
from etl.content import build_content, write_content
from etl.indexes import write_indexes
from etl.output import staged_dir, write_json
from etl.ratings import load_ratings
from etl.report import QualityReport, synthetic_ratings
from etl.titles import load_titles

log = logging.getLogger("etl")


@dataclass
class Paths:
    titles: Path
    ratings: Path
    out: Path
    reports: Path

    @classmethod
    def from_raw(
        cls,
        raw: Path,
        out: Path,
        reports: Path | None = None,
        titles: Path | None = None,
        ratings: Path | None = None,
    ) -> Paths:
        return cls(
            titles=titles or raw / "titles",
            ratings=ratings or raw / "ratings",
            out=out,
            reports=reports or out.parent / "reports",
        )


def run(paths: Paths) -> dict[str, Any]:
    """Read, transform, check and write everything; raise EtlError on bad input, writing nothing."""
    started = time.perf_counter()
    report = QualityReport()
    titles = load_titles(paths.titles, report)
    log.info("titles: %d rows from %s", titles.titles.num_rows, paths.titles)
    ratings = load_ratings(paths.ratings, titles.titles["id"].combine_chunks(), report)
    log.info("ratings: %d rows from %s", ratings.ratings.num_rows, paths.ratings)
    t_content = time.perf_counter()
    content_ids, content, features = build_content(titles.titles, titles.display)
    t_content = time.perf_counter() - t_content
    log.info("content features: %d titles x %d features", *content.shape)
    with staged_dir(paths.out) as stage:
        pq.write_table(titles.titles, stage / "titles.parquet")
        pq.write_table(titles.display, stage / "display.parquet")
        pq.write_table(ratings.scores, stage / "scores.parquet")
        pq.write_table(ratings.ratings, stage / "ratings.parquet", row_group_size=1 << 20)
        write_indexes(stage)
        write_content(stage / CONTENT_FILE, content_ids, content, features)
    summary = {
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 2),
        "inputs": {"titles": str(paths.titles), "ratings": str(paths.ratings)},
        "output": str(paths.out),
        "rows": {
            "titles": titles.titles.num_rows,
            "ratings": ratings.ratings.num_rows,
            "scores": ratings.scores.num_rows,
        },
        "content": {
            "titles": content.shape[0],
            "features": content.shape[1],
            "nonzeros": int(content.nnz),
            "seconds": round(t_content, 2),
        },
        **report.to_dict(),
        # Ratings the demo generator made up (its marker), or null: the EDA says so.
        "synthetic_ratings": synthetic_ratings(paths.ratings, report.files),
    }
    write_json(paths.reports / "etl.json", summary)
    return summary
