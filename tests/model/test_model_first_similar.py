"""What a process's first /similar needs comes with the model, built at training:

- the co-raters index (title -> the people who rated it), written beside the model
  (raters.<model_id>.npy) and memory-mapped at load instead of built on the first /similar
  (1.4 s at 11M ratings); the answers are the same with it, without it (an older model: a scan
  per call) and as the index built at serving time gave them before;
- the content rows weighted to unit length, stored in the content part (50 ms at the real
  titles), bit-identical to what serving computed.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from model import Recommender, similarity
from model.artifact import RATERS_FILE
from model.synthetic import Synthetic, generate, write_parquet
from model.train import train
from tests.model.test_model_hybrid import PARAMS
from tests.model.test_model_hybrid import _content as write_content_of


@pytest.fixture(scope="module")
def synth() -> Synthetic:
    return generate(n_users=400, n_titles=200, n_ratings=14000, seed=5)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory, synth: Synthetic) -> Path:
    data = tmp_path_factory.mktemp("raters")
    write_parquet(synth.frame, data / "processed" / "ratings.parquet")
    write_content_of(synth, data / "processed" / "content.npz")
    train(data, PARAMS, progress=False, search=False)
    return data


def _raters_file(models: Path) -> Path:
    meta = json.loads((models / "svd.json").read_text())
    return models / RATERS_FILE.format(model_id=meta["model_id"])


def _answers(rec: Recommender, n: int = 8) -> list[list[tuple[str, float, tuple[str, ...], int]]]:
    return [
        [(s.title_id, s.similarity, s.reasons, s.co_rated) for s in rec.similar_explained(t, n)]
        for t in rec.title_ids
    ]


def test_training_writes_the_index_and_serving_maps_it(data: Path, synth: Synthetic) -> None:
    models = data / "models"
    path = _raters_file(models)
    assert [p.name for p in models.glob("raters.*")] == [path.name]
    rec = Recommender.load(models)
    assert rec._raters is not None
    indptr, users = rec._raters
    assert isinstance(users, np.memmap) and users.dtype == np.int32  # mapped, not read
    # the people who rated each title, as the ratings say
    who = synth.frame.groupby("movieId").userId.apply(set).to_dict()
    for j, t in enumerate(rec.title_ids):
        got = {int(rec.user_ids[u]) for u in rec.raters(j)}
        assert got == who.get(t, set())
        assert len(rec.raters(j)) == indptr[j + 1] - indptr[j]
    meta = json.loads((models / "svd.json").read_text())
    assert meta["raters_file_bytes"] == path.stat().st_size


def test_co_rated_counts_are_the_people_who_rated_both(data: Path, synth: Synthetic) -> None:
    rec = Recommender.load(data / "models")
    who = synth.frame.groupby("movieId").userId.apply(set).to_dict()
    for i in range(0, len(rec.title_ids), 7):
        co = rec._co_rated(i)
        mine = who.get(rec.title_ids[i], set())
        expect = [len(mine & who.get(t, set())) for t in rec.title_ids]
        assert co.tolist() == expect


@pytest.mark.parametrize("max_raters", [similarity.MAX_RATERS, 25])
def test_similar_is_the_same_with_the_index_without_it_and_as_before(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, max_raters: int
) -> None:
    """With the file, with it missing (an older model, or a copy without it), with a file that
    does not fit, and as the serving-time transpose gave it before: the same lists, scores,
    reasons and co-rater counts; 25 makes much-rated titles take the seeded sample."""
    monkeypatch.setattr(similarity, "MAX_RATERS", max_raters)
    models = data / "models"
    with_file = Recommender.load(models)
    expected = _answers(with_file)
    assert any(c > 0 for rows in expected for *_, c in rows)

    missing = tmp_path / "missing"
    missing.mkdir()
    for name in ("svd.pkl", "svd.json"):
        shutil.copy(models / name, missing / name)
    rec = Recommender.load(missing)
    assert rec._raters is None
    assert _answers(rec) == expected

    wrong = tmp_path / "wrong"
    shutil.copytree(missing, wrong)
    short = np.zeros(10, dtype=np.int32)  # a file under this model's name that is not its own
    np.save(_raters_file(wrong), short)
    rec = Recommender.load(wrong)
    assert rec._raters is None
    assert _answers(rec) == expected

    # before: the index transposed at serving time, on the first /similar
    t_indptr, t_users = similarity.transpose_index(
        with_file.seen_indptr, with_file.seen_items, len(with_file.title_ids)
    )
    n = len(with_file.title_ids)
    for i in range(n):
        old = similarity.co_rated(
            i, t_users[t_indptr[i] : t_indptr[i + 1]], rec.seen_indptr, rec.seen_items, n
        )
        assert np.array_equal(old, with_file._co_rated(i))


def test_retraining_replaces_the_index_file(data: Path, tmp_path: Path) -> None:
    work = tmp_path / "data"
    shutil.copytree(data / "processed", work / "processed")
    train(work, PARAMS, progress=False, search=False)
    first = _raters_file(work / "models")
    mapped = Recommender.load(work / "models")  # a process serving the first model
    train(work, PARAMS, progress=False, search=False)
    second = _raters_file(work / "models")
    assert first != second and second.is_file() and not first.exists()
    assert [p.name for p in (work / "models").glob("raters.*")] == [second.name]
    # the process that mapped the first file still answers (its mapping outlives the unlink)
    assert mapped.similar_explained(mapped.title_ids[0], 3)
    assert Recommender.load(work / "models")._raters is not None


def test_weighted_unit_rows_are_the_diagonal_products_bit_for_bit(data: Path) -> None:
    """The content rows /similar compares, scaled on the CSR data: the same float32 numbers as
    the products with diagonal matrices they replace (x · diag(w), then diag(1/‖row‖) · that)."""
    import scipy.sparse as sp

    rec = Recommender.load(data / "models")
    assert rec.content is not None
    keep = np.ones(rec.content.shape[0], dtype=np.float32)
    keep[3] = 0.0  # a title with no content at all keeps an empty row
    x = sp.csr_matrix(sp.diags(keep) @ rec.content, dtype=np.float32)
    x.eliminate_zeros()
    features = rec.content_features
    w = np.sqrt(
        np.array(
            [similarity.BLOCK_WEIGHTS.get(b, 0.1) for b in similarity.block_of(features)],
            dtype=np.float32,
        )
    )
    m = sp.csr_matrix(x @ sp.diags(w), dtype=np.float32)
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    before = sp.csr_matrix(sp.diags(scale.astype(np.float32)) @ m)
    got = similarity.weighted_unit(x, features)
    assert got.dtype == np.float32 and got[3].nnz == 0
    for a in ("data", "indices", "indptr"):
        assert np.array_equal(getattr(got, a), getattr(before, a)), a


def test_the_weighted_rows_come_with_the_model(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Loaded, not built; equal to what serving builds; other block weights in the code than
    the model's are not served from the stored rows but rebuilt with the code's."""
    rec = Recommender.load(data / "models")
    assert rec._unit is not None and rec.content is not None
    built = similarity.weighted_unit(rec.content, rec.content_features)
    for a in ("data", "indices", "indptr"):
        assert np.array_equal(getattr(rec._unit, a), getattr(built, a)), a
    monkeypatch.setitem(similarity.BLOCK_WEIGHTS, "genre", 0.3)
    other = Recommender.load(data / "models")
    assert other._unit is None
    rebuilt = other._content_unit
    assert rebuilt is not None and not np.array_equal(rebuilt.data, built.data)
    assert np.array_equal(
        rebuilt.data, similarity.weighted_unit(rec.content, rec.content_features).data
    )
