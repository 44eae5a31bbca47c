"""The trained model's files on disk (svd.pkl + svd.json): names, format, and the safe reader.

model/train.py writes them (`payload`, `save`); `read_artifact` reads and checks them for
model/recommender.py. The format is described in docs/model.md.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import numpy as np

MODEL_FILE = "svd.pkl"
META_FILE = "svd.json"
# Title -> the people who rated it (int32, CSR by title; its indptr is in the pickle), beside
# svd.pkl and named by the model id, so a file of another training never passes for this one's.
# Memory-mapped at load: building it took the first /similar 1.4 s at 11M ratings, and holding
# it in the pickle would add 44 MB to every load.
RATERS_FILE = "raters.{model_id}.npy"
FORMAT = "streamrec-svd"
FORMAT_VERSION = 1
# Below this share of its titles found in the catalogue, a model was trained on other data.
MIN_TITLE_COVERAGE = 0.9

# Only these globals may be rebuilt when unpickling: a model file is data, and a pickle naming
# anything else (os.system, ...) is refused before it can run.
_ALLOWED_GLOBALS = {
    ("surprise.prediction_algorithms.matrix_factorization", "SVD"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.numeric", "_frombuffer"),
    ("numpy.core.numeric", "_frombuffer"),
}


class ModelError(Exception):
    """The model is missing, corrupt, or does not belong to this data; str(e) says which."""


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED_GLOBALS:
            raise ModelError(f"the model file refers to {module}.{name}, which a model never does")
        return super().find_class(module, name)


def read_artifact(models_dir: Path) -> tuple[dict[str, Any], dict[str, Any], Path]:
    """(payload, metadata, pickle path) of the model in models_dir; any problem raises ModelError.

    Checks that both files exist, that they are this format and version, and that they come
    from the same training; the arrays themselves are checked by the Recommender.
    """
    models_dir = Path(models_dir)
    pkl, meta_path = models_dir / MODEL_FILE, models_dir / META_FILE
    for p in (pkl, meta_path):
        if not p.is_file():
            raise ModelError(f"no model: {p} is missing (train one with `python -m model train`)")
    try:
        metadata = json.loads(meta_path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ModelError(f"{meta_path} is not valid JSON: {e}") from e
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        raise ModelError(f"{meta_path} does not describe a {FORMAT} model")
    try:
        # Straight from the file: reading the bytes first and unpickling from BytesIO
        # copied the 129 MiB of a 100-factor 11M model twice.
        with pkl.open("rb") as f:
            payload = _Unpickler(f).load()
    except ModelError as e:
        raise ModelError(f"{pkl} is not a streamrec model: {e}") from e
    except Exception as e:  # a corrupt pickle can raise nearly anything
        raise ModelError(f"{pkl} is corrupt or not a model file ({type(e).__name__}: {e})") from e
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ModelError(f"{pkl} is not a {FORMAT} model")
    if payload.get("version") != FORMAT_VERSION:
        raise ModelError(
            f"{pkl} has model format version {payload.get('version')}, this code reads"
            f" {FORMAT_VERSION}: retrain with `python -m model train`"
        )
    if payload.get("model_id") != metadata.get("model_id"):
        raise ModelError(
            f"{pkl} and {meta_path} come from different trainings: retrain or restore both"
        )
    payload["raters_users"] = _map_raters(models_dir, payload)
    return payload, metadata, pkl


def _map_raters(models_dir: Path, payload: dict[str, Any]) -> np.ndarray | None:
    """The raters file memory-mapped (read-only, pages shared by every process serving it), or
    None when the model has none (trained before it) or it is missing or unreadable: the
    Recommender then finds a title's raters by a scan, with the same results."""
    name = payload.get("raters_file")
    if not isinstance(name, str) or name != RATERS_FILE.format(model_id=payload["model_id"]):
        return None
    try:
        users = np.load(models_dir / name, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError):
        return None
    return users if users.ndim == 1 and users.dtype == np.int32 else None


def arrays_fit(
    n_users: int,
    title_ids: list[str],
    pu: np.ndarray,
    qi: np.ndarray,
    bu: np.ndarray,
    bi: np.ndarray,
    seen_indptr: np.ndarray,
    seen_items: np.ndarray,
) -> bool:
    """Whether a payload's arrays agree in shape (a truncated or edited file often does not)."""
    n_i = len(title_ids)
    k = pu.shape[1] if pu.ndim == 2 else -1
    return bool(
        pu.shape == (n_users, k)
        and qi.shape == (n_i, k)
        and bu.shape == (n_users,)
        and bi.shape == (n_i,)
        and seen_indptr.shape == (n_users + 1,)
        and seen_indptr[-1] == len(seen_items)
        and (len(seen_items) == 0 or int(seen_items.max()) < n_i)
        and all(isinstance(t, str) and t for t in title_ids)
    )
