"""Reading the processed parquet files and the model, and fingerprinting what was read."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from catalog.results import FileInfo
from catalog.validate import CatalogError

# Columns the catalogue needs from each file (docs/data.md); extra columns are ignored.
NEEDED: dict[str, tuple[str, ...]] = {
    "titles": (
        "id",
        "platform",
        "type",
        "title",
        "director",
        "cast",
        "country",
        "date_added",
        "release_year",
        "rating",
        "duration_int",
        "duration_type",
        "listed_in",
        "description",
    ),
    "scores": ("id", "score", "votes"),
    "display": ("id", "title", "director", "cast"),
}

RecommenderLoader = Callable[[Path, float, Mapping[str, str]], Any]


class CatalogLoadError(CatalogError):
    """The processed data could not be loaded; the message says which file and why."""


def read_parquet(path: Path) -> tuple[pa.Table, FileInfo]:
    """Read one processed file once: the bytes are hashed (content fingerprint) and parsed."""
    name = path.stem
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CatalogLoadError(
            f"{path} is missing; run `python -m etl` to write data/processed/"
        ) from None
    except OSError as e:
        raise CatalogLoadError(f"cannot read {path}: {e}") from e
    try:
        table = pq.read_table(pa.BufferReader(data))
    except (pa.ArrowException, OSError) as e:
        raise CatalogLoadError(f"{path} is not a readable parquet file: {e}") from e
    missing = [c for c in NEEDED[name] if c not in table.column_names]
    if missing:
        raise CatalogLoadError(f"{path} lacks column(s) {', '.join(missing)} (see docs/data.md)")
    info = FileInfo(
        name=path.name,
        rows=table.num_rows,
        bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    return table.select(list(NEEDED[name])), info


def default_recommender_loader(models_dir: Path, threshold: float, kinds: Mapping[str, str]) -> Any:
    # Imported here so the catalogue loads (and answers) even where model/ or surprise is absent.
    from model.recommender import Recommender

    return Recommender.load(models_dir, threshold=threshold, title_kinds=kinds)


def load_recommender(
    models_dir: Path,
    threshold: float,
    kinds: Mapping[str, str],
    loader: RecommenderLoader | None,
) -> tuple[Any, str | None]:
    """(recommender, None) or (None, why): a missing or broken model never stops the catalogue."""
    if not models_dir.is_dir():
        return None, f"no model: {models_dir} does not exist (run `python -m model train`)"
    try:
        return (loader or default_recommender_loader)(models_dir, threshold, kinds), None
    except Exception as e:  # ModelError, but also whatever a corrupt pickle or import throws
        return None, f"model not loaded from {models_dir}: {type(e).__name__}: {e}"


def model_fingerprint(models_dir: Path) -> tuple[str | None, dict[str, Any]]:
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
    summary = {k: meta[k] for k in ("model_id", "created", "params", "metrics") if k in meta}
    data = meta.get("data")
    if isinstance(data, dict):  # what it was trained on, without the trainer's local path
        summary["data"] = {k: v for k, v in data.items() if k != "path"}
    metrics = meta.get("metrics")
    if isinstance(metrics, dict):  # flat figures for /status: cross-validated when available
        cv = metrics.get("cv") if isinstance(metrics.get("cv"), dict) else {}
        summary["rmse"] = cv.get("rmse")
        summary["mae"] = cv.get("mae")
        summary["train_rmse"] = metrics.get("train_rmse")
    version = str(meta.get("model_id") or hashlib.sha256(raw).hexdigest())[:12]
    return version, summary
