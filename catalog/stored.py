"""The built `CatalogIndex` on disk: written beside the processed parquet when the release is
built, read back by `Catalog.load` instead of being rebuilt in every process.

Layout of `processed/index/` (docs/data.md, "The catalogue index"):
- `manifest.json`: the format number, the sha256 of each parquet file the index was built
  from, the size of every file below, and the duplicate-id rows the build left out;
- `*.npy`: the numeric arrays (scores, votes, test flags, popularity ranks, suffix tables,
  postings, ...), opened with `numpy.load(mmap_mode="r")`: the pages are the kernel's page
  cache, shared by every process that serves the same release;
- `*.arrow`: the text and list tables (Arrow IPC files), opened with `pyarrow.memory_map`; a
  column becomes a Python list only when the catalogue first reads it (`Column`).

The in-memory structures are the ones catalog/index.py builds (same types, same values:
tests/catalog/test_catalog_stored.py compares every answer of a loaded index with a fresh one);
where the query code needs Python dicts and sets, they are made from these files with bulk
conversions (to_pylist, zip), not with the builders' per-title work (folding, cast splitting,
SymSpell deletions, pandas group-bys).
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, Generic, TypeVar, overload

import numpy as np
import pyarrow as pa

from catalog.errors import CatalogError
from catalog.index import CatalogIndex, NameYear, SearchIndex
from catalog.questions import QuestionIndex
from catalog.results import PlatformCount, TitleRef
from catalog.rows import PopularKey, TitleRows
from catalog.search.index import NameIndex
from catalog.search.tables import COMMON_NAMES, NameTables
from domain.vocabulary import KINDS, PLATFORMS, arrow_schema

FOLDER = "index"
MANIFEST = "manifest.json"
# Raised whenever what is written changes meaning; an index of another format is rebuilt at
# load like a missing one (an older release), never read.
FORMAT = 1
SOURCES = ("titles.parquet", "scores.parquet", "display.parquet")
DISPLAY_TEXT = ("country", "listed_in", "description", "rating")
POPULAR_KEYS: tuple[PopularKey, ...] = tuple(
    (p, k) for p in (None, *PLATFORMS) for k in (None, *KINDS)
)

T = TypeVar("T")


class IndexUnusable(Exception):
    """No index to read, or one built from other data or by another format: rebuild it."""


class IndexDamaged(CatalogError):
    """The index is there for this data but a file is missing, truncated or unreadable."""


# ---------------------------------------------------------------- read-side sequences


class Column(Sequence[T], Generic[T]):
    """One memory-mapped Arrow column, read as a Python list the first time a value is asked
    (columns a process never reads stay Arrow pages shared with the other processes)."""

    __slots__ = ("_array", "_values")

    def __init__(self, array: pa.Array | pa.ChunkedArray) -> None:
        self._array = array
        self._values: list[T] | None = None

    @property
    def arrow(self) -> pa.Array | pa.ChunkedArray:
        return self._array

    @property
    def values(self) -> list[T]:
        values = self._values
        if values is None:  # two threads may both convert: same list, one is kept
            values = self._values = self._array.to_pylist()
        return values

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> list[T]: ...
    def __getitem__(self, i: int | slice) -> T | list[T]:
        return self.values[i]

    def __len__(self) -> int:
        return len(self._array)

    def __iter__(self) -> Iterator[T]:
        return iter(self.values)


class Ragged(Sequence[list[int]]):
    """Lists of row or name numbers as one flat array and its offsets (both memory-mapped);
    item i is a new list of Python ints."""

    __slots__ = ("flat", "offsets")

    def __init__(self, offsets: np.ndarray, flat: np.ndarray) -> None:
        self.offsets, self.flat = offsets, flat

    def view(self, i: int) -> np.ndarray:
        return self.flat[self.offsets[i] : self.offsets[i + 1]]

    @overload
    def __getitem__(self, i: int) -> list[int]: ...
    @overload
    def __getitem__(self, i: slice) -> list[list[int]]: ...
    def __getitem__(self, i: int | slice) -> list[int] | list[list[int]]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        out: list[int] = self.view(i).tolist()
        return out

    def __len__(self) -> int:
        return len(self.offsets) - 1


class Refs(Sequence[TitleRef]):
    """rows.refs without 23k objects made at load: a TitleRef is made when asked for."""

    __slots__ = ("_ids", "_kinds", "_platforms", "_titles", "_years")

    def __init__(
        self,
        ids: Sequence[str],
        titles: Sequence[str],
        platforms: Sequence[str],
        kinds: Sequence[str],
        years: Sequence[int | None],
    ) -> None:
        self._ids, self._titles, self._platforms = ids, titles, platforms
        self._kinds, self._years = kinds, years

    @overload
    def __getitem__(self, r: int) -> TitleRef: ...
    @overload
    def __getitem__(self, r: slice) -> list[TitleRef]: ...
    def __getitem__(self, r: int | slice) -> TitleRef | list[TitleRef]:
        if isinstance(r, slice):
            return [self[k] for k in range(*r.indices(len(self)))]
        return TitleRef(
            self._ids[r], self._titles[r], self._platforms[r], self._kinds[r], self._years[r]
        )

    def __len__(self) -> int:
        return len(self._ids)


# ---------------------------------------------------------------- writing


def _ragged(
    lists: Sequence[Sequence[int] | np.ndarray], dtype: type = np.int32
) -> tuple[np.ndarray, np.ndarray]:
    """Lists as (offsets, flat): list i is flat[offsets[i]:offsets[i + 1]] (see Ragged)."""
    offsets = np.zeros(len(lists) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(x) for x in lists])
    flat: np.ndarray = np.fromiter(
        (v for x in lists for v in x), dtype=dtype, count=int(offsets[-1])
    )
    return offsets, flat


def write_index(
    processed: Path, index: CatalogIndex, sources: Mapping[str, str], duplicate_rows: int
) -> None:
    """Write index to processed/index/ (replacing one there); `sources` = parquet name -> sha256."""
    arrays: dict[str, np.ndarray] = {}
    tables: dict[str, pa.Table] = {}
    _rows_out(index.rows, arrays, tables)
    _questions_out(index.questions, index.rows, arrays, tables)
    _search_out(index.search, arrays, tables)
    target = processed / FOLDER
    stage = Path(tempfile.mkdtemp(prefix=f".{FOLDER}.new-", dir=processed))
    try:
        for name, a in arrays.items():
            np.save(stage / f"{name}.npy", np.ascontiguousarray(a), allow_pickle=False)
        for name, t in tables.items():
            sink = pa.OSFile(str(stage / f"{name}.arrow"), "wb")
            with sink, pa.ipc.new_file(sink, t.schema) as writer:
                writer.write_table(t)
        files = {p.name: p.stat().st_size for p in sorted(stage.iterdir())}
        manifest = {
            "format": FORMAT,
            "sources": dict(sources),
            "duplicate_rows": duplicate_rows,
            "files": files,
        }
        (stage / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        stage.chmod(0o755)
        old = processed / f".{FOLDER}.old-{os.getpid()}"
        if target.exists():
            target.rename(old)
        stage.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def _rows_out(rows: TitleRows, arrays: dict[str, np.ndarray], tables: dict[str, pa.Table]) -> None:
    # Types as titles.parquet has them (an all-null column would otherwise be typed null).
    contract = arrow_schema("titles")
    tables["titles"] = pa.table(
        {
            name: pa.array(list(values), contract.field(name).type)
            for name, values in rows.columns.items()
        }
    )
    tables["rows"] = pa.table(
        {
            "display_title": pa.array(list(rows.display_title), pa.string()),
            "display_director": pa.array(list(rows.display_director), pa.string()),
            "display_cast": pa.array(list(rows.display_cast), pa.string()),
            "folded": pa.array(list(rows.folded), pa.string()),
            **{
                f"display_{k}": pa.array(list(rows.display_text[k]), pa.string())
                for k in DISPLAY_TEXT
            },
        }
    )
    arrays["rows.test"] = rows.test
    arrays["rows.score"] = rows.score
    arrays["rows.votes"] = rows.votes
    arrays["rows.popular.offsets"], arrays["rows.popular.flat"] = _ragged(
        [rows.popular[k] for k in POPULAR_KEYS]
    )


def _questions_out(
    q: QuestionIndex, rows: TitleRows, arrays: dict[str, np.ndarray], tables: dict[str, pa.Table]
) -> None:
    row_of = {tid: i for i, tid in enumerate(rows.ids)}  # test rows too: they count here
    keys = list(q.longest)
    tables["longest"] = pa.table(
        {
            "platform": pa.array([k[0] for k in keys], pa.string()),
            "year": pa.array([k[1] for k in keys], pa.int64()),
            "duration_type": pa.array([k[2] for k in keys], pa.string()),
            "duration": pa.array([q.longest[k][0] for k in keys], pa.int64()),
            "rows": pa.array(
                [[row_of[ref.id] for ref in q.longest[k][1]] for k in keys], pa.list_(pa.int32())
            ),
        }
    )
    years = sorted(
        set(q.movies_per_year) | set(q.movie_scores) | set(q.actors) | set(q.titles_per_year)
    )
    actors = [q.actors.get(k) for k in years]
    per_year = [q.titles_per_year.get(k) for k in years]
    tables["per_year"] = pa.table(
        {
            "platform": pa.array([k[0] for k in years], pa.string()),
            "year": pa.array([k[1] for k in years], pa.int64()),
            "movies": pa.array([q.movies_per_year.get(k) for k in years], pa.int64()),
            "scored": pa.array([k in q.movie_scores for k in years], pa.bool_()),
            "actor_titles": pa.array([None if a is None else a[0] for a in actors], pa.int64()),
            "actors": pa.array(
                [None if a is None else list(a[1]) for a in actors], pa.list_(pa.string())
            ),
            "titles": pa.array([None if t is None else t[0] for t in per_year], pa.int64()),
            "with_cast": pa.array([None if t is None else t[1] for t in per_year], pa.int64()),
        }
    )
    arrays["movie_scores.offsets"], arrays["movie_scores.flat"] = _ragged(
        [q.movie_scores.get(k, np.empty(0)) for k in years], np.float64
    )
    platforms: list[str | None] = [None, *PLATFORMS]
    counts = [q.platform_counts.get(p) if p is not None else None for p in platforms]
    tables["platforms"] = pa.table(
        {
            "platform": pa.array(platforms, pa.string()),
            "movies": pa.array([None if c is None else c.movies for c in counts], pa.int64()),
            "shows": pa.array([None if c is None else c.shows for c in counts], pa.int64()),
            "total": pa.array([None if c is None else c.total for c in counts], pa.int64()),
            "cast_titles": pa.array(
                [None if p is None else q.cast_titles.get(p) for p in platforms], pa.int64()
            ),
            "years": pa.array(
                [None if p not in q.years else list(q.years[p]) for p in platforms],
                pa.list_(pa.int64()),
            ),
        }
    )


def _search_out(s: SearchIndex, arrays: dict[str, np.ndarray], tables: dict[str, pa.Table]) -> None:
    t = s.names.tables
    tables["names"] = pa.table(
        {
            "name": pa.array(list(t.names), pa.string()),
            "words": pa.array([list(w) for w in t.words], pa.list_(pa.string())),
        }
    )
    arrays["names.rows.offsets"], arrays["names.rows.flat"] = _ragged(t.rows)
    arrays["names.name_rows.offsets"], arrays["names.name_rows.flat"] = _ragged(s.name_rows)
    arrays["names.lengths"], arrays["names.rank"] = t.lengths, t.rank
    arrays["names.rows_per_name"] = s.rows_per_name
    arrays["names.groups_per_name"] = s.groups_per_name
    for name, mapping in (("exact", t.exact), ("variants", t.variants)):
        tables[name] = pa.table(
            {
                "key": pa.array(list(mapping), pa.string()),
                "names": pa.array([list(v) for v in mapping.values()], pa.list_(pa.int32())),
            }
        )
    tables["suffixes"] = pa.table({"suffix": pa.array(list(t.suffixes), pa.string())})
    arrays["suffixes.name"], arrays["suffixes.at_start"] = t.suffix_name, t.suffix_at_start
    vocabulary = list(t.vocabulary)
    tables["vocabulary"] = pa.table({"word": pa.array(vocabulary, pa.string())})
    arrays["postings.offsets"], arrays["postings.flat"] = _ragged(
        [sorted(t.postings[w]) for w in vocabulary]
    )
    repeats = list(t.repeats)
    tables["repeats"] = pa.table(
        {
            "word": pa.array([k[0] for k in repeats], pa.string()),
            "times": pa.array([k[1] for k in repeats], pa.int64()),
            "names": pa.array([sorted(t.repeats[k]) for k in repeats], pa.list_(pa.int32())),
        }
    )
    tables["deletes"] = pa.table(
        {
            "key": pa.array(list(t.deletes), pa.string()),
            "word": pa.array(list(t.deletes.values()), pa.string()),
        }
    )
    tables["deletes_shared"] = pa.table(
        {
            "key": pa.array(list(t.deletes_shared), pa.string()),
            "words": pa.array([list(v) for v in t.deletes_shared.values()], pa.list_(pa.string())),
        }
    )
    groups = list(s.groups)
    tables["groups"] = pa.table(
        {
            "name": pa.array([g[0] for g in groups], pa.int32()),
            "year": pa.array([g[1] for g in groups], pa.int64()),
            "rows": pa.array([list(s.groups[g]) for g in groups], pa.list_(pa.int32())),
        }
    )


# ---------------------------------------------------------------- reading


def read_index(processed: Path, sources: Mapping[str, str]) -> tuple[CatalogIndex, int]:
    """(the index, duplicate-id rows left out) from processed/index/.

    IndexUnusable when there is none, or it was built from other parquet bytes than `sources`
    (parquet name -> sha256) or by another FORMAT; IndexDamaged when it belongs to this data but
    a file is missing, of another size, or unreadable."""
    folder = processed / FOLDER
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexUnusable(f"{folder} is missing") from None
    except (OSError, ValueError) as e:
        raise IndexDamaged(f"{folder / MANIFEST} is unreadable: {e}") from e
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        got = manifest.get("format") if isinstance(manifest, dict) else None
        raise IndexUnusable(f"{folder} has format {got!r}, this code reads format {FORMAT}")
    if manifest.get("sources") != dict(sources):
        raise IndexUnusable(f"{folder} was built from other parquet files than these")
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise IndexDamaged(f"{folder / MANIFEST} lists no files")
    for name, size in files.items():
        path = folder / name
        try:
            actual = path.stat().st_size
        except OSError as e:
            raise IndexDamaged(f"{path} is missing or unreadable: {e}") from e
        if actual != size:
            raise IndexDamaged(f"{path} has {actual} bytes, the manifest says {size}")
    reader = _Reader(folder)
    try:
        with _no_gc():
            rows = _rows_in(reader)
            index = CatalogIndex(rows, _questions_in(reader, rows), _search_in(reader, rows))
    except (OSError, ValueError, KeyError, IndexError, TypeError, pa.ArrowException) as e:
        raise IndexDamaged(f"{folder} is damaged: {type(e).__name__}: {e}") from e
    return index, int(manifest.get("duplicate_rows") or 0)


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """The read makes some 300k lists, sets and tuples, none of which can be garbage yet; the
    cyclic collector would walk the growing heap again and again (more than half the read's
    time, measured), so it is paused for the read as pickle-like bulk loaders do."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Reader:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def array(self, name: str) -> np.ndarray:
        mapped = np.load(self.folder / f"{name}.npy", mmap_mode="r", allow_pickle=False)
        if not isinstance(mapped, np.ndarray):
            raise ValueError(f"{name}.npy holds no array")
        # A plain ndarray over the same mapped pages: np.memmap's Python-level __getitem__
        # would cost microseconds on every slice.
        return np.asarray(mapped)

    def ragged(self, name: str) -> Ragged:
        offsets, flat = self.array(f"{name}.offsets"), self.array(f"{name}.flat")
        if offsets.ndim != 1 or len(offsets) == 0 or int(offsets[-1]) != len(flat):
            raise ValueError(f"{name}: offsets do not fit the values")
        return Ragged(offsets, flat)

    def table(self, name: str) -> pa.Table:
        source = pa.memory_map(str(self.folder / f"{name}.arrow"), "r")
        table = pa.ipc.open_file(source).read_all()
        table.validate()
        return table


def _rows_in(r: _Reader) -> TitleRows:
    titles, extra = r.table("titles"), r.table("rows")
    col: dict[str, Column[Any]] = {n: Column(titles.column(n)) for n in titles.column_names}
    test, score, votes = r.array("rows.test"), r.array("rows.score"), r.array("rows.votes")
    n = titles.num_rows
    if extra.num_rows != n or not len(test) == len(score) == len(votes) == n:
        raise ValueError(f"the row files disagree on the number of titles ({n})")
    ids: list[str] = col["id"].values
    display_title: Column[str] = Column(extra.column("display_title"))
    test_rows = test.tolist()
    row_of_id = {tid: i for i, (tid, t) in enumerate(zip(ids, test_rows, strict=True)) if not t}
    popular = r.ragged("rows.popular")
    if len(popular) != len(POPULAR_KEYS):
        raise ValueError("rows.popular has another number of lists")
    return TitleRows(
        columns=MappingProxyType(dict(col)),
        ids=ids,
        platform=col["platform"],
        kind=col["type"],
        release_year=col["release_year"],
        duration_int=col["duration_int"],
        duration_type=col["duration_type"],
        date_added=col["date_added"],
        cast=col["cast"],
        display_title=display_title,
        display_director=Column(extra.column("display_director")),
        display_cast=Column(extra.column("display_cast")),
        display_text=MappingProxyType(
            {k: Column(extra.column(f"display_{k}")) for k in DISPLAY_TEXT}
        ),
        test=test,
        refs=Refs(ids, display_title, col["platform"], col["type"], col["release_year"]),
        row_of_id=MappingProxyType(row_of_id),
        score=score,
        votes=votes,
        folded=Column(extra.column("folded")),
        popular=MappingProxyType({k: popular.view(i) for i, k in enumerate(POPULAR_KEYS)}),
    )


def _questions_in(r: _Reader, rows: TitleRows) -> QuestionIndex:
    longest = r.table("longest").to_pydict()
    refs = rows.refs
    longest_of = {
        (p, y, d): (n, tuple(refs[i] for i in found))
        for p, y, d, n, found in zip(
            longest["platform"],
            longest["year"],
            longest["duration_type"],
            longest["duration"],
            longest["rows"],
            strict=True,
        )
    }
    per_year = r.table("per_year").to_pydict()
    keys: list[tuple[str, int]] = list(zip(per_year["platform"], per_year["year"], strict=True))
    scores = r.ragged("movie_scores")
    platforms = r.table("platforms").to_pydict()
    return QuestionIndex(
        longest=MappingProxyType(longest_of),
        platform_counts=MappingProxyType(
            {
                p: PlatformCount(p, m, s, t)
                for p, m, s, t in zip(
                    platforms["platform"],
                    platforms["movies"],
                    platforms["shows"],
                    platforms["total"],
                    strict=True,
                )
                if p is not None
            }
        ),
        movies_per_year=_present(keys, per_year["movies"], lambda v: v),
        movie_scores=MappingProxyType(
            {
                k: scores.view(i)
                for i, (k, s) in enumerate(zip(keys, per_year["scored"], strict=True))
                if s
            }
        ),
        actors=_present(
            keys,
            list(zip(per_year["actor_titles"], per_year["actors"], strict=True)),
            lambda a: None if a[0] is None else (a[0], tuple(a[1])),
        ),
        titles_per_year=_present(
            keys,
            list(zip(per_year["titles"], per_year["with_cast"], strict=True)),
            lambda t: None if t[0] is None else (t[0], t[1]),
        ),
        cast_titles=MappingProxyType(
            {
                p: c
                for p, c in zip(platforms["platform"], platforms["cast_titles"], strict=True)
                if p is not None and c is not None
            }
        ),
        years=MappingProxyType(
            {
                p: tuple(y)
                for p, y in zip(platforms["platform"], platforms["years"], strict=True)
                if y is not None
            }
        ),
    )


def _present(
    keys: Sequence[tuple[str, int]], values: Sequence[Any], convert: Callable[[Any], Any]
) -> Mapping[tuple[str, int], Any]:
    """keys -> convert(value) for the keys whose converted value is not None."""
    out = {}
    for k, v in zip(keys, values, strict=True):
        c = convert(v)
        if c is not None:
            out[k] = c
    return MappingProxyType(out)


def _search_in(r: _Reader, rows: TitleRows) -> SearchIndex:
    names = r.table("names")
    vocabulary: list[str] = r.table("vocabulary").column("word").to_pylist()
    postings = r.ragged("postings")
    if len(postings) != len(vocabulary):
        raise ValueError("postings and vocabulary differ in length")
    name_list: list[str] = names.column("name").to_pylist()
    # Sets from Python lists in one pass (slicing a list is cheaper than a numpy view per word).
    ends: list[int] = postings.offsets.tolist()
    flat: list[int] = postings.flat.tolist()
    posting_sets = {w: set(flat[ends[i] : ends[i + 1]]) for i, w in enumerate(vocabulary)}
    common = {
        w: postings.view(i)
        for i, w in enumerate(vocabulary)
        if ends[i + 1] - ends[i] >= COMMON_NAMES
    }
    repeats = r.table("repeats").to_pydict()
    deletes = r.table("deletes")
    shared = r.table("deletes_shared")
    tables = NameTables(
        names=name_list,
        rows=r.ragged("names.rows"),
        words=names.column("words").to_pylist(),
        exact=_lists(r.table("exact")),
        variants=_lists(r.table("variants")),
        lengths=r.array("names.lengths"),
        rank=r.array("names.rank"),
        suffixes=r.table("suffixes").column("suffix").to_pylist(),
        suffix_name=r.array("suffixes.name"),
        suffix_at_start=r.array("suffixes.at_start"),
        postings=posting_sets,
        vocabulary=vocabulary,
        common=common,
        repeats={
            (w, k): set(found)
            for w, k, found in zip(repeats["word"], repeats["times"], repeats["names"], strict=True)
        },
        deletes=dict(
            zip(deletes.column("key").to_pylist(), deletes.column("word").to_pylist(), strict=True)
        ),
        deletes_shared=dict(
            zip(shared.column("key").to_pylist(), shared.column("words").to_pylist(), strict=True)
        ),
    )
    groups = r.table("groups")
    group_keys: list[NameYear] = list(
        zip(groups.column("name").to_pylist(), groups.column("year").to_pylist(), strict=True)
    )
    group_rows: list[list[int]] = groups.column("rows").to_pylist()
    group_of_row = {
        row: key for key, found in zip(group_keys, group_rows, strict=True) for row in found
    }
    if len(name_list) != len(rows_per_name := r.array("names.rows_per_name")):
        raise ValueError("names and names.rows_per_name differ in length")
    return SearchIndex(
        NameIndex(tables),
        r.ragged("names.name_rows"),
        MappingProxyType(dict(zip(group_keys, group_rows, strict=True))),
        rows_per_name,
        r.array("names.groups_per_name"),
        MappingProxyType(group_of_row),
    )


def _lists(table: pa.Table) -> dict[str, list[int]]:
    return dict(
        zip(table.column("key").to_pylist(), table.column("names").to_pylist(), strict=True)
    )
