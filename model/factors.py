"""The trained factors of the served SVD, loaded and checked: the arrays, the id lookups and the
checks against the catalogue. `model/recommender.py`'s `Recommender` answers from them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from numbers import Integral
from pathlib import Path
from typing import Any, Self

import numpy as np
import scipy.sparse as sp

from model import similarity
from model.artifact import MIN_TITLE_COVERAGE, ModelError, arrays_fit, read_artifact
from model.similarity import weighted_unit


class Factors:
    """The arrays of a trained SVD and its metadata; `load` refuses anything unusable."""

    def __init__(
        self,
        payload: Mapping[str, Any],
        metadata: dict[str, Any],
        threshold: float = 3.5,
        title_kinds: Mapping[str, str] | None = None,
    ) -> None:
        algo = payload["algo"]
        self.threshold = float(threshold)
        self.metadata = metadata
        self.global_mean = float(payload["global_mean"])
        self.rating_scale = (float(payload["rating_scale"][0]), float(payload["rating_scale"][1]))
        self.bu = np.asarray(algo.bu, dtype=np.float64)
        self.bi = np.asarray(algo.bi, dtype=np.float64)
        self.pu = np.asarray(algo.pu, dtype=np.float64)
        self.qi = np.asarray(algo.qi, dtype=np.float64)
        self.user_ids = np.asarray(payload["user_ids"], dtype=np.int64)
        self.title_ids: list[str] = list(payload["title_ids"])
        self.seen_indptr = np.asarray(payload["seen_indptr"], dtype=np.int64)
        self.seen_items = np.asarray(payload["seen_items"])
        self._check_shapes()
        k = self.qi.shape[1]
        self.fold_in_reg = float(payload["fold_in_reg"])
        self.prior_mean = np.asarray(payload["prior_mean"], dtype=np.float64)
        self.prior_precision = np.asarray(payload["prior_precision"], dtype=np.float64)
        if self.prior_mean.shape != (k + 1,) or self.prior_precision.shape != (k + 1, k + 1):
            raise ModelError("the model's fold-in prior does not fit its factors")
        self._prior_pull = self.prior_precision @ self.prior_mean
        calib = payload.get("calibration") or (0.0, 0.0)
        self.calibration = (float(calib[0]), float(calib[1]))
        self._user_index = {u: k for k, u in enumerate(self.user_ids.tolist())}
        self._title_index = {t: k for k, t in enumerate(self.title_ids)}
        # float32 copies for ranking: with 100 factors the float64 product over 23k titles was
        # most of top_n's time; candidates are then re-scored exactly in float64 (see _best).
        # Factors x titles: the product's loop runs along the titles (ranking.scores_t).
        self._qi32t = np.ascontiguousarray(self.qi.T, dtype=np.float32)
        self._bi32 = self.bi.astype(np.float32)
        norms = np.linalg.norm(self.qi, axis=1, keepdims=True)
        self._qi_unit = self.qi / np.where(norms > 0, norms, 1.0)
        self._platform_letter = np.array([t[:1] for t in self.title_ids])
        self._kinds = None
        self.title_coverage: float | None = None
        if title_kinds is not None:
            self._kinds = np.array([title_kinds.get(t, "") for t in self.title_ids], dtype=object)
            self.title_coverage = self.coverage(title_kinds.keys())
        self._masks: dict[tuple[str | None, str | None], np.ndarray | None] = {}
        self._load_content(payload.get("content"))
        # title -> its raters (the seen index transposed), memory-mapped from the file training
        # wrote (model/artifact.py); None for a model without it: /similar then scans
        self._raters = self._raters_index(payload)
        self._onboarding: list[int] | None = None  # /rate's order, built on first use

    def _load_content(self, part: Mapping[str, Any] | None) -> None:
        """The hybrid's part (model/hybrid.py). A model trained before it (or without a
        content.npz) has none and is served as it was: factor-only /similar, no reasons."""
        n = len(self.title_ids)
        self._features: str | list[str] = []
        self.content: sp.csr_matrix | None = None
        self._unit: sp.csr_matrix | None = None
        self.hybrid: dict[str, float] = {}
        # how much of the content neighbourhood a folded-in person's scores get (docs/model.md
        # "A newcomer counts from the first rating"); chosen by train on held-out people
        self.boost = 0.0
        if part is None:
            # counted here only without the part (which carries them): at 11M ratings the
            # count took 30-50 ms of every load
            self.title_counts = np.bincount(self.seen_items, minlength=n)
            return
        features = part["features"]  # newline-joined names (split on first use)
        n_features = features.count("\n") + 1 if features else 0
        x = sp.csr_matrix(
            (
                np.asarray(part["data"], dtype=np.float32),
                np.asarray(part["indices"]),
                np.asarray(part["indptr"]),
            ),
            shape=(n, n_features),
        )
        counts = np.asarray(part["counts"], dtype=np.int64)
        if counts.shape != (n,):
            raise ModelError("the model's content part does not fit its titles")
        self._features, self.content, self.title_counts = features, x, counts
        # an artifact from before the choice added its neighbourhood at full strength
        self.boost = float(part.get("boost", 1.0))
        self.hybrid = {
            "alpha": float(part["alpha"]),
            "shrink": float(part["shrink"]),
            "boost": self.boost,
        }
        unit = part.get("unit_data")  # absent from models trained before it: built at first use
        if (
            unit is not None
            and part.get("unit_weights") == similarity.BLOCK_WEIGHTS
            and len(unit) == x.nnz
        ):
            self._unit = sp.csr_matrix(
                (np.asarray(unit, dtype=np.float32), x.indices, x.indptr), shape=x.shape
            )

    def _raters_index(self, payload: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray] | None:
        """(indptr, people) of the raters file when it fits this model's seen index, else None
        (an older model, or a file that is not this one's: serving falls back to the scan)."""
        users = payload.get("raters_users")
        indptr = payload.get("raters_indptr")
        if users is None or indptr is None:
            return None
        indptr = np.asarray(indptr, dtype=np.int64)
        n = len(self.seen_items)
        if indptr.shape != (len(self.title_ids) + 1,) or indptr[-1] != n or users.shape != (n,):
            return None
        return indptr, users

    def raters(self, i: int) -> np.ndarray:
        """The people (inner ids, in order) who rated title i in training."""
        if self._raters is None:
            return similarity.raters_by_scan(i, self.seen_indptr, self.seen_items)
        indptr, users = self._raters
        return users[indptr[i] : indptr[i + 1]]

    @property
    def content_features(self) -> list[str]:
        """The content matrix's column names, "<block>:<value>" (docs/data.md)."""
        if isinstance(self._features, str):
            self._features = self._features.split("\n") if self._features else []
        return self._features

    @property
    def _content_unit(self) -> sp.csr_matrix | None:
        """The content rows weighted and unit length (model/similarity.py): stored by training
        (model/hybrid.py `artifact_part`); built on the first /similar or newcomer's list for a
        model trained before that or with other block weights (50 ms at the real titles). Two
        threads may both build it; the result is the same and the assignment atomic."""
        if self._unit is None and self.content is not None:
            self._unit = weighted_unit(self.content, self.content_features)
        return self._unit

    @property
    def has_content(self) -> bool:
        """Whether the model carries content features (a hybrid, docs/model.md)."""
        return self.content is not None

    # ---- loading -------------------------------------------------------------------------

    @classmethod
    def load(
        cls,
        models_dir: Path,
        threshold: float = 3.5,
        title_kinds: Mapping[str, str] | None = None,
    ) -> Self:
        """Load svd.pkl + svd.json from models_dir; any problem raises ModelError.

        With `title_kinds` (title id -> "movie"/"tv show" for the whole catalogue) the model is
        also checked against the catalogue: when fewer than 90% of its titles are catalogue
        titles it was trained on other data and is refused.
        """
        payload, metadata, pkl = read_artifact(models_dir)
        if not (0.0 < float(threshold) <= 5.0):
            raise ModelError(f"threshold {threshold} is outside the rating scale 0.5..5")
        try:
            rec = cls(payload, metadata, threshold=threshold, title_kinds=title_kinds)
        except ModelError:
            raise
        except Exception as e:
            raise ModelError(f"{pkl} is not a usable model ({type(e).__name__}: {e})") from e
        if rec.title_coverage is not None and rec.title_coverage < MIN_TITLE_COVERAGE:
            raise ModelError(
                f"the model was trained on other data than this catalogue: only"
                f" {rec.title_coverage:.0%} of its {len(rec.title_ids)} titles are in the catalogue"
            )
        return rec

    def _check_shapes(self) -> None:
        arrays = (self.pu, self.qi, self.bu, self.bi, self.seen_indptr, self.seen_items)
        if not arrays_fit(len(self.user_ids), self.title_ids, *arrays):
            raise ModelError("the model's arrays do not fit together (truncated or edited file)")

    # ---- catalogue checks ----------------------------------------------------------------

    @property
    def fingerprint(self) -> str:
        """The fingerprint of the ratings the model was trained on (see svd.json)."""
        return str(self.metadata.get("data", {}).get("fingerprint", ""))

    def coverage(self, catalogue_ids: Iterable[str]) -> float:
        """Share of the model's titles that are catalogue titles (1.0 = all)."""
        ids = set(catalogue_ids)
        if not self.title_ids:
            return 0.0
        return sum(t in ids for t in self.title_ids) / len(self.title_ids)

    def knows_user(self, user_id: int) -> bool:
        return self._inner_user(user_id) is not None

    def knows_title(self, title_id: str) -> bool:
        return self._inner_title(title_id) is not None

    def rated_ids(self, user_id: int) -> list[str]:
        """The titles the user rated in training, which top_n leaves out ([] for a user the
        model does not know); the catalogue counts a /top ranking's total with it."""
        u = self._inner_user(user_id)
        if u is None:
            return []
        seen = self.seen_items[self.seen_indptr[u] : self.seen_indptr[u + 1]]
        return [self.title_ids[int(j)] for j in seen]

    def _inner_user(self, user_id: object) -> int | None:
        # Surprise's raw ids are the parquet's ints; accept "42" as well as 42 and np.int32(42).
        if isinstance(user_id, bool):
            return None
        if isinstance(user_id, Integral):
            return self._user_index.get(int(user_id))
        if isinstance(user_id, str) and user_id.strip().lstrip("-").isdigit():
            return self._user_index.get(int(user_id))
        return None

    def _inner_title(self, title_id: object) -> int | None:
        return self._title_index.get(title_id) if isinstance(title_id, str) else None

    def _clip(self, est: float) -> float:
        lo, hi = self.rating_scale
        return max(lo, min(hi, est))
