"""`--engine spark`: Spark's ALS (local mode, a real JVM) writing the artifact the Recommender
serves, its cross-validation on Surprise's folds, and the clear errors when Spark cannot run.

The Spark tests start a JVM each (15-40 s on the 2 shared cores) and are marked slow; CI runs
them (`.ci/run`: `make java`, then `make test-slow`). They skip only where no Java exists.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from surprise import BaselineOnly

from model import spark_als
from model.__main__ import main
from model.data import read_ratings
from model.evaluate import cross_validate
from model.recommender import Recommender
from model.scoring import inner_ids, predict_all
from model.spark_als import ALSParams, SparkUnavailable
from model.svd import SVDParams
from model.synthetic import generate, write_parquet
from model.trainset import CompactTrainset
from tests.model.test_model_hybrid import N_NEW
from tests.model.test_model_hybrid import _content as write_content_of

ROOT = Path(__file__).resolve().parents[2]
needs_java = pytest.mark.skipif(
    spark_als.find_java() is None,
    reason="no Java here (JAVA_HOME, PATH); `make java` installs Debian's openjdk-17-jre-headless",
)
# Small ALS so a fit takes seconds; the 1M-rating defaults are measured in docs/benchmarks.md.
SMALL = ALSParams(rank=10, max_iter=10, reg_param=0.05)


@pytest.fixture(scope="module")
def split(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray, np.ndarray]:
    """Synthetic ratings, 80 % in <data>/processed/ratings.parquet, 20 % held out."""
    frame = generate(n_users=600, n_titles=300, n_ratings=30_000, seed=3).frame
    test = np.random.default_rng(0).random(len(frame)) < 0.2
    data = tmp_path_factory.mktemp("spark") / "data"
    write_parquet(frame[~test].reset_index(drop=True), data / "processed" / "ratings.parquet")
    held = frame[test]
    return data, held["userId"].to_numpy(), np.c_[held["movieId"], held["rating"]]


def _small_args(data: Path) -> list[str]:
    p = SMALL
    return ["--data-dir", str(data), "--rank", str(p.rank), "--max-iter", str(p.max_iter),
            "--reg-param", str(p.reg_param), "--spark-driver-memory", "1g"]  # fmt: skip


# ---- without a JVM --------------------------------------------------------------------------


def test_biases_are_surprise_baselineonly_exactly(split) -> None:
    trainset = CompactTrainset(read_ratings(split[0] / "processed" / "ratings.parquet"))
    bu, bi = spark_als.baseline(trainset, ALSParams())
    ref = BaselineOnly(verbose=False).fit(trainset)
    assert np.abs(bu - ref.bu).max() < 1e-9
    assert np.abs(bi - ref.bi).max() < 1e-9
    assert np.abs(bi).max() > 0.1  # the data has real title effects to find


def test_unknown_engine_is_refused_with_the_choices(capsys) -> None:
    with pytest.raises(SystemExit) as e:
        main(["train", "--engine", "flink"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'flink'" in err and "'spark'" in err and "'surprise'" in err


def test_bad_als_parameters_are_a_message(split, capsys) -> None:
    assert main(["train", "--engine", "spark", "--data-dir", str(split[0]), "--rank", "0"]) == 2
    assert "--rank and --max-iter must be at least 1" in capsys.readouterr().err


def test_missing_java_is_a_clear_error_and_writes_nothing(split, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no java on it
    out = tmp_path / "data"
    out.mkdir()
    (out / "processed").symlink_to(split[0] / "processed")
    proc = subprocess.run(
        [sys.executable, "-m", "model", "train", "--engine", "spark", "--data-dir", str(out)],
        capture_output=True, text=True, cwd=ROOT, env=dict(os.environ), timeout=120,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert "Java is not installed" in proc.stderr and "make java" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (out / "models").exists()


def test_too_old_java_is_named(tmp_path, monkeypatch) -> None:
    fake = tmp_path / "bin" / "java"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'openjdk version \"11.0.22\" 2024-01-16' >&2\n")
    fake.chmod(0o755)
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    with pytest.raises(SparkUnavailable, match=r"is Java 11; Spark 4 needs Java 17\+"):
        spark_als.check_java()


def test_missing_pyspark_is_a_clear_error(monkeypatch) -> None:
    monkeypatch.setattr(spark_als, "check_java", lambda: "17")
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)  # import raises ImportError
    with (
        pytest.raises(SparkUnavailable, match="pyspark is not installed"),
        spark_als.spark_session(),
    ):
        pass


def test_evaluation_after_training_is_copied_into_the_spark_model_only(tmp_path) -> None:
    """evaluate --engine spark after train --engine spark: svd.json gets the figures when the
    data and ALS parameters match; a Surprise model or other parameters keep theirs."""
    from dataclasses import asdict

    from model.spark_train import EVAL_FILE, _attach

    params = ALSParams()
    models, reports = tmp_path / "models", tmp_path / "reports"
    models.mkdir()
    reports.mkdir()
    als = {"metrics": {"rmse": 0.91, "mae": 0.73}, "std": {}, "params": asdict(params)}
    algos = {"Spark ALS": als, "BaselineOnly": {"metrics": {"rmse": 0.94}}}
    report = {"data": {"fingerprint": "sha256:x"}, "folds": 3, "algorithms": algos}
    (reports / EVAL_FILE).write_text(json.dumps(report))
    meta_path = models / "svd.json"

    def attach(meta: dict) -> dict:
        meta_path.write_text(json.dumps(meta))
        _attach(meta_path, report, params)
        return json.loads(meta_path.read_text())

    spark_meta = {
        "engine": "spark",
        "data": {"fingerprint": "sha256:x"},
        "params": {**asdict(params), "n_factors": params.rank},
        "metrics": {},
    }
    cv = attach(spark_meta)["metrics"]["cv"]
    assert cv["rmse"] == 0.91 and cv["baseline_rmse"] == 0.94 and cv["protocol"] == "plain"
    assert "cv" not in attach({**spark_meta, "engine": None})["metrics"]
    other = {**spark_meta, "params": {**spark_meta["params"], "rank": 50}}
    assert "cv" not in attach(other)["metrics"]
    assert "cv" not in attach({**spark_meta, "data": {"fingerprint": "sha256:y"}})["metrics"]


# ---- with a JVM -----------------------------------------------------------------------------


@needs_java
@pytest.mark.slow
def test_spark_factors_land_in_the_artifact_rows_spark_scores(split) -> None:
    """The Recommender's score of a pair equals mu + bu + bi + Spark's own ALS prediction: the
    factors are in the rows of the ids the artifact names (a shuffled mapping fails this)."""
    ratings = read_ratings(split[0] / "processed" / "ratings.parquet")
    trainset = CompactTrainset(ratings)
    with spark_als.spark_session(driver_memory="1g") as spark:
        algo, model = spark_als.fit(spark, trainset, SMALL)
        rng = np.random.default_rng(1)
        u = rng.integers(0, trainset.n_users, 200).astype(np.int32)
        i = rng.integers(0, trainset.n_items, 200).astype(np.int32)
        pairs = spark.createDataFrame(list(zip(u.tolist(), i.tolist(), strict=True)),
                                      ["user", "item"])  # fmt: skip
        got = {(r.user, r.item): r.prediction for r in model.transform(pairs).collect()}
    spark_pred = np.array([got[(a, b)] for a, b in zip(u.tolist(), i.tolist(), strict=True)])
    ours = predict_all(algo, trainset, u.astype(np.int64), i.astype(np.int64))
    expect = np.clip(trainset.global_mean + algo.bu[u] + algo.bi[i] + spark_pred, 0.5, 5.0)
    assert np.abs(ours - expect).max() < 1e-4  # Spark scores in float32
    assert np.abs(spark_pred).max() > 0.1  # the factors carry something


@needs_java
@pytest.mark.slow
def test_cli_evaluate_then_train_serves_as_well_as_surprise(split) -> None:
    """`evaluate --engine spark` on Surprise's folds, then `train --engine spark`: the artifact
    loads in the Recommender, beats BaselineOnly clearly and is within 5 % of Surprise's SVD
    on held-out ratings; svd.json names the engine and carries the evaluation's figures."""
    data, users, held = split
    cmd = [sys.executable, "-m", "model"]
    ev = subprocess.run(
        [*cmd, "evaluate", "--engine", "spark", "--folds", "2", "--no-search",
         "--factors", "20", "--epochs", "20", *_small_args(data)],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )  # fmt: skip
    assert ev.returncode == 0, ev.stderr[-3000:]
    assert "| Spark ALS |" in ev.stdout and "| SVD |" in ev.stdout
    report = json.loads((data / "reports" / "spark_eval.json").read_text())
    als = report["algorithms"]["Spark ALS"]["metrics"]["rmse"]
    assert als < report["algorithms"]["BaselineOnly"]["metrics"]["rmse"] * 0.95
    # The same folds: Surprise's figures equal a cross_validate run of our own.
    ratings = read_ratings(data / "processed" / "ratings.parquet")
    ours = cross_validate(ratings, SVDParams(n_factors=20, n_epochs=20), ("BaselineOnly",), 2, 0)
    assert report["algorithms"]["BaselineOnly"]["metrics"]["rmse"] == pytest.approx(
        ours["BaselineOnly"]["metrics"]["rmse"], abs=1e-12
    )

    tr = subprocess.run(
        [*cmd, "train", "--engine", "spark", *_small_args(data)],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )  # fmt: skip
    assert tr.returncode == 0, tr.stderr[-3000:]
    # Quiet: none of Spark's log4j lines ("26/11/30 22:11:45 WARN Utils: ...") nor its notices.
    assert not re.search(r"^\S+ \S+ (INFO|WARN) ", tr.stderr, re.M), tr.stderr[-3000:]
    assert "log level" not in tr.stderr and "log4j" not in tr.stderr
    meta = json.loads((data / "models" / "svd.json").read_text())
    assert meta["engine"] == "spark" and meta["params"]["rank"] == SMALL.rank
    assert meta["metrics"]["cv"]["rmse"] == pytest.approx(als)
    rec = Recommender.load(data / "models")
    est = np.array(
        [rec.predict(int(u), str(t)).estimate for u, (t, _) in zip(users, held, strict=True)]
    )
    truth = held[:, 1].astype(float)
    rmse = float(np.sqrt(np.mean((est - truth) ** 2)))

    trainset = CompactTrainset(ratings)
    test = type(ratings)(users.astype(np.int64), held[:, 0].astype(object), truth)
    u, i = inner_ids(trainset, test)
    svd = SVDParams(n_factors=20, n_epochs=20).algo().fit(trainset)
    svd_rmse = float(np.sqrt(np.mean((predict_all(svd, trainset, u, i) - truth) ** 2)))
    base = BaselineOnly(verbose=False).fit(trainset)
    base_rmse = float(np.sqrt(np.mean((predict_all(base, trainset, u, i) - truth) ** 2)))
    assert rmse < base_rmse * 0.95, (rmse, base_rmse)
    assert rmse < svd_rmse * 1.05, (rmse, svd_rmse)
    # The serving paths that need biases and factors work as for an SVD.
    some_user = int(users[0])
    assert len(rec.top_n(some_user, 10)) == 10 and rec.knows_user(some_user)
    assert len(rec.similar(str(held[0, 0]), 5)) == 5
    vec = rec.fold_in({str(t): float(r) for t, r in held[:5]})
    assert vec.n_ratings == 5 and np.isfinite(vec.factors).all()


@needs_java
@pytest.mark.slow
def test_spark_submit_runs_the_same_command_with_its_master(split, tmp_path) -> None:
    """`spark-submit --master ... model/__main__.py train --engine spark`: spark-submit's master
    and driver memory apply (no --spark-master given) and the artifact is the same kind."""
    out = tmp_path / "data"
    out.mkdir()
    (out / "processed").symlink_to(split[0] / "processed")
    venv_python = str(Path(sys.executable))
    env = {**os.environ, "PYSPARK_PYTHON": venv_python, "PYSPARK_DRIVER_PYTHON": venv_python,
           "SPARK_LOCAL_IP": "127.0.0.1"}  # fmt: skip
    submit = Path(sys.executable).parent / "spark-submit"
    proc = subprocess.run(
        [str(submit), "--master", "local[1]", "--driver-memory", "1g", "--conf",
         "spark.ui.enabled=false", str(ROOT / "model" / "__main__.py"), "train", "--engine",
         "spark", "--data-dir", str(out), "--rank", "5", "--max-iter", "3"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    meta = json.loads((out / "models" / "svd.json").read_text())
    assert meta["spark"]["master"] == "local[1]" and meta["spark"]["driver_memory"] == "1g"
    assert "on local[1]" in meta["why"]
    rec = Recommender.load(out / "models")
    assert rec.qi.shape[1] == 5 and len(rec.top_n(int(split[1][0]), 3)) == 3


@needs_java
@pytest.mark.slow
def test_spark_training_gets_the_hybrid_and_new_titles_are_served_from_content(
    tmp_path: Path,
) -> None:
    """train --engine spark beside a content.npz: the ridge strength is chosen with ALS fits
    (svd.json says so), titles nobody rated join the model with values from their content, and
    a genre's fans are predicted to like its new titles more than the others' (without the
    hybrid those titles are unknown and every one of them scores mean + person bias)."""
    from model.content import read_content
    from model.spark_train import train_spark

    synth = generate(n_users=400, n_titles=200, n_ratings=14000, seed=5)
    data = tmp_path / "data"
    write_parquet(synth.frame, data / "processed" / "ratings.parquet")
    new = write_content_of(synth, data / "processed" / "content.npz")
    meta = train_spark(data, SMALL, driver_memory="1g", log=lambda _: None)
    h = meta["hybrid"]
    assert h["used"] is True and h["chosen_with"] == "Spark ALS"
    assert h["content_titles"] == N_NEW and h["content_helps"] is True
    assert h["new_title_rmse"][f"alpha {h['alpha']:g}"] < h["new_title_rmse"]["mean + person bias"]
    assert meta["seconds"]["hybrid"] > 0
    rec = Recommender.load(data / "models")
    assert rec.has_content and all(rec.knows_title(t) for t in new)
    assert (rec.title_counts[[rec._inner_title(t) for t in new]] == 0).all()
    content = read_content(data / "processed" / "content.npz")
    genre_of_new = {
        t: content.features[content.matrix[content.ids.index(t)].indices[0]] for t in new
    }
    frame = synth.frame.assign(genre=synth.frame.movieId.map(synth.genre_of))
    dev = frame.rating - frame.groupby("userId").rating.transform("mean")
    fans = frame.assign(dev=dev).groupby(["userId", "genre"]).dev.mean().unstack()
    hits = []
    for g in fans.columns:
        for u in fans[g].nlargest(10).index:
            own = [rec.predict(int(u), t).raw for t in new if genre_of_new[t] == f"genre:{g}"]
            rest = [rec.predict(int(u), t).raw for t in new if genre_of_new[t] != f"genre:{g}"]
            hits.append(np.mean(own) > np.mean(rest))
    assert np.mean(hits) > 0.7
    # top-N and a newcomer's list reach the new titles too
    assert any(s.title_id in new for u in range(1, 60) for s in rec.top_n(u, 20))
    g0 = next(iter(genre_of_new.values()))
    liked = [t for t in rec.title_ids if f"genre:{synth.genre_of.get(t)}" == g0][:3]
    vec = rec.fold_in(dict.fromkeys(liked, 5.0))
    assert any(s.title_id in new for s in rec.top_n_for(vec, 30))
