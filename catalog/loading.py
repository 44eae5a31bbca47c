"""Reading the processed parquet files and the model, and fingerprinting what was read."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from catalog.errors import CatalogError, ModelProblem
from catalog.index import CatalogIndex, build_index
from catalog.recommend import RecommenderModel
from catalog.results import CatalogInfo, FileInfo
from catalog.rows import TitleRows, first_row_per_id, warn_duplicate_ids
from catalog.stored import (
    FOLDER,
    SOURCES,
    Column,
    IndexDamaged,
    IndexUnusable,
    read_index,
    write_index,
)
from domain.vocabulary import PROCESSED_COLUMNS, SERVED_TITLE_COLUMNS, arrow_schema

# The contract of data/processed/ (docs/data.md): every column of each file with its Arrow type.
# etl/ writes exactly these (tests/catalog/test_catalog_contract.py checks the ETL's output
# against this table and docs/data.md); Catalog.load refuses a file whose columns differ, before
# anything is swapped, so a wrong type fails the reload with a message instead of a 500 or a
# silent 0 later.
# Extra columns are allowed and ignored.
# The table itself is the domain's (domain/vocabulary.py PROCESSED_COLUMNS), which the ETL's
# writers use too.
CONTRACT: dict[str, pa.Schema] = {name: arrow_schema(name) for name in PROCESSED_COLUMNS}
# Columns the contract says are never null (a null id or platform would break every index).
NOT_NULL: dict[str, tuple[str, ...]] = {
    "titles": ("id", "platform", "rating"),
    "display": ("id",),
    "scores": ("id", "votes"),
    "ratings": ("userId", "rating", "timestamp", "movieId"),
}
# Columns the catalogue keeps from each file it serves (ratings.parquet is only checked).
NEEDED: dict[str, tuple[str, ...]] = {
    "titles": SERVED_TITLE_COLUMNS,
    "scores": ("id", "score", "votes"),
    "display": tuple(CONTRACT["display"].names),
}
# A writer on pandas 3 stores text as large_string; it reads back the same, so it is accepted.
_SAME_TYPE = {pa.large_string(): pa.string()}
# Arrow's own names for these ('double', 'date32[day]') differ from the ones docs/data.md uses.
_TYPE_NAMES = {pa.float64(): "float64", pa.float32(): "float32", pa.date32(): "date32"}


def type_name(t: pa.DataType) -> str:
    """An Arrow type as docs/data.md writes it: string, int32, float64, date32, ..."""
    return _TYPE_NAMES.get(t, str(t))


log = logging.getLogger(__name__)

RecommenderLoader = Callable[[Path, float, Mapping[str, str]], RecommenderModel]


class CatalogLoadError(CatalogError):
    """The processed data could not be loaded; the message says which file and why."""


@dataclass(frozen=True)
class Source:
    """One processed parquet file as read: its bytes (hashed once), footer checked."""

    path: Path
    data: bytes
    info: FileInfo


def read_source(path: Path) -> Source:
    """The bytes of one processed file (content fingerprint) and its footer checked against the
    contract; the rows are parsed only when the index has to be built (`parse_source`)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CatalogLoadError(
            f"{path} is missing; run `python -m etl` to write data/processed/"
        ) from None
    except OSError as e:
        raise CatalogLoadError(f"cannot read {path}: {e}") from e
    try:
        meta = pq.ParquetFile(pa.BufferReader(data)).metadata
        schema = meta.schema.to_arrow_schema()
    except (pa.ArrowException, OSError) as e:
        raise CatalogLoadError(f"{path} is not a readable parquet file: {e}") from e
    check_schema(path, schema, path.stem)
    info = FileInfo(
        name=path.name,
        rows=meta.num_rows,
        bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    return Source(path, data, info)


def parse_source(source: Source) -> pa.Table:
    """The rows of a file read by `read_source`, checked (nulls) and cut to the NEEDED columns."""
    path, name = source.path, source.path.stem
    try:
        table = pq.read_table(pa.BufferReader(source.data))
    except (pa.ArrowException, OSError) as e:
        raise CatalogLoadError(f"{path} is not a readable parquet file: {e}") from e
    check_schema(path, table.schema, name)
    check_not_null(path, table, name)
    return table.select(list(NEEDED[name]))


def read_parquet(path: Path) -> tuple[pa.Table, FileInfo]:
    """Read one processed file once: the bytes are hashed (content fingerprint) and parsed."""
    source = read_source(path)
    return parse_source(source), source.info


def schema_problems(schema: pa.Schema, name: str) -> list[str]:
    """What differs from CONTRACT[name]: missing columns, then columns of another type."""
    contract = CONTRACT[name]
    missing = [f.name for f in contract if f.name not in schema.names]
    problems = [f"lacks column(s) {', '.join(missing)}"] if missing else []
    for field in contract:
        if field.name not in schema.names:
            continue
        actual = schema.field(field.name).type
        if _SAME_TYPE.get(actual, actual) != field.type:
            problems.append(
                f"column {field.name} is {type_name(actual)}, expected {type_name(field.type)}"
            )
    return problems


def check_schema(path: Path, schema: pa.Schema, name: str) -> None:
    """CatalogLoadError naming every wrong column of `path`, with expected and actual types."""
    problems = schema_problems(schema, name)
    if problems:
        raise CatalogLoadError(f"{path} {'; '.join(problems)} (the contract is in docs/data.md)")


def check_not_null(path: Path, table: pa.Table, name: str) -> None:
    nulls = [c for c in NOT_NULL[name] if table.column(c).null_count]
    if nulls:
        raise CatalogLoadError(
            f"{path} has nulls in column(s) {', '.join(nulls)}, which the contract says are "
            "never null (docs/data.md)"
        )


def check_ratings_file(path: Path) -> None:
    """The schema of ratings.parquet, when present (the catalogue serves no ratings, but a reload
    must not go in over an ETL output that breaks the contract). Reads the footer only."""
    if not path.exists():
        return
    try:
        schema = pq.read_schema(path)
    except (pa.ArrowException, OSError) as e:
        raise CatalogLoadError(f"{path} is not a readable parquet file: {e}") from e
    check_schema(path, schema, "ratings")


def default_recommender_loader(
    models_dir: Path, threshold: float, kinds: Mapping[str, str]
) -> RecommenderModel:
    # Imported here so the catalogue loads (and answers) even where model/ or surprise is absent.
    from model.recommender import Recommender

    return Recommender.load(models_dir, threshold=threshold, title_kinds=kinds)


def load_recommender(
    models_dir: Path,
    threshold: float,
    kinds: Mapping[str, str],
    loader: RecommenderLoader | None,
) -> tuple[RecommenderModel | None, ModelProblem | None]:
    """(recommender, None) or (None, why): a missing or broken model never stops the catalogue."""
    if not models_dir.is_dir():
        return None, ModelProblem("no_models_folder", str(models_dir))
    try:
        return (loader or default_recommender_loader)(models_dir, threshold, kinds), None
    except Exception as e:  # ModelError, but also whatever a corrupt pickle or import throws
        return None, ModelProblem("model_not_loaded", str(models_dir), f"{type(e).__name__}: {e}")


def model_fingerprint(models_dir: Path) -> tuple[str | None, dict[str, object]]:
    """The model's id (or a hash of svd.json) and a few svd.json fields for /status."""
    path = models_dir / "svd.json"
    try:
        raw = path.read_bytes()
    except OSError:
        return None, {}
    try:
        meta = json.loads(raw)
    except ValueError:
        meta = None
    if not isinstance(meta, dict):
        return hashlib.sha256(raw).hexdigest()[:12], {}
    keys = ("model_id", "created", "algorithm", "why", "params", "metrics")  # why: issue 12
    summary = {k: meta[k] for k in keys if k in meta}
    data = meta.get("data")
    if isinstance(data, dict):  # what it was trained on, without the trainer's local path
        summary["data"] = {k: v for k, v in data.items() if k != "path"}
    metrics = meta.get("metrics")
    if isinstance(metrics, dict):  # flat figures for /status: cross-validated when available
        cv = metrics.get("cv")
        if not isinstance(cv, dict):
            cv = {}
        summary["rmse"] = cv.get("rmse")
        summary["mae"] = cv.get("mae")
        summary["train_rmse"] = metrics.get("train_rmse")
    version = str(meta.get("model_id") or hashlib.sha256(raw).hexdigest())[:12]
    return version, summary


@dataclass(frozen=True, eq=False)
class LoadedCatalog:
    """What Catalog.load serves from: the index, the model (or why there is none), the info."""

    index: CatalogIndex
    info: CatalogInfo
    recommender: RecommenderModel | None
    model_problem: ModelProblem | None

    @property
    def model_error(self) -> str | None:
        return None if self.model_problem is None else str(self.model_problem)


def build_from_sources(sources: Sequence[Source]) -> tuple[CatalogIndex, int]:
    """(the index built from the three parsed files, duplicate-id rows left out)."""
    titles, scores, display = (parse_source(s) for s in sources)
    n = titles.num_rows
    titles, display = first_row_per_id(titles, display)
    index = build_index(titles, scores, display)
    del titles, scores, display
    # Everything needed now lives in Python lists and numpy arrays; hand the Arrow buffers
    # back so a serving process (and a reload beside it) does not keep them.
    pa.default_memory_pool().release_unused()
    return index, n - len(index.rows)


def write_catalog_index(processed: Path) -> Path:
    """Build the index of processed/{titles,scores,display}.parquet and write it to
    processed/index/ (catalog/stored.py): run when the release is built (etl/indexes.py)."""
    sources = [read_source(processed / name) for name in SOURCES]
    index, duplicates = build_from_sources(sources)
    write_index(processed, index, {s.info.name: s.info.sha256 for s in sources}, duplicates)
    return processed / FOLDER


def index_for(sources: Sequence[Source], processed: Path) -> CatalogIndex:
    """The stored index of these files, or (none, or built from other data or by another
    format: an older release) the index built now, with a warning; a damaged one is refused."""
    try:
        index, duplicates = read_index(processed, {s.info.name: s.info.sha256 for s in sources})
    except IndexDamaged as e:
        raise CatalogLoadError(
            f"{e}; run `python -m etl` again (or remove {processed / FOLDER} to have it "
            "built at each load)"
        ) from e
    except IndexUnusable as why:
        log.warning(
            "%s; building the catalogue index in memory at this load (slower; `python -m etl` "
            "writes it with the processed files)",
            why,
        )
        return build_from_sources(sources)[0]
    if duplicates:
        warn_duplicate_ids(duplicates)
    return index


def load_catalog(
    data_dir: Path, threshold: float, recommender_loader: RecommenderLoader | None
) -> LoadedCatalog:
    """processed/{titles,scores,display}.parquet (+ processed/index/) -> CatalogIndex, and the
    model of models/ (see Catalog.load for what raises and what does not)."""
    started = time.perf_counter()
    processed = data_dir / "processed"
    sources = [read_source(processed / name) for name in SOURCES]
    check_ratings_file(processed / "ratings.parquet")
    index = index_for(sources, processed)

    rows = index.rows
    kinds = dict(zip(rows.ids, rows.kind, strict=True))
    models_dir = data_dir / "models"
    recommender, model_problem = load_recommender(models_dir, threshold, kinds, recommender_loader)
    model_error = None if model_problem is None else str(model_problem)
    model_version, model_summary = model_fingerprint(models_dir)
    files = tuple(s.info for s in sources)
    info = CatalogInfo(
        data_dir=str(data_dir),
        version=_version(files),
        model_version=model_version if recommender is not None else None,
        model_error=model_error,
        titles=len(rows),
        scored_titles=int(np.count_nonzero(~np.isnan(rows.score))),
        per_platform={p: c.total for p, c in index.questions.platform_counts.items()},
        files=files,
        model=model_summary if recommender is not None else {},
        loaded_at=dt.datetime.now(dt.UTC),
        load_seconds=time.perf_counter() - started,
        as_of=_as_of(rows),
    )
    return LoadedCatalog(index, info, recommender, model_problem)


def _as_of(rows: TitleRows) -> dt.date | None:
    """The latest date_added of a served title (None without any)."""
    dates = rows.date_added
    # A stored index keeps the column in Arrow: no 23k date objects just for one maximum.
    column = dates.arrow if isinstance(dates, Column) else pa.array(dates, pa.date32())
    latest = pc.max(pc.filter(column, pa.array(~np.asarray(rows.test)))).as_py()
    return latest if isinstance(latest, dt.date) else None


def _version(files: Iterable[FileInfo]) -> str:
    """Content fingerprint of the processed files: the same data gives the same version."""
    h = hashlib.sha256()
    for f in files:
        h.update(f"{f.name}:{f.sha256}\n".encode())
    return h.hexdigest()[:12]
