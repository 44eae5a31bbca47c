"""model.Recommender against Surprise itself, on small latent-factor data built in the test."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest
from surprise import SVD

from model import ModelError, Recommender
from model.artifact_write import payload, save
from model.data import ratings_from_frame
from model.recommender import _top_indices
from model.svd import SVDParams, fit
from model.synthetic import Synthetic, generate, write_parquet
from model.train import train
from model.trainset import CompactTrainset

PARAMS = SVDParams(n_factors=8, n_epochs=15, lr_all=0.01, reg_all=0.05, random_state=3)


@pytest.fixture(scope="module")
def synth() -> Synthetic:
    return generate(n_users=300, n_titles=120, n_ratings=9000, seed=11)


@pytest.fixture(scope="module")
def fitted(synth: Synthetic) -> tuple[SVD, CompactTrainset]:
    """A fitted SVD that still has its trainset, for calling Surprise's own predict."""
    return fit(ratings_from_frame(synth.frame), PARAMS, progress=False)


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory, synth: Synthetic) -> Path:
    data = tmp_path_factory.mktemp("data")
    write_parquet(synth.frame, data / "processed" / "ratings.parquet")
    train(data, PARAMS, progress=False, search=False)  # these exact parameters, for Surprise
    return data / "models"


@pytest.fixture(scope="module")
def rec(models_dir: Path, synth: Synthetic) -> Recommender:
    return Recommender.load(models_dir, title_kinds=synth.kind_of)


def test_predictions_equal_surprise_for_every_known_pair(
    fitted: tuple[SVD, CompactTrainset], rec: Recommender
) -> None:
    algo, ts = fitted
    users, titles = ts.user_raw.tolist(), ts.item_raw.tolist()
    worst = 0.0
    for u in users[::3]:
        for t in titles:
            worst = max(worst, abs(rec.predict(u, t).estimate - algo.predict(u, t).est))
    assert worst <= 1e-9
    # Every rated pair too, and the reason says it is a known pair.
    for u, t, _ in list(ts.all_ratings())[:2000]:
        raw_u, raw_t = ts.to_raw_uid(u), ts.to_raw_iid(t)
        p = rec.predict(raw_u, raw_t)
        assert abs(p.estimate - algo.predict(raw_u, raw_t).est) <= 1e-9
        assert p.reason_code == "known"
        assert p.recommended == (p.estimate >= 3.5)


def test_prediction_carries_its_raw_score_and_expected_rating(
    fitted: tuple[SVD, CompactTrainset], rec: Recommender
) -> None:
    """The unclipped score (Surprise's est before clipping) and its expected rating come with
    every prediction, so front ends show a figure that is not stuck at 5.0 (issue 12)."""
    algo, ts = fitted
    lo, hi = rec.rating_scale
    for u in ts.user_raw.tolist()[:20]:
        for t in ts.item_raw.tolist()[:50]:
            p = rec.predict(u, t)
            unclipped = algo.predict(u, t, clip=False).est
            assert abs(p.raw - unclipped) <= 1e-9
            assert p.estimate == min(hi, max(lo, p.raw))
            assert p.predicted == float(rec.expected_rating(p.raw))
            assert lo <= p.predicted <= hi


def test_user_ids_accepted_as_ints_of_any_kind(rec: Recommender) -> None:
    u = int(rec.user_ids[0])
    t = rec.title_ids[0]
    expected = rec.predict(u, t).estimate
    assert rec.predict(np.int32(u), t).estimate == expected
    assert rec.predict(str(u), t).estimate == expected
    assert rec.knows_user(u) and rec.knows_user(np.int64(u)) and not rec.knows_user(True)


def test_unknown_ids_fall_back_like_surprise(
    fitted: tuple[SVD, CompactTrainset], rec: Recommender
) -> None:
    algo, _ = fitted
    u, t = int(rec.user_ids[5]), rec.title_ids[7]
    cases = {
        "unknown_user": (999_999, t),
        "unknown_title": (u, "ns999999"),
        "unknown_both": (999_999, "ns999999"),
    }
    for code, (uu, tt) in cases.items():
        p = rec.predict(uu, tt)
        assert p.reason_code == code
        assert abs(p.estimate - algo.predict(uu, tt).est) <= 1e-9
        assert "training data" in p.reason or "no ratings in the model" in p.reason
    assert rec.predict("not a number", t).reason_code == "unknown_user"
    assert rec.predict(None, None).reason_code == "unknown_both"  # type: ignore[arg-type]


def test_threshold_decides(models_dir: Path) -> None:
    low = Recommender.load(models_dir, threshold=0.5)
    high = Recommender.load(models_dir, threshold=5.0)
    u, t = int(low.user_ids[0]), low.title_ids[0]
    assert low.predict(u, t).recommended
    p = high.predict(u, t)
    assert p.recommended == (p.estimate >= 5.0)
    assert "threshold 5.00" in p.reason


def test_top_n_matches_brute_force_surprise_loop(
    fitted: tuple[SVD, CompactTrainset], rec: Recommender
) -> None:
    algo, ts = fitted
    for inner_u in (0, 17, 123):
        raw_u = ts.to_raw_uid(inner_u)
        seen = {i for i, _ in ts.ur[inner_u]}
        loop = [
            (algo.predict(raw_u, ts.to_raw_iid(i), clip=False).est, ts.to_raw_iid(i))
            for i in range(ts.n_items)
            if i not in seen
        ]
        loop.sort(key=lambda x: -x[0])
        got = rec.top_n(raw_u, n=15)
        assert [s.title_id for s in got] == [t for _, t in loop[:15]]
        for s, (est, _) in zip(got, loop, strict=False):
            assert abs(s.raw - est) <= 1e-9
            assert s.estimate == min(5.0, max(0.5, s.raw))
        assert not {s.title_id for s in rec.top_n(raw_u, n=ts.n_items)} & {
            ts.to_raw_iid(i) for i in seen
        }


@pytest.mark.parametrize("n", [5000, 23_000])
def test_top_indices_is_exact_with_ties_and_excluded(n: int) -> None:
    rng = np.random.default_rng(n)
    for trial in range(30):
        raw = np.round(rng.normal(size=n), 2 if trial % 2 else 6)  # many ties when rounded
        raw[rng.random(n) < rng.choice([0.0, 0.5, 0.97, 0.9995])] = -np.inf
        for k in (1, 10, 50):
            got = _top_indices(raw.copy(), k)
            finite = np.flatnonzero(np.isfinite(raw))
            want = finite[np.lexsort((finite, -raw[finite]))][:k]
            assert got.tolist() == want.tolist()


def test_top_n_filters(rec: Recommender, synth: Synthetic) -> None:
    u = int(rec.user_ids[0])
    for s in rec.top_n(u, 20, platform="netflix"):
        assert s.title_id.startswith("n")
    for s in rec.top_n(u, 20, platform="hulu", kind="tv show"):
        assert s.title_id.startswith("h") and synth.kind_of[s.title_id] == "tv show"
    assert rec.top_n(u, 0) == []
    with pytest.raises(ValueError, match="platform"):
        rec.top_n(u, 5, platform="hbo")
    # An unknown user gets Surprise's fallback ranking: the title biases.
    fallback = rec.top_n(10**9, 5)
    assert [s.title_id for s in fallback] == [
        rec.title_ids[j] for j in np.argsort(-rec.bi, kind="stable")[:5]
    ]


def test_similar_is_cosine_of_title_factors(rec: Recommender) -> None:
    t = rec.title_ids[3]
    got = rec.similar(t, 5)
    q = rec.qi / np.linalg.norm(rec.qi, axis=1, keepdims=True)
    cos = q @ q[3]
    cos[3] = -np.inf
    assert [x for x, _ in got] == [rec.title_ids[j] for j in np.argsort(-cos)[:5]]
    assert all(-1.0 <= c <= 1.0 for _, c in got)
    assert rec.similar("nope", 5) == []


def test_pickle_carries_no_trainset_and_json_describes_it(models_dir: Path) -> None:
    body = pickle.loads((models_dir / "svd.pkl").read_bytes())
    assert body["algo"].trainset is None
    meta = json.loads((models_dir / "svd.json").read_text())
    assert meta["params"]["n_factors"] == PARAMS.n_factors
    assert meta["data"]["fingerprint"].startswith("sha256:")
    assert meta["data"]["ratings"] > 0 and meta["model_id"] == body["model_id"]


def test_missing_and_corrupt_models_are_rejected_cleanly(tmp_path: Path, models_dir: Path) -> None:
    with pytest.raises(ModelError, match="missing"):
        Recommender.load(tmp_path)
    (tmp_path / "svd.json").write_text((models_dir / "svd.json").read_text())
    good = (models_dir / "svd.pkl").read_bytes()
    for bad in (b"", b"not a pickle at all", good[: len(good) // 2], good[:-10] + b"x" * 10):
        (tmp_path / "svd.pkl").write_bytes(bad)
        with pytest.raises(ModelError, match=r"corrupt|not a"):
            Recommender.load(tmp_path)
    # A pickle that would run code is refused before anything runs.
    (tmp_path / "svd.pkl").write_bytes(b"cos\nsystem\n(S'touch /tmp/pwned'\ntR.")
    with pytest.raises(ModelError, match=r"os\.system|posix\.system"):
        Recommender.load(tmp_path)
    # A valid pickle of something else.
    (tmp_path / "svd.pkl").write_bytes(pickle.dumps({"format": "other"}))
    with pytest.raises(ModelError, match="not a streamrec-svd model"):
        Recommender.load(tmp_path)
    (tmp_path / "svd.json").write_text("{broken")
    with pytest.raises(ModelError, match="not valid JSON"):
        Recommender.load(tmp_path)


def test_model_and_metadata_from_different_trainings_are_rejected(
    tmp_path: Path, models_dir: Path
) -> None:
    (tmp_path / "svd.pkl").write_bytes((models_dir / "svd.pkl").read_bytes())
    meta = json.loads((models_dir / "svd.json").read_text())
    meta["model_id"] = "0" * 32
    (tmp_path / "svd.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="different trainings"):
        Recommender.load(tmp_path)


def test_inconsistent_arrays_are_rejected(
    tmp_path: Path, fitted: tuple[SVD, CompactTrainset]
) -> None:
    algo, ts = fitted
    clone = pickle.loads(pickle.dumps(algo))
    body = payload(clone, ts)
    body["title_ids"] = body["title_ids"][:-1]
    save(tmp_path, body, {"format": "streamrec-svd"})
    with pytest.raises(ModelError, match="do not fit together"):
        Recommender.load(tmp_path)


def test_model_for_another_catalogue_is_rejected(models_dir: Path) -> None:
    other = {f"zs{k}": "movie" for k in range(500)}
    with pytest.raises(ModelError, match="other data than this catalogue"):
        Recommender.load(models_dir, title_kinds=other)
    rec = Recommender.load(models_dir)
    assert rec.coverage(other) == 0.0
    assert rec.coverage(rec.title_ids) == 1.0
