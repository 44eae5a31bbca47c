"""Reading the ETL's content features (data/processed/content.npz, written by etl/content.py;
format in docs/data.md) and lining them up with a model's titles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from domain.vocabulary import CONTENT_FILE as CONTENT_FILE  # re-exported
from domain.vocabulary import CONTENT_FORMAT


class ContentError(Exception):
    """content.npz is missing or unusable; str(e) says which and what to run."""


@dataclass(frozen=True)
class ContentFeatures:
    ids: list[str]  # title ids, one per row
    matrix: sp.csr_matrix  # float32, each block of a row unit length (or all zero)
    features: list[str]  # "<block>:<value>" per column

    def rows_for(self, title_ids: Sequence[str]) -> sp.csr_matrix:
        """The rows of `title_ids` in that order; an id without features gets an all-zero row."""
        at = {t: r for r, t in enumerate(self.ids)}
        rows = np.fromiter((at.get(t, -1) for t in title_ids), dtype=np.int64, count=len(title_ids))
        known = rows >= 0
        pick = sp.csr_matrix(
            (np.ones(int(known.sum()), dtype=np.float32), (np.flatnonzero(known), rows[known])),
            shape=(len(title_ids), len(self.ids)),
        )
        return sp.csr_matrix(pick @ self.matrix, dtype=np.float32)


def read_content(path: Path) -> ContentFeatures:
    """content.npz as ContentFeatures; ContentError with the reason when it cannot be used."""
    if not path.is_file():
        raise ContentError(f"no content features: {path} is missing (run `python -m etl`)")
    try:
        with np.load(path, allow_pickle=False) as z:
            if str(z["format"]) != CONTENT_FORMAT:
                raise ContentError(f"{path} is not {CONTENT_FORMAT} (run `python -m etl` again)")
            rows, columns = (int(x) for x in z["shape"])
            shape = (rows, columns)
            matrix = sp.csr_matrix(
                (z["data"].astype(np.float32), z["indices"], z["indptr"]), shape=shape
            )
            ids = _lines(z["ids"])
            names = _lines(z["features"])
    except ContentError:
        raise
    except Exception as e:  # a truncated or foreign file can raise nearly anything
        raise ContentError(f"{path} is not a usable content file ({type(e).__name__}: {e})") from e
    if len(ids) != shape[0] or len(names) != shape[1]:
        raise ContentError(f"{path}: ids and features do not fit the matrix (truncated file?)")
    return ContentFeatures(ids, matrix, names)


def _lines(raw: np.ndarray) -> list[str]:
    text = raw.tobytes().decode("utf-8")
    return text.split("\n") if text else []
