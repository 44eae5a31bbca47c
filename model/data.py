"""Ratings in, Surprise trainsets out, without a Python tuple per rating.

`Dataset.load_from_df` keeps every rating as a Python tuple (about 4 objects each) and
`construct_trainset` keeps two more tuples per rating in `ur` and `ir`; at 11M ratings that is
several GB of small objects. `CompactTrainset` holds the same information in numpy arrays and
presents exactly the interface and iteration order Surprise's own `Trainset` has, so the
algorithms fitted on it learn bit-identical parameters (tests/model/test_model_data.py checks it);
it lives in model/trainset.py.
"""

from __future__ import annotations

import hashlib
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from domain.vocabulary import RATING_MAX, RATING_MIN

RATING_SCALE = (RATING_MIN, RATING_MAX)
COLUMNS = ("userId", "movieId", "rating")
TITLES_FILE = "titles.parquet"  # the catalogue beside processed ratings (docs/data.md)
# Above this share of unusable rows the file is not "ratings with a few anomalies" but the wrong
# file or the wrong scale, and training on the remainder would hide that.
MAX_BAD_SHARE = 0.01


class RatingsError(ValueError):
    """The ratings file cannot be used for training; the message says why."""


@dataclass
class Ratings:
    """Ratings as three aligned arrays, in file order (the order Surprise would see them)."""

    users: np.ndarray  # int64 raw user ids
    items: np.ndarray  # object array of str raw title ids
    ratings: np.ndarray  # float64
    source: str = ""
    fingerprint: str = ""
    skipped: dict[str, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ratings)

    def subset(self, index: np.ndarray) -> Ratings:
        return Ratings(self.users[index], self.items[index], self.ratings[index], self.source)


def file_fingerprint(path: Path) -> str:
    """sha256 of the file bytes: the model is tied to exactly the data it was trained on."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            h.update(block)
    return "sha256:" + h.hexdigest()


def read_ratings(path: Path, strict: bool = False) -> Ratings:
    """Read ratings.parquet (docs/data.md) or a raw ratings CSV (userId,rating,timestamp,movieId).

    Rows with a null or a rating outside 0.5..5 are skipped and counted (the ETL keeps and reports
    them, it does not fix them); when they are more than 1% of the file, or with `strict`, the
    file is refused with a RatingsError.

    Ratings of titles the catalogue does not hold are skipped and counted too, when a
    titles.parquet sits beside the ratings (processed/): a title that left every platform keeps
    its ratings in the data (the ETL drops no row), but a model trained on them would be refused
    by the catalogue it serves (too few of its titles there), so every later refresh would fail.
    """
    path = Path(path)
    if not path.is_file():
        raise RatingsError(f"ratings file not found: {path}")
    try:
        if path.suffix == ".parquet":
            table = pq.read_table(path, columns=list(COLUMNS))
        else:
            table = _read_csv(path)
    except RatingsError:
        raise
    except (pa.ArrowInvalid, pa.ArrowTypeError, KeyError, ValueError, OSError) as e:
        raise RatingsError(f"cannot read ratings from {path}: {e}") from e
    if table.num_rows == 0:
        raise RatingsError(f"{path} holds no ratings")
    users_col = table.column("userId")
    items_col = table.column("movieId")
    rating_col = table.column("rating")
    if not pa.types.is_integer(users_col.type):
        raise RatingsError(f"{path}: userId must be integers, found {users_col.type}")
    if not (pa.types.is_string(items_col.type) or pa.types.is_large_string(items_col.type)):
        items_col = items_col.cast(pa.string())
    try:
        rating_col = rating_col.cast(pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as e:
        raise RatingsError(f"{path}: rating must be numbers ({e})") from e

    null = (
        np.asarray(users_col.is_null())
        | np.asarray(items_col.is_null())
        | np.asarray(rating_col.is_null())
    )
    ratings = rating_col.to_numpy(zero_copy_only=False)
    with np.errstate(invalid="ignore"):
        out = ~null & ~((ratings >= RATING_MIN) & (ratings <= RATING_MAX))
    bad = null | out
    skipped = {"null": int(null.sum()), "out_of_range": int(out.sum())}
    n_bad = int(bad.sum())
    if n_bad:
        where = f"{path}: {skipped['null']} rows with a null and {skipped['out_of_range']}"
        where += f" ratings outside {RATING_MIN}..{RATING_MAX} out of {len(bad)}"
        if strict or n_bad > MAX_BAD_SHARE * len(bad):
            raise RatingsError(where + "; the file is not on the 0.5..5 scale or is malformed")
        print(f"warning: {where}; those rows are skipped", file=sys.stderr)
    keep = ~bad
    known = _catalogue_ids(path)
    if known is not None:
        gone = keep & ~np.asarray(pc.is_in(items_col, value_set=known).fill_null(False))
        skipped["unknown_title"] = int(gone.sum())
        if skipped["unknown_title"]:
            print(
                f"warning: {path}: {skipped['unknown_title']} ratings of titles not in"
                f" {path.parent / TITLES_FILE} are left out of training",
                file=sys.stderr,
            )
            keep &= ~gone
    if not keep.any():
        raise RatingsError(f"{path} holds no usable ratings")
    users = users_col.to_numpy(zero_copy_only=False)[keep].astype(np.int64)
    items = np.asarray(items_col.to_numpy(zero_copy_only=False), dtype=object)[keep]
    return Ratings(
        users=users,
        items=items,
        ratings=ratings[keep].astype(np.float64),
        source=str(path),
        fingerprint=file_fingerprint(path),
        skipped=skipped,
    )


def _catalogue_ids(ratings_path: Path) -> pa.Array | None:
    """The ids of titles.parquet beside a ratings.parquet, None when there is none (a CSV, a
    ratings file of its own)."""
    titles = ratings_path.parent / TITLES_FILE
    if ratings_path.suffix != ".parquet" or not titles.is_file():
        return None
    try:
        ids = pq.read_table(titles, columns=["id"]).column("id")
    except (pa.ArrowInvalid, KeyError, OSError):
        return None  # not a catalogue we can read: train on every rating, as before
    return ids.combine_chunks().cast(pa.string())


def _read_csv(path: Path) -> pa.Table:
    import pyarrow.csv as pacsv

    try:
        table = pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(
                include_columns=list(COLUMNS),
                column_types={"userId": pa.int64(), "movieId": pa.string(), "rating": pa.float64()},
            ),
        )
    except (pa.ArrowInvalid, KeyError) as e:
        raise RatingsError(
            f"{path} is not a ratings CSV with the columns userId,rating,timestamp,movieId: {e}"
        ) from e
    return table


def ratings_from_frame(df: pd.DataFrame) -> Ratings:
    """Ratings from a frame with userId, movieId, rating (tests and benchmarks)."""
    return Ratings(
        users=df["userId"].to_numpy(dtype=np.int64),
        items=np.asarray(df["movieId"].astype(str).to_numpy(), dtype=object),
        ratings=df["rating"].to_numpy(dtype=np.float64),
    )


def kfold_indices(n: int, n_splits: int, seed: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(train, test) row indices exactly as surprise.model_selection.KFold(shuffle=True) splits."""
    if n_splits < 2 or n_splits > n:
        raise ValueError(f"cannot make {n_splits} folds of {n} ratings")
    indices = np.arange(n)
    np.random.RandomState(seed).shuffle(indices)
    start = stop = 0
    for fold in range(n_splits):
        start = stop
        stop += n // n_splits
        if fold < n % n_splits:
            stop += 1
        yield np.concatenate([indices[:start], indices[stop:]]), indices[start:stop]


class EpochProgress:
    """Prints a line per epoch (at most one every `every` seconds) to stderr; tqdm's carriage
    returns would flood a log file."""

    def __init__(
        self, n_epochs: int, n_ratings: int, label: str = "SVD", every: float = 2.0
    ) -> None:
        self.every = every
        self.last_print = 0.0
        self.n_epochs = n_epochs
        self.n_ratings = n_ratings
        self.label = label
        self.epoch = 0
        self.t0 = self.t_epoch = time.perf_counter()

    def __call__(self) -> None:
        now = time.perf_counter()
        if self.epoch and (now - self.last_print >= self.every or self.epoch == self.n_epochs):
            self.last_print = now
            dt_ = now - self.t_epoch
            print(
                f"{self.label}: epoch {self.epoch}/{self.n_epochs} done in {dt_:.1f} s"
                f" ({self.n_ratings / max(dt_, 1e-9) / 1e6:.2f}M ratings/s)",
                file=sys.stderr,
                flush=True,
            )
        self.epoch += 1
        self.t_epoch = now

    def finish(self) -> None:
        self()
        print(
            f"{self.label}: {self.n_epochs} epochs in {time.perf_counter() - self.t0:.1f} s",
            file=sys.stderr,
            flush=True,
        )


# Seconds between progress lines of a long fit or loop, at most (Ticker's default)
PROGRESS_EVERY = 10.0


class Ticker:
    """A progress line at most every `every` seconds, with an ETA from the share done: for loops
    that can run minutes (the search's fold fits, the fold-in choice; issue 22 asks for a line
    at least every ~10 s). `tick(done, total, what)` is cheap when no line is due."""

    def __init__(
        self,
        log: Callable[[str], None],
        label: str,
        every: float | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.log, self.label, self.clock = log, label, clock
        self.every = PROGRESS_EVERY if every is None else every
        self.t0 = self.last = clock()

    def tick(self, done: float, total: float, what: str = "") -> None:
        now = self.clock()
        if now - self.last < self.every:
            return
        self.last = now
        spent = now - self.t0
        eta = f", about {spent * (total - done) / done:.0f} s left" if 0 < done < total else ""
        self.log(f"{self.label}: {what or f'{done:g}/{total:g}'}, {spent:.0f} s{eta}")


class Heartbeat:
    """A line whenever nothing has been said for `every` seconds (PROGRESS_EVERY) while work with
    no hook to tick from runs (a ridge fit inside scikit-learn, an SVD fit run quietly):
    "hybrid: fitting ridge alpha 1, 20 s". The work's own lines go through `say`, so a line is
    printed only in the silences; `doing` names the step now running.

        with Heartbeat(log, "hybrid") as hb:
            hb.doing("fitting ridge alpha 1")
            ...
            hb.say("hybrid: new titles, ridge alpha 1: RMSE 1.0047")
    """

    def __init__(
        self,
        log: Callable[[str], None],
        label: str,
        what: str = "working",
        every: float | None = None,
    ) -> None:
        self.log, self.label = log, label
        self.every = PROGRESS_EVERY if every is None else every
        self.what = what  # the step running until the first `doing`
        self.last = self.since = time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat {label}", daemon=True)

    def say(self, line: str) -> None:
        self.last = time.perf_counter()
        self.log(line)

    def doing(self, what: str) -> None:
        self.what, self.since = what, time.perf_counter()

    def _beat(self) -> None:
        while not self._stop.wait(max(0.0, self.last + self.every - time.perf_counter())):
            now = time.perf_counter()
            if now - self.last >= self.every:
                self.say(f"{self.label}: {self.what}, {now - self.since:.0f} s")

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
