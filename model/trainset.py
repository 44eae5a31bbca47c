"""`CompactTrainset`: a Surprise Trainset whose ratings live in numpy arrays (CSR by user),
so 11M ratings train without several GB of Python tuples (model/data.py explains why).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd
from surprise import Trainset

from domain.vocabulary import RATING_MAX, RATING_MIN
from model.data import Ratings


class _Grouped:
    """A read-only dict of inner id -> [(other inner id, rating), ...] backed by CSR arrays.

    Built on demand per key, so Surprise code reading `trainset.ur[u]` sees the list its own
    Trainset would hold while nothing is kept in Python objects between calls.
    """

    def __init__(self, indptr: np.ndarray, other: np.ndarray, ratings: np.ndarray) -> None:
        self.indptr = indptr
        self.other = other
        self.ratings = ratings

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def __contains__(self, key: object) -> bool:
        return isinstance(key, int | np.integer) and 0 <= int(key) < len(self)

    def __getitem__(self, key: int) -> list[tuple[int, float]]:
        if key not in self:
            raise KeyError(key)
        a, b = self.indptr[key], self.indptr[key + 1]
        return list(zip(self.other[a:b].tolist(), self.ratings[a:b].tolist(), strict=True))

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self)))

    def keys(self) -> range:
        return range(len(self))

    def items(self) -> Iterator[tuple[int, list[tuple[int, float]]]]:
        for k in range(len(self)):
            yield k, self[k]


class CompactTrainset(Trainset):  # type: ignore[misc]  # Trainset is Any: surprise ships no types
    """A surprise.Trainset whose ratings live in numpy arrays (see the module docstring).

    Inner ids follow first appearance in the given order, `all_ratings()` yields users in inner
    id order and each user's ratings in the given order, and `global_mean` is np.mean over that
    sequence: all three are what `Dataset.construct_trainset` produces.
    """

    CHUNK = 1 << 20

    def __init__(
        self, ratings: Ratings, rating_scale: tuple[float, float] = (RATING_MIN, RATING_MAX)
    ) -> None:
        u_codes, u_raw = pd.factorize(ratings.users, sort=False)
        i_codes, i_raw = pd.factorize(ratings.items, sort=False)
        u_codes = u_codes.astype(np.int32)
        i_codes = i_codes.astype(np.int32)
        order = np.argsort(u_codes, kind="stable")
        self.user_raw = np.asarray(u_raw, dtype=np.int64)
        self.item_raw = np.asarray(i_raw, dtype=object)
        self.u_sorted = u_codes[order]
        self.i_sorted = i_codes[order]
        self.r_sorted = ratings.ratings[order].astype(np.float64)
        u_indptr = np.zeros(len(self.user_raw) + 1, dtype=np.int64)
        np.cumsum(np.bincount(u_codes, minlength=len(self.user_raw)), out=u_indptr[1:])
        self._i_codes_fileorder = i_codes
        self._u_codes_fileorder = u_codes
        self._r_fileorder = ratings.ratings
        self._ir: _Grouped | None = None
        self.on_epoch: Callable[[], None] | None = None
        self.progress: Callable[[int], None] | None = None
        super().__init__(
            ur=_Grouped(u_indptr, self.i_sorted, self.r_sorted),
            ir=None,
            n_users=len(self.user_raw),
            n_items=len(self.item_raw),
            n_ratings=len(self.r_sorted),
            rating_scale=rating_scale,
            raw2inner_id_users={u: k for k, u in enumerate(self.user_raw.tolist())},
            raw2inner_id_items={t: k for k, t in enumerate(self.item_raw.tolist())},
        )
        self.mean_rating = float(np.mean(self.r_sorted))

    # Surprise's property would average all_ratings() on first use (a pass over every rating,
    # reported as an epoch); the mean is known from the arrays.
    @property
    def global_mean(self) -> float:
        return self.mean_rating

    # Surprise's Trainset sets `ir` in __init__; the property builds it only when an algorithm
    # (BaselineOnly's ALS) reads it, so SVD training never pays for the second orientation.
    @property
    def ir(self) -> _Grouped:
        if self._ir is None:
            order = np.argsort(self._i_codes_fileorder, kind="stable")
            indptr = np.zeros(self.n_items + 1, dtype=np.int64)
            np.cumsum(np.bincount(self._i_codes_fileorder, minlength=self.n_items), out=indptr[1:])
            self._ir = _Grouped(
                indptr, self._u_codes_fileorder[order], self._r_fileorder[order].astype(np.float64)
            )
        return self._ir

    @ir.setter
    def ir(self, value: _Grouped | None) -> None:  # Trainset.__init__ sets None
        self._ir = value

    def all_ratings(self) -> Iterator[tuple[int, int, float]]:
        # SVD.sgd calls this once per epoch: the natural place to report progress.
        if self.on_epoch is not None:
            self.on_epoch()
        for a in range(0, self.n_ratings, self.CHUNK):
            b = min(a + self.CHUNK, self.n_ratings)
            yield from zip(
                self.u_sorted[a:b].tolist(),
                self.i_sorted[a:b].tolist(),
                self.r_sorted[a:b].tolist(),
                strict=True,
            )
            if self.progress is not None:
                self.progress(b - a)

    def seen_csr(self) -> tuple[np.ndarray, np.ndarray]:
        """(indptr, item inner ids) per user inner id: the compact 'already rated' index."""
        dtype = np.uint16 if self.n_items <= np.iinfo(np.uint16).max else np.int32
        return self.ur.indptr.copy(), self.i_sorted.astype(dtype)
