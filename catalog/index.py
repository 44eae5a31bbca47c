"""Index builders: the processed tables in, one frozen `CatalogIndex` out.

`build_index` is the whole build (rows, the four questions' answers, the name index); each part
is a frozen dataclass with declared fields, so the query class (catalog/core.py) reads typed
tables and nothing is set as a side effect. It runs when the release is built (etl/indexes.py ->
loading.write_catalog_index -> stored.write_index), and at load only for a processed/ folder
without a usable index (catalog/stored.py reads the written one into the same types).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pyarrow as pa

from catalog.questions import QuestionIndex, build_questions
from catalog.rows import TitleRows, build_rows
from catalog.search.index import NameIndex
from catalog.search.tables import build_tables

NameYear = tuple[int, int | None]  # (name index, release year)


@dataclass(frozen=True, eq=False)
class SearchIndex:
    """The name index over served rows, and each name's rows and (name, year) groups."""

    names: NameIndex
    name_rows: Sequence[Sequence[int]]  # per name: the catalogue rows carrying it
    groups: Mapping[NameYear, Sequence[int]]  # rows of one name and release year
    rows_per_name: np.ndarray  # int64: len(name_rows[i]), to count matches without listing
    groups_per_name: np.ndarray  # int64: how many (name, year) groups a name has
    group_of_row: Mapping[int, NameYear]  # a served row's (name, year) group


@dataclass(frozen=True, eq=False)
class CatalogIndex:
    rows: TitleRows
    questions: QuestionIndex
    search: SearchIndex


def build_index(titles: pa.Table, scores: pa.Table, display: pa.Table) -> CatalogIndex:
    """Everything the catalogue answers from; `titles` must have unique ids (first_row_per_id)."""
    rows = build_rows(titles, scores, display)
    return CatalogIndex(rows, build_questions(rows), build_search(rows))


def build_search(rows: TitleRows) -> SearchIndex:
    # The index holds the served rows only (test rows are never found); its row numbers are
    # mapped back to the catalogue's.
    served = np.flatnonzero(~rows.test).tolist()
    tables = build_tables(
        [rows.folded[r] for r in served],
        votes=rows.votes[served].tolist(),
        titles=[rows.display_title[r] for r in served],
    )
    name_rows = [[served[i] for i in found] for found in tables.rows]
    groups: dict[NameYear, list[int]] = {}
    group_of_row: dict[int, NameYear] = {}
    for name_idx, found in enumerate(name_rows):
        for r in found:
            key = (name_idx, rows.release_year[r])
            groups.setdefault(key, []).append(r)
            group_of_row[r] = key
    rows_per_name = np.array([len(found) for found in name_rows], dtype=np.int64)
    groups_per_name = np.zeros(len(name_rows), dtype=np.int64)
    for name_idx, _ in groups:
        groups_per_name[name_idx] += 1
    rows_per_name.flags.writeable = groups_per_name.flags.writeable = False
    return SearchIndex(
        NameIndex(tables),
        name_rows,
        MappingProxyType(groups),
        rows_per_name,
        groups_per_name,
        MappingProxyType(group_of_row),
    )
