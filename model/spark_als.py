"""Spark's ALS as a second training engine that fills the same arrays Surprise's SVD does.

The Recommender serves `mu + bu + bi + qi·pu` from a pickled `surprise.SVD` (docs/model.md).
Spark's `pyspark.ml.recommendation.ALS` has no biases, so, as docs/scaling.md §3.1 plans, the
biases are fitted first exactly as Surprise's `BaselineOnly` fits them (its ALS: 10 alternating
passes, reg_i 10, reg_u 15) and ALS factorises the residuals `r - mu - bu - bi`. The user and
title ids ALS sees are `CompactTrainset`'s inner ids, so its factors land in the artifact's row
order with no id mapping of their own, and `model.artifact_write.payload` writes the artifact:
fold-in prior, calibration and the seen index come out as for an SVD.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from surprise import SVD

from model.trainset import CompactTrainset

# Spark 4 runs on Java 17 or later.
MIN_JAVA = 17
DEFAULT_MASTER = "local[2]"
DEFAULT_DRIVER_MEMORY = "2g"

_LOG4J = """\
# Root at WARN, as Spark sets it for a shell (pyspark counts as one): when they differ Spark
# announces the change on stderr. The console shows errors only.
rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = spark %p %c{1}: %m%n
appender.console.filter.threshold.type = ThresholdFilter
appender.console.filter.threshold.level = error
"""


class SparkUnavailable(RuntimeError):
    """Spark cannot run here (no Java, old Java, no pyspark, the JVM failed); str(e) says why."""


@dataclass(frozen=True)
class ALSParams:
    """The defaults were chosen on one 80/20 split of the 1M demo ratings (fold 1 of the 5-fold
    KFold, seed 0; docs/model.md): regParam 0.02/0.05/0.1/0.15/0.25 at rank 50 gave RMSE
    1.057/0.959/0.912/0.905/0.923 (Surprise's SVD 0.906, BaselineOnly 0.935 on that split);
    rank 20 at 0.15 gave 0.906 in a fifth of rank 50's time, so 20 it is. ALS's regParam is
    multiplied by each user's and title's rating count, so it is not SVD's reg_all."""

    rank: int = 20
    max_iter: int = 10
    reg_param: float = 0.15
    # Surprise BaselineOnly's defaults (bsl_options): the biases are exactly its fit.
    bias_epochs: int = 10
    bias_reg_user: float = 15.0
    bias_reg_item: float = 10.0
    seed: int = 42


def under_spark_submit() -> bool:
    """True when spark-submit started this process (it hands Python its JVM gateway)."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def find_java() -> str | None:
    """The java binary Spark's launcher will use: $JAVA_HOME/bin/java, else java on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


def check_java() -> str:
    """The Java version string; SparkUnavailable with what to do when Spark cannot use it."""
    java = find_java()
    if java is None:
        raise SparkUnavailable(
            "Java is not installed (no JAVA_HOME, no java on PATH); the Spark engine needs"
            f" Java {MIN_JAVA}+: run `make java` (Debian's openjdk-17-jre-headless)"
        )
    try:
        out = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=60, check=False
        ).stderr
    except (OSError, subprocess.TimeoutExpired) as e:
        raise SparkUnavailable(f"{java} does not run ({e}); run `make java`") from e
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not m:
        raise SparkUnavailable(f"cannot tell the version of {java}: {out.strip()[:200]!r}")
    major = int(m.group(1)) if m.group(1) != "1" else int(m.group(2) or 0)
    if major < MIN_JAVA:
        raise SparkUnavailable(
            f"{java} is Java {major}; Spark 4 needs Java {MIN_JAVA}+: run `make java`"
        )
    return f"{major}"


@contextlib.contextmanager
def spark_session(
    master: str | None = DEFAULT_MASTER, driver_memory: str = DEFAULT_DRIVER_MEMORY
) -> Iterator[Any]:
    """A SparkSession with quiet logs, stopped on exit. In local mode everything binds to
    127.0.0.1; with a cluster master the driver must be reachable, so Spark picks the address.
    `master` None: spark-submit's (its --master, --driver-memory and JVM already apply)."""
    submitted = under_spark_submit()
    if not submitted:
        check_java()
    try:
        from pyspark.sql import SparkSession
    except ImportError as e:
        raise SparkUnavailable(
            "pyspark is not installed: pip install -e '.[spark]' (or '.[dev]')"
        ) from e
    with tempfile.TemporaryDirectory(prefix="streamrec-spark-") as tmp:
        log4j = Path(tmp) / "log4j2.properties"
        log4j.write_text(_LOG4J)
        builder = SparkSession.builder.appName("streamrec-als")
        if not submitted:  # else spark-submit started the JVM with its own settings
            builder = (
                builder.master(master or DEFAULT_MASTER)
                .config("spark.driver.memory", driver_memory)
                .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile=file:{log4j}")
            )
        builder = (
            builder.config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        )
        local = not submitted and (master or DEFAULT_MASTER).startswith("local")
        if local:
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
            builder = (
                builder.config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.local.dir", tmp)  # shuffle files go with the temporary folder
            )
        try:
            with warnings.catch_warnings():  # pyspark's pandas-3 notice; no pandas path is used
                warnings.simplefilter("ignore", FutureWarning)
                spark = builder.getOrCreate()
        except Exception as e:  # the JVM did not start: py4j/Java errors of many kinds
            raise SparkUnavailable(f"Spark did not start ({type(e).__name__}: {e})") from e
        try:
            spark.sparkContext.setLogLevel("ERROR")
            # Long ALS lineages overflow the stack without checkpoints; a cluster's would need
            # a shared file system, and 10 iterations stay within Spark's default interval.
            if (spark.sparkContext.master or "").startswith("local"):
                spark.sparkContext.setCheckpointDir(str(Path(tmp) / "checkpoints"))
            yield spark
        finally:
            spark.stop()


def baseline(trainset: CompactTrainset, params: ALSParams) -> tuple[np.ndarray, np.ndarray]:
    """(bu, bi) exactly as Surprise's BaselineOnly (method "als") computes them, vectorised:
    bi = Σ(r - mu - bu) / (reg_i + n_i), then bu = Σ(r - mu - bi) / (reg_u + n_u), repeated."""
    u, i, r = trainset.u_sorted, trainset.i_sorted, trainset.r_sorted
    n_u = np.bincount(u, minlength=trainset.n_users).astype(np.float64, copy=False)
    n_i = np.bincount(i, minlength=trainset.n_items).astype(np.float64, copy=False)
    dev = r - trainset.global_mean
    bu: np.ndarray = np.zeros(trainset.n_users)
    bi: np.ndarray = np.zeros(trainset.n_items)
    for _ in range(params.bias_epochs):
        bi = np.bincount(i, weights=dev - bu[u], minlength=trainset.n_items).astype(
            np.float64, copy=False
        )
        bi /= params.bias_reg_item + n_i
        bu = np.bincount(u, weights=dev - bi[i], minlength=trainset.n_users).astype(
            np.float64, copy=False
        )
        bu /= params.bias_reg_user + n_u
    return bu, bi


def _frame(spark: Any, trainset: CompactTrainset, residual: np.ndarray) -> Any:
    table = pa.table(
        {
            "user": pa.array(trainset.u_sorted, pa.int32()),
            "item": pa.array(trainset.i_sorted, pa.int32()),
            "rating": pa.array(residual, pa.float32()),
        }
    )
    with warnings.catch_warnings():  # pyspark warns about pandas 3, which this path never uses
        warnings.simplefilter("ignore", FutureWarning)
        return spark.createDataFrame(table)


def _factors(frame: Any, n: int, rank: int) -> np.ndarray:
    """ALS's (id, features) rows as an n × rank float64 array in id order; ids it never saw
    (none when every id has a rating) keep zero factors, Surprise's unknown-user answer."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        table = frame.toArrow()
    out = np.zeros((n, rank))
    ids = table.column("id").to_numpy()
    flat = table.column("features").combine_chunks().flatten().to_numpy(zero_copy_only=False)
    out[ids] = flat.reshape(len(ids), rank)
    return out


def fit(spark: Any, trainset: CompactTrainset, params: ALSParams) -> tuple[SVD, Any]:
    """Biases in numpy, ALS on the residuals in Spark; returns an SVD shell holding (pu, qi,
    bu, bi) in the trainset's inner-id order, and Spark's ALSModel."""
    from pyspark.ml.recommendation import ALS

    bu, bi = baseline(trainset, params)
    residual = (
        trainset.r_sorted - trainset.global_mean - bu[trainset.u_sorted] - bi[trainset.i_sorted]
    )
    df = _frame(spark, trainset, residual)
    parallelism = spark.sparkContext.defaultParallelism
    als = ALS(
        rank=params.rank,
        maxIter=params.max_iter,
        regParam=params.reg_param,
        userCol="user",
        itemCol="item",
        ratingCol="rating",
        implicitPrefs=False,
        nonnegative=False,
        seed=params.seed,
        numUserBlocks=max(2, parallelism),
        numItemBlocks=max(2, parallelism),
        coldStartStrategy="nan",
    )
    model = als.fit(df)
    algo = SVD(n_factors=params.rank, random_state=params.seed)
    algo.bu, algo.bi = bu, bi
    algo.pu = _factors(model.userFactors, trainset.n_users, params.rank)
    algo.qi = _factors(model.itemFactors, trainset.n_items, params.rank)
    return algo, model


def jvm_rss_mb() -> float | None:
    """Resident memory of the JVMs this process started (local mode: driver and executors)."""
    try:
        import psutil

        kids = psutil.Process().children(recursive=True)
        rss: int = sum(p.memory_info().rss for p in kids if "java" in p.name())
        return round(rss / 2**20, 1)
    except Exception:
        return None
