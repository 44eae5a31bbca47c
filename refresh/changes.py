"""What changed against the previous release: titles added and removed per platform, by id and by
folded name + year, with a title that left one platform and arrived on another seen as a move.

changes.parquet has one row per change:
- by="id": change "added" or "removed", platform, id, title, release_year. Ids carry the
  platform's letter, so a move is always an id removed and another added.
- by="name": keyed by (domain.text.fold(title), release_year). "added" (on no platform before,
  now on `platform`), "removed" (on no platform now), "moved" (left `from_platform`, arrived on
  `platform`: one row per pair), "also_on" (kept its platforms and arrived on one more).
  "left" marks a platform it left while staying on another it already had.
The watchlist alerts read the "name" rows whose change is added, moved or also_on.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from domain.text import fold

COLUMNS = ("id", "platform", "title", "release_year")
SCHEMA = pa.schema(
    [
        ("by", pa.string()),
        ("change", pa.string()),
        ("platform", pa.string()),
        ("from_platform", pa.string()),
        ("id", pa.string()),
        ("title", pa.string()),
        ("release_year", pa.int32()),
        ("name_key", pa.string()),
    ]
)


def _rows(path: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = pq.read_table(path, columns=list(COLUMNS)).to_pylist()
    return rows


def diff(new_titles: Path, old_titles: Path) -> tuple[pa.Table, dict[str, Any]]:
    """(changes table, summary per platform) of new_titles.parquet against old_titles.parquet."""
    new, old = _rows(new_titles), _rows(old_titles)
    out: list[dict[str, Any]] = []
    new_ids = {r["id"]: r for r in new}
    old_ids = {r["id"]: r for r in old}
    for tid in sorted(new_ids.keys() - old_ids.keys()):
        out.append(_row("id", "added", new_ids[tid]))
    for tid in sorted(old_ids.keys() - new_ids.keys()):
        out.append(_row("id", "removed", old_ids[tid]))
    out += _by_name(new, old)
    table = pa.Table.from_pylist(out, schema=SCHEMA)
    return table, summarise(out)


def _by_name(new: list[dict[str, Any]], old: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def index(rows: list[dict[str, Any]]) -> dict[tuple[str, Any], dict[str, dict[str, Any]]]:
        out: dict[tuple[str, Any], dict[str, dict[str, Any]]] = defaultdict(dict)
        for r in rows:
            out[(fold(r["title"]), r["release_year"])].setdefault(r["platform"], r)
        return out

    now, before = index(new), index(old)
    rows = []
    for key in sorted(now.keys() | before.keys(), key=lambda k: (k[0], k[1] or 0)):
        a, b = now.get(key, {}), before.get(key, {})
        gained, lost = sorted(a.keys() - b.keys()), sorted(b.keys() - a.keys())
        if not gained and not lost:
            continue
        if not b:
            rows += [_row("name", "added", a[p], key) for p in gained]
        elif not a:
            rows += [_row("name", "removed", b[p], key) for p in lost]
        elif lost and gained:
            rows += [_row("name", "moved", a[p], key, src) for p in gained for src in lost]
        else:
            rows += [_row("name", "also_on", a[p], key) for p in gained]
            rows += [_row("name", "left", b[p], key) for p in lost]
    return rows


def _row(
    by: str,
    change: str,
    r: dict[str, Any],
    key: tuple[str, Any] | None = None,
    src: str | None = None,
) -> dict[str, Any]:
    return {
        "by": by,
        "change": change,
        "platform": r["platform"],
        "from_platform": src,
        "id": r["id"],
        "title": r["title"],
        "release_year": r["release_year"],
        "name_key": None if key is None else f"{key[0]}|{key[1]}",
    }


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts per platform for the manifest: ids and names added/removed, moves in/out."""
    per: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        p, c = r["platform"], r["change"]
        if r["by"] == "id":
            per[p][f"ids_{c}"] += 1
        elif c == "moved":
            per[p]["moved_in"] += 1
            per[r["from_platform"]]["moved_out"] += 1
        else:
            per[p][f"names_{c}"] += 1
    return {p: dict(sorted(v.items())) for p, v in sorted(per.items())}
