"""Issue 12: `train` tunes itself on the ratings it is given and never ships a model worse than
BaselineOnly; bad input gets a message, not a traceback; `evaluate` is nested; the fold-in
regulariser is chosen on held-out people; top-N results carry readable predicted ratings."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from surprise import BaselineOnly, Dataset, Reader

from model import Recommender, tune
from model.__main__ import main
from model.data import kfold_indices, ratings_from_frame
from model.evaluate import nested_cross_validate
from model.scoring import ndcg_at_k
from model.svd import SVDParams
from model.train import train
from tests.etl_helpers import calibrated

SMALL = SVDParams(n_factors=20, n_epochs=20, lr_all=0.01, reg_all=0.1, random_state=0)


def bias_only(seed: int = 0, n_users: int = 400, n_titles: int = 200, n: int = 20_000):
    """Ratings that are user effect + title effect + noise: no taste for factors to find."""
    rng = np.random.default_rng(seed)
    u = rng.integers(0, n_users, n * 2)
    i = rng.integers(0, n_titles, n * 2)
    key = np.unique(u * n_titles + i)[:n]
    key = key[rng.permutation(len(key))]
    u, i = key // n_titles, key % n_titles
    r = (
        3.5
        + rng.normal(0, 0.4, n_users)[u]
        + rng.normal(0, 0.5, n_titles)[i]
        + rng.normal(0, 0.8, len(u))
    )
    return pd.DataFrame(
        {
            "userId": u + 1,
            "rating": np.clip(np.round(r * 2) / 2, 0.5, 5),
            "timestamp": 1_500_000_000,
            "movieId": [f"ns{k}" for k in i],
        }
    )


def write_csv(df: pd.DataFrame, path: Path) -> Path:
    df[["userId", "rating", "timestamp", "movieId"]].to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    return calibrated(800, 30_000, seed=7)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, demo: pd.DataFrame) -> Path:
    d = tmp_path_factory.mktemp("tuned")
    path = write_csv(demo, d / "ratings.csv")
    train(d, SMALL, ratings_path=path, progress=False, budget=8)
    return d


def test_search_ships_svd_that_beats_the_baseline_on_real_like_data(demo: pd.DataFrame) -> None:
    sel = tune.select(ratings_from_frame(demo), SMALL, budget=15, folds=3)
    assert sel.chosen == "SVD" and sel.baseline_rmse is not None
    assert len(sel.candidates) >= 2
    assert len({json.dumps(c.params, sort_keys=True) for c in sel.candidates}) == len(
        sel.candidates
    )
    best = sel.best
    assert best is not None and best.rmse < sel.baseline_rmse * (1 - tune.SHIP_MARGIN)
    assert sel.params.n_factors == best.params["n_factors"]
    assert "below BaselineOnly" in sel.reason


def test_no_budget_means_no_unvalidated_factors(demo: pd.DataFrame) -> None:
    sel = tune.select(ratings_from_frame(demo), SMALL, budget=1e-9)
    assert sel.chosen == "BaselineOnly" and not sel.candidates
    assert sel.skipped_for_budget >= 1 and "budget" in sel.reason


def test_baseline_shipped_and_served_when_factors_do_not_help(tmp_path: Path) -> None:
    df = bias_only()
    path = write_csv(df, tmp_path / "ratings.csv")
    assert main(["train", "--data-dir", str(tmp_path), "--ratings", str(path), "--quiet"]) == 0
    meta = json.loads((tmp_path / "models" / "svd.json").read_text())
    assert "BaselineOnly" in meta["algorithm"] and meta["params"]["n_factors"] == 0
    assert meta["selection"]["chosen"] == "BaselineOnly"
    assert "did not beat" in (tmp_path / "reports" / "model.md").read_text()
    rec = Recommender.load(tmp_path / "models")
    # Exactly Surprise's own BaselineOnly, fitted on Surprise's own Trainset.
    data = Dataset.load_from_df(
        pd.DataFrame({"u": df.userId, "i": df.movieId, "r": df.rating}),
        Reader(rating_scale=(0.5, 5)),
    )
    base = BaselineOnly(verbose=False).fit(data.build_full_trainset())
    users = df.userId.unique()[:40]
    titles = df.movieId.unique()[:60]
    worst = max(
        abs(rec.predict(int(u), t).estimate - base.predict(int(u), t).est)
        for u in users
        for t in titles
    )
    assert worst <= 1e-9
    assert rec.similar(titles[0]) == []  # no factors: nothing says which titles are alike
    assert len(rec.top_n(int(users[0]), 5)) == 5
    v = rec.fold_in({titles[0]: 5.0, titles[1]: 4.5})
    assert v.n_ratings == 2 and v.factors.shape == (0,)


def _run(capsys: pytest.CaptureFixture, argv: list[str]) -> tuple[int, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.err + out.out


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("one_user", "one person"),
        ("one_title", "one title"),
        ("constant", "constant ratings"),
        ("out_of_range", "outside 0.5..5"),
        ("too_few", "too few"),
    ],
)
def test_bad_ratings_get_a_message_and_no_model(
    case: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    df = bias_only(n_users=30, n_titles=40, n=600)
    if case == "one_user":
        df["userId"] = 7
        df = df.drop_duplicates("movieId")
    elif case == "one_title":
        df["movieId"] = "ns1"
        df = df.drop_duplicates("userId")
    elif case == "constant":
        df["rating"] = 4.0
    elif case == "out_of_range":
        df.loc[df.index[::10], "rating"] = 7.0  # a 1..10 scale creeping in: 10% of rows
    elif case == "too_few":
        df = df.iloc[:40]
    path = write_csv(df, tmp_path / "r.csv")
    for cmd in ("train", "evaluate"):
        code, text = _run(capsys, [cmd, "--data-dir", str(tmp_path), "--ratings", str(path)])
        if case == "too_few" and cmd == "evaluate":
            assert code == 2 and "too few" in text
            continue
        assert code == 2, (cmd, text)
        assert message in text and "Traceback" not in text
    assert not (tmp_path / "models" / "svd.pkl").exists()
    if case == "too_few":  # asked for explicitly, the defaults train without validation
        code, text = _run(capsys, ["train", "--data-dir", str(tmp_path), "--ratings", str(path),
                                   "--no-search", "--quiet"])  # fmt: skip
        assert code == 0
        meta = json.loads((tmp_path / "models" / "svd.json").read_text())
        assert meta["selection"]["searched"] is False


def test_a_few_out_of_range_rows_are_skipped_and_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    df = bias_only(n=5000)
    df.loc[df.index[:3], "rating"] = 6.0
    path = write_csv(df, tmp_path / "r.csv")
    code, text = _run(capsys, ["train", "--data-dir", str(tmp_path), "--ratings", str(path),
                               "--quiet", "--budget", "5"])  # fmt: skip
    assert code == 0 and "skipped" in text
    meta = json.loads((tmp_path / "models" / "svd.json").read_text())
    assert meta["data"]["skipped"]["out_of_range"] == 3


def test_evaluate_with_more_folds_than_ratings_is_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    path = write_csv(bias_only(n_users=5, n_titles=5, n=12), tmp_path / "r.csv")
    argv = ["evaluate", "--data-dir", str(tmp_path), "--ratings", str(path), "--no-search"]
    code, text = _run(capsys, [*argv, "--folds", "50"])
    assert code == 2 and "folds" in text and "Traceback" not in text


def test_train_records_what_it_chose_and_why(trained: Path) -> None:
    meta = json.loads((trained / "models" / "svd.json").read_text())
    sel = meta["selection"]
    assert sel["searched"] and sel["budget_seconds"] == 8 and sel["baseline_rmse"] > 0
    assert sel["candidates"] and sel["reason"]
    assert meta["metrics"]["cv"]["rmse"] == min(c["rmse"] for c in sel["candidates"])
    md = (trained / "reports" / "model.md").read_text()
    assert "Why: " in md and "validation RMSE" in md and "budget" in md


def test_fold_in_regulariser_chosen_on_held_out_people(trained: Path) -> None:
    meta = json.loads((trained / "models" / "svd.json").read_text())
    f = meta["fold_in"]
    assert f["chosen_by"] == "held-out people" and f["method"] in ("ridge", "prior")
    assert f["users"] > 20 and f["reg"] > 0
    table = {name: {int(g): v for g, v in row.items()} for name, row in f["rmse"].items()}
    assert table[f["label"]][5] < table["baseline"][5]  # beats the unknown-user answer
    assert len(table) >= 8  # several ridge strengths and prior weights were compared
    rec = Recommender.load(trained / "models")
    assert rec.fold_in_reg == pytest.approx(f["reg"])
    k = rec.qi.shape[1] + 1
    if f["method"] == "ridge":
        assert np.array_equal(rec.prior_precision, np.eye(k)) and not rec.prior_mean.any()


def test_scores_people_can_read(trained: Path) -> None:
    rec = Recommender.load(trained / "models")
    generous = int(rec.user_ids[int(np.argmax(rec.bu))])
    top = rec.top_n(generous, 10)
    assert all(s.estimate == 5.0 for s in top[:3])  # what the chat showed: all 5.0
    predicted = [s.predicted for s in top]
    assert len({round(p, 2) for p in predicted}) >= 5  # ... the predicted rating discriminates
    assert all(0.5 < p < 5.0 for p in predicted)
    assert predicted == sorted(predicted, reverse=True)
    pct = [s.percentile for s in top]
    assert pct == sorted(pct, reverse=True) and 95 < pct[-1] <= pct[0] <= 100
    assert rec.expected_rating(np.array([2.0, 3.0, 4.0])).tolist() == sorted(
        rec.expected_rating(np.array([2.0, 3.0, 4.0])).tolist()
    )
    v = rec.fold_in({rec.title_ids[0]: 5.0, rec.title_ids[1]: 1.0})
    got = rec.top_n_for(v, 5)
    assert all(not np.isnan(s.predicted) and 0 < s.percentile <= 100 for s in got)


def test_nested_selection_never_sees_its_test_fold(
    demo: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    ratings = ratings_from_frame(demo.iloc[:8000])
    seen: list[set[tuple[int, str]]] = []
    real = tune.select

    def spy(r, *a, **k):
        seen.append(set(zip(r.users.tolist(), r.items.tolist(), strict=True)))
        return real(r, *a, **k)

    monkeypatch.setattr(tune, "select", spy)
    out = nested_cross_validate(ratings, SMALL, folds=2, seed=0, budget=3)
    assert len(seen) == 2 and len(out["selections"]) == 2
    for (tr, te), got in zip(kfold_indices(len(ratings), 2, 0), seen, strict=True):
        test_pairs = set(zip(ratings.users[te].tolist(), ratings.items[te].tolist(), strict=True))
        assert not got & test_pairs and len(got) == len(tr)
    algos = out["algorithms"]
    assert set(algos) == {"train (nested selection)", "SVD defaults", "BaselineOnly",
                          "NormalPredictor"}  # fmt: skip
    m = algos["train (nested selection)"]["metrics"]
    assert 0 < m["ndcg@10"] <= 1 and 0 < m["coverage@10"] <= 1 and m["popularity@10"] > 0
    base = algos["BaselineOnly"]["metrics"]
    # the baseline's lists are the same popularity order for everyone
    assert base["coverage@10"] < m["coverage@10"] or base["coverage@10"] < 0.05
    normal = algos["NormalPredictor"]["metrics"]
    assert 1.4 < normal["rmse"] / base["rmse"] < 1.8


def test_ndcg_by_hand() -> None:
    users = np.array([1, 1, 1, 2, 2, 3])
    true = np.array([5.0, 3.0, 1.0, 2.0, 4.0, 5.0])
    perfect = ndcg_at_k(true.copy(), true, users, k=10)
    assert perfect == pytest.approx(1.0)
    est = np.array([1.0, 3.0, 5.0, 4.0, 2.0, 3.0])  # both reversed; user 3 has one rating
    dcg1 = 1 / 1 + 3 / np.log2(3) + 5 / np.log2(4)
    idcg1 = 5 / 1 + 3 / np.log2(3) + 1 / np.log2(4)
    dcg2, idcg2 = 2 + 4 / np.log2(3), 4 + 2 / np.log2(3)
    assert ndcg_at_k(est, true, users, k=10) == pytest.approx((dcg1 / idcg1 + dcg2 / idcg2) / 2)
