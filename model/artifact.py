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
    return payload, metadata, pkl


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
