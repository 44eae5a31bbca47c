"""CompactTrainset is what Surprise would build; ratings files are read or refused clearly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from surprise import SVD, BaselineOnly, Dataset, Reader
from surprise.model_selection import KFold

from model.data import (
    RatingsError,
    kfold_indices,
    ratings_from_frame,
    read_ratings,
)
from model.synthetic import generate, write_parquet
from model.trainset import CompactTrainset


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return generate(n_users=150, n_titles=60, n_ratings=3000, seed=5).frame


def _surprise_data(frame: pd.DataFrame) -> Dataset:
    return Dataset.load_from_df(
        frame[["userId", "movieId", "rating"]], Reader(rating_scale=(0.5, 5))
    )


def user_ids(ts: Any) -> dict[Any, int]:
    """raw user id -> inner id, through Surprise's public Trainset methods."""
    return {ts.to_raw_uid(u): u for u in ts.all_users()}


def item_ids(ts: Any) -> dict[Any, int]:
    return {ts.to_raw_iid(i): i for i in ts.all_items()}


def test_compact_trainset_equals_surprise_trainset(frame: pd.DataFrame) -> None:
    ref = _surprise_data(frame).build_full_trainset()
    ts = CompactTrainset(ratings_from_frame(frame))
    assert user_ids(ts) == user_ids(ref)
    assert item_ids(ts) == item_ids(ref)
    assert list(ts.all_ratings()) == list(ref.all_ratings())
    assert ts.global_mean == ref.global_mean
    assert (ts.n_users, ts.n_items, ts.n_ratings) == (ref.n_users, ref.n_items, ref.n_ratings)
    assert all(ts.ur[u] == ref.ur[u] for u in ref.all_users())
    assert all(ts.ir[i] == ref.ir[i] for i in ref.all_items())
    assert ts.knows_user(0) and not ts.knows_user("UKN__1") and not ts.knows_item(10**6)


def test_algorithms_learn_bit_identical_parameters(frame: pd.DataFrame) -> None:
    ref = _surprise_data(frame).build_full_trainset()
    ts = CompactTrainset(ratings_from_frame(frame))
    a = SVD(n_factors=5, n_epochs=3, random_state=1).fit(ref)
    b = SVD(n_factors=5, n_epochs=3, random_state=1).fit(ts)
    for name in ("pu", "qi", "bu", "bi"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    a = BaselineOnly(verbose=False).fit(ref)
    b = BaselineOnly(verbose=False).fit(ts)
    assert np.array_equal(a.bu, b.bu) and np.array_equal(a.bi, b.bi)


def test_folds_are_surprise_kfold_folds(frame: pd.DataFrame) -> None:
    data = _surprise_data(frame)
    ratings = ratings_from_frame(frame)
    ours = list(kfold_indices(len(ratings), 5, seed=7))
    theirs = list(KFold(n_splits=5, random_state=7, shuffle=True).split(data))
    for (tr, te), (ref_train, ref_test) in zip(ours, theirs, strict=True):
        ts = CompactTrainset(ratings.subset(tr))
        assert list(ts.all_ratings()) == list(ref_train.all_ratings())
        assert item_ids(ts) == item_ids(ref_train)
        got = list(zip(ratings.users[te].tolist(), ratings.items[te].tolist(), strict=True))
        assert got == [(u, i) for u, i, _ in ref_test]


def test_read_parquet_and_csv(tmp_path: Path, frame: pd.DataFrame) -> None:
    p = write_parquet(frame, tmp_path / "ratings.parquet")
    r = read_ratings(p)
    assert len(r) == len(frame) and r.fingerprint.startswith("sha256:")
    assert r.users.dtype == np.int64 and r.ratings.dtype == np.float64
    assert isinstance(r.items[0], str)
    csv = tmp_path / "ratings.csv"
    raw = frame.assign(timestamp=1_500_000_000)[["userId", "rating", "timestamp", "movieId"]]
    raw.to_csv(csv, index=False)
    c = read_ratings(csv)
    assert np.array_equal(c.users, r.users) and np.array_equal(c.ratings, r.ratings)
    assert list(c.items) == list(r.items)


def test_bad_files_are_refused_with_a_reason(tmp_path: Path, frame: pd.DataFrame) -> None:
    with pytest.raises(RatingsError, match="not found"):
        read_ratings(tmp_path / "nope.parquet")
    empty = tmp_path / "empty.csv"
    empty.write_text("userId,rating,timestamp,movieId\n")
    with pytest.raises(RatingsError, match="no ratings"):
        read_ratings(empty)
    junk = tmp_path / "junk.csv"
    junk.write_text("hello,world\n1,2\n")
    with pytest.raises(RatingsError, match="userId,rating,timestamp,movieId"):
        read_ratings(junk)
    bad_parquet = tmp_path / "bad.parquet"
    bad_parquet.write_bytes(b"PAR1 garbage")
    with pytest.raises(RatingsError, match="cannot read"):
        read_ratings(bad_parquet)
    ten = frame.assign(rating=frame["rating"] * 2)  # a 1..10 scale
    with pytest.raises(RatingsError, match=r"0\.5\.\.5 scale"):
        read_ratings(write_parquet(ten, tmp_path / "ten.parquet"))


def test_a_few_out_of_range_ratings_are_skipped_and_counted(
    tmp_path: Path, frame: pd.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    dirty = frame.copy()
    dirty.loc[dirty.index[:3], "rating"] = 7.0
    r = read_ratings(write_parquet(dirty, tmp_path / "dirty.parquet"))
    assert len(r) == len(frame) - 3 and r.skipped["out_of_range"] == 3
    assert "skipped" in capsys.readouterr().err
    with pytest.raises(RatingsError):
        read_ratings(tmp_path / "dirty.parquet", strict=True)


def test_ratings_of_titles_gone_from_the_catalogue_are_left_out(
    tmp_path: Path, frame: pd.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    """A title that left every platform keeps its ratings in ratings.parquet (the ETL drops no
    row); training beside that titles.parquet leaves them out, so the model's titles are the
    catalogue's and the catalogue accepts it (a refresh after a title leaves must not fail)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = write_parquet(frame, tmp_path / "processed" / "ratings.parquet")
    every = read_ratings(path)  # no titles.parquet beside it: every rating, as before
    assert len(every) == len(frame)
    titles = sorted(set(frame.movieId.astype(str)))
    kept = titles[: len(titles) // 2]
    pq.write_table(pa.table({"id": kept}), tmp_path / "processed" / "titles.parquet")
    some = read_ratings(path)
    assert set(some.items) == set(kept)
    assert len(some) == int(frame.movieId.astype(str).isin(kept).sum())
    assert some.skipped["unknown_title"] == len(frame) - len(some)
    assert "left out of training" in capsys.readouterr().err
