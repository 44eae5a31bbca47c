"""What the model learns: SVD beats the baselines, fold-in places new users sensibly."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from model import Recommender
from model.__main__ import main
from model.artifact_write import payload
from model.data import ratings_from_frame
from model.evaluate import cross_validate, fold_in_accuracy, make_algo
from model.scoring import decision_metrics, inner_ids, predict_all
from model.svd import SVDParams, fit
from model.synthetic import GENRES, Synthetic, generate, write_parquet
from model.trainset import CompactTrainset

PARAMS = SVDParams(n_factors=10, n_epochs=30, lr_all=0.01, reg_all=0.05, random_state=0)


@pytest.fixture(scope="module")
def synth() -> Synthetic:
    return generate(n_users=600, n_titles=150, n_ratings=24_000, seed=2)


@pytest.fixture(scope="module")
def rec(synth: Synthetic) -> Recommender:
    algo, ts = fit(ratings_from_frame(synth.frame), PARAMS, progress=False)
    return Recommender(payload(algo, ts), {}, title_kinds=synth.kind_of)


def test_svd_cv_rmse_clearly_below_baseline(synth: Synthetic) -> None:
    result = cross_validate(ratings_from_frame(synth.frame), PARAMS, folds=3, seed=0)
    svd, base, rand = (result[a]["metrics"] for a in ("SVD", "BaselineOnly", "NormalPredictor"))
    assert svd["rmse"] < 0.9 * base["rmse"] < 0.9 * rand["rmse"]
    assert svd["mae"] < base["mae"]
    assert svd["precision@10"] > base["precision@10"] > rand["precision@10"]


def test_vectorised_cv_predictions_equal_surprise_predict(synth: Synthetic) -> None:
    ratings = ratings_from_frame(synth.frame)
    ts = CompactTrainset(ratings.subset(np.arange(0, len(ratings) - 500)))
    test = ratings.subset(np.arange(len(ratings) - 520, len(ratings)))  # some unknown ids too
    test.users[:5] = 10**8
    u, i = inner_ids(ts, test)
    for name in ("SVD", "BaselineOnly"):
        algo = make_algo(name, PARAMS).fit(ts)
        est = predict_all(algo, ts, u, i)
        ref = [algo.predict(a, b).est for a, b in zip(test.users, test.items, strict=True)]
        assert np.max(np.abs(est - ref)) <= 1e-9, name


def test_decision_metrics_by_hand() -> None:
    est = np.array([4.0, 3.0, 5.0, 2.0, 4.5])
    true = np.array([4.0, 4.0, 2.0, 1.0, 5.0])
    users = np.array([1, 1, 1, 2, 2])
    m = decision_metrics(est, true, users, threshold=3.5, k=2)
    assert m["precision"] == pytest.approx(2 / 3) and m["recall"] == pytest.approx(2 / 3)
    # user 1 top-2 by estimate: 5.0 (not relevant), 4.0 (relevant) -> 1/2; user 2: 4.5 -> 1/1
    assert m["precision@2"] == pytest.approx((0.5 + 1.0) / 2)
    assert m["rmse"] == pytest.approx(np.sqrt(np.mean((est - true) ** 2)))


def test_fold_in_horror_fan_lands_near_horror(rec: Recommender, synth: Synthetic) -> None:
    horror = [t for t in rec.title_ids if synth.genre_of[t] == "horror"]
    vector = rec.fold_in(dict.fromkeys(horror[:6], 5.0), user_id=77)
    assert vector.n_ratings == 6 and vector.user_id == 77
    unit = vector.factors / np.linalg.norm(vector.factors)
    closeness = {}
    for genre in GENRES:
        idx = [rec._title_index[t] for t in rec.title_ids if synth.genre_of[t] == genre]
        centre = rec.qi[idx].mean(axis=0)
        closeness[genre] = float(unit @ centre / np.linalg.norm(centre))
    assert max(closeness, key=closeness.get) == "horror", closeness
    top = rec.top_n_for(vector, 10)
    genres = [synth.genre_of[s.title_id] for s in top]
    # Popular titles of other genres may still place (the title bias counts), but horror leads.
    assert genres.count("horror") >= 5
    assert max(set(genres), key=genres.count) == "horror", genres
    assert not {s.title_id for s in top} & set(horror[:6])
    # Predictions for the fan: horror above the rest on average.
    preds = {g: [] for g in GENRES}
    for t in rec.title_ids:
        preds[synth.genre_of[t]].append(rec.predict_for(vector, t).estimate)
    assert np.mean(preds["horror"]) > max(np.mean(v) for g, v in preds.items() if g != "horror")


def test_fold_in_edge_cases(rec: Recommender) -> None:
    t = rec.title_ids[0]
    empty = rec.fold_in({"zz1": 4.0})
    assert empty.n_ratings == 0 and empty.ignored == ("zz1",)
    p = rec.predict_for(empty, t)
    assert p.reason_code == "unknown_user"
    assert p.estimate == pytest.approx(rec.predict(10**9, t).estimate)
    assert rec.predict_for(rec.fold_in({t: 4.0}), "zz1").reason_code == "unknown_title"
    with pytest.raises(ValueError, match="outside"):
        rec.fold_in({t: 6.0})
    with pytest.raises(ValueError, match="number"):
        rec.fold_in({t: "five"})  # type: ignore[dict-item]
    got = rec.top_n_for(rec.fold_in({t: 4.0}), 5, exclude=[rec.title_ids[1]])
    assert t not in {s.title_id for s in got} and rec.title_ids[1] not in {s.title_id for s in got}


def test_fold_in_of_a_training_user_recovers_close_predictions(
    rec: Recommender, synth: Synthetic
) -> None:
    """Folding in a known user's own ratings lands near their trained vector."""
    u = int(rec.user_ids[0])
    mine = synth.frame[synth.frame.userId == u]
    v = rec.fold_in(dict(zip(mine.movieId, mine.rating.astype(float), strict=True)))
    diffs = [rec.predict(u, t).estimate - rec.predict_for(v, t).estimate for t in rec.title_ids]
    assert np.sqrt(np.mean(np.square(diffs))) < 0.35


def test_fold_in_beats_unknown_user_fallback(synth: Synthetic) -> None:
    result = fold_in_accuracy(
        ratings_from_frame(synth.frame), PARAMS, given=(3, 5, 10, 20), n_users=60, seed=1
    )
    rmse = result["rmse"]
    for g in (3, 5, 10, 20):
        assert rmse["fold-in"][g] < rmse["baseline"][g], (g, rmse)
    assert rmse["fold-in"][20] < 0.85 * rmse["baseline"][20]


def test_cli_train_then_evaluate(tmp_path: Path, synth: Synthetic) -> None:
    write_parquet(synth.frame.iloc[:6000], tmp_path / "processed" / "ratings.parquet")
    opts = ["--data-dir", str(tmp_path), "--factors", "5", "--epochs", "5"]
    assert main(["train", *opts, "--quiet", "--budget", "30"]) == 0
    meta = json.loads((tmp_path / "models" / "svd.json").read_text())
    sel = meta["selection"]
    assert sel["searched"] and sel["candidates"] and sel["baseline_rmse"] > 0
    assert sel["candidates"][0]["params"]["n_factors"] == 5 or len(sel["candidates"]) > 1
    assert meta["metrics"]["cv"]["source"] == "search"
    report = (tmp_path / "reports" / "model.md").read_text()
    assert "Why: " in report and "validation RMSE" in report and "BaselineOnly" in report
    ev = ["evaluate", *opts, "--folds", "2", "--fold-in-users", "20", "--budget", "5"]
    assert main(ev) == 0
    report = (tmp_path / "reports" / "model.md").read_text()
    assert "Why: " in report  # train's section is kept next to the evaluation
    for row in ("| train (nested selection) |", "| SVD defaults |", "| BaselineOnly |"):
        assert row in report
    assert "| NormalPredictor |" in report and "NDCG@10" in report and "coverage" in report
    assert "given 20" in report and "(chosen)" in report
    meta = json.loads((tmp_path / "models" / "svd.json").read_text())
    assert meta["metrics"]["cv"]["folds"] == 2  # evaluate attached its CV to the same model
    assert meta["metrics"]["cv"]["protocol"] == "nested"
    rec = Recommender.load(tmp_path / "models")
    assert rec.metadata["metrics"]["cv"]["rmse"] > 0
    spec = '{"n_factors": [2, 5], "reg_all": [0.05]}'
    grid = ["--grid", "--grid-spec", spec, "--grid-folds", "2", "--no-fold-in", "--folds", "2"]
    assert main(["evaluate", *opts, "--no-search", *grid]) == 0
    assert "| SVD |" in (tmp_path / "reports" / "model.md").read_text()
    best = json.loads((tmp_path / "reports" / "model_grid.json").read_text())["best"]
    assert best["params"]["n_factors"] in (2, 5)
    assert main(["train", "--data-dir", str(tmp_path), "--from-grid", "--quiet"]) == 0
    meta = json.loads((tmp_path / "models" / "svd.json").read_text())
    assert meta["params"] == best["params"] and not meta["selection"]["searched"]
    assert main(["evaluate", *opts, "--grid", "--grid-spec", '{"bogus": [1]}']) == 2


def test_cli_refuses_a_bad_ratings_file(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    bad = tmp_path / "r.csv"
    bad.write_text("userId,rating,timestamp,movieId\n")
    assert main(["evaluate", "--ratings", str(bad), "--data-dir", str(tmp_path)]) == 2
    assert "no ratings" in capsys.readouterr().err
    assert main(["train", "--data-dir", str(tmp_path)]) == 2
