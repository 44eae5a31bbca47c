"""Train Surprise's SVD on ratings.parquet and write data/models/svd.pkl + svd.json."""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import platform
import resource
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import surprise
from surprise import SVD

from model.data import CompactTrainset, EpochProgress, Ratings, read_ratings
from model.recommender import FORMAT, FORMAT_VERSION, META_FILE, MODEL_FILE


@dataclass(frozen=True)
class SVDParams:
    """Hyper-parameters; the defaults come from the evidence in docs/model.md."""

    n_factors: int = 20
    n_epochs: int = 40
    lr_all: float = 0.02
    reg_all: float = 0.05
    random_state: int = 42

    def algo(self, verbose: bool = False) -> SVD:
        return SVD(
            n_factors=self.n_factors,
            n_epochs=self.n_epochs,
            lr_all=self.lr_all,
            reg_all=self.reg_all,
            random_state=self.random_state,
            verbose=verbose,
        )


def fit(ratings: Ratings, params: SVDParams, progress: bool = True) -> tuple[SVD, CompactTrainset]:
    trainset = CompactTrainset(ratings)
    if progress:
        trainset.on_epoch = EpochProgress(params.n_epochs, trainset.n_ratings)
    algo = params.algo().fit(trainset)
    if progress:
        trainset.on_epoch.finish()  # type: ignore[union-attr]
        trainset.on_epoch = None
    return algo, trainset


def estimates(algo: SVD, users: np.ndarray, items: np.ndarray, global_mean: float) -> np.ndarray:
    """Unclipped SVD estimates for inner (user, item) pairs, vectorised in chunks."""
    out = np.empty(len(users))
    step = 1 << 20
    for a in range(0, len(users), step):
        u, i = users[a : a + step], items[a : a + step]
        out[a : a + len(u)] = (
            global_mean + algo.bu[u] + algo.bi[i] + np.einsum("ij,ij->i", algo.pu[u], algo.qi[i])
        )
    return out


def user_prior(algo: SVD) -> tuple[np.ndarray, np.ndarray]:
    """Mean and precision matrix of the trained users' (bias, factors): fold-in's regulariser."""
    x = np.hstack([np.asarray(algo.bu)[:, None], np.asarray(algo.pu)])
    mean = x.mean(axis=0)
    cov = np.cov(x, rowvar=False) if len(x) > 1 else np.eye(x.shape[1])
    cov = np.atleast_2d(cov)
    # A little ridge keeps the precision finite when few users or a flat factor make cov singular.
    cov += np.eye(len(cov)) * max(1e-3 * float(np.mean(np.diag(cov))), 1e-9)
    return mean, np.linalg.inv(cov)


def payload(
    algo: SVD, trainset: CompactTrainset, fold_in_reg: float | None = None
) -> dict[str, Any]:
    """What serving needs: the algorithm without its trainset, id maps, the seen index and the
    fold-in prior. `fold_in_reg` (the noise variance weighing the prior) defaults to the
    training mean squared error, which held-out users showed to be near the best (docs/model.md).
    """
    est = estimates(algo, trainset.u_sorted, trainset.i_sorted, trainset.global_mean)
    err = np.clip(est, *trainset.rating_scale) - trainset.r_sorted
    train_mse = float(np.mean(err**2))
    prior_mean, prior_precision = user_prior(algo)
    algo.trainset = None  # the ratings themselves never go into the model file
    indptr, seen = trainset.seen_csr()
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "model_id": uuid.uuid4().hex,
        "algo": algo,
        "global_mean": float(trainset.global_mean),
        "rating_scale": tuple(trainset.rating_scale),
        "user_ids": trainset.user_raw,
        "title_ids": trainset.item_raw.tolist(),
        "seen_indptr": indptr,
        "seen_items": seen,
        "fold_in_reg": float(train_mse if fold_in_reg is None else fold_in_reg),
        "prior_mean": prior_mean,
        "prior_precision": prior_precision,
        "train_rmse": float(np.sqrt(train_mse)),
        "train_mae": float(np.mean(np.abs(err))),
    }


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; the serving process may be another user
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save(models_dir: Path, body: dict[str, Any], metadata: dict[str, Any]) -> tuple[Path, Path]:
    """Write svd.pkl then svd.json, each atomically; both carry the same model_id."""
    metadata = {**metadata, "model_id": body["model_id"]}
    pkl = models_dir / MODEL_FILE
    meta = models_dir / META_FILE
    _atomic_write(pkl, pickle.dumps(body, protocol=5))
    metadata["model_file_bytes"] = pkl.stat().st_size
    _atomic_write(meta, (json.dumps(metadata, indent=2) + "\n").encode())
    return pkl, meta


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cv_metrics_for(reports_dir: Path, fingerprint: str, params: SVDParams) -> dict | None:
    """SVD's cross-validated metrics from `evaluate`, when they are for this data and params."""
    path = reports_dir / "model.json"
    try:
        report = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None
    svd = report.get("algorithms", {}).get("SVD")
    if report.get("data", {}).get("fingerprint") != fingerprint or not svd:
        return None
    if svd.get("params") != asdict(params):
        return None
    return {"folds": report.get("folds"), **svd.get("metrics", {})}


def train(
    data_dir: Path,
    params: SVDParams,
    fold_in_reg: float | None = None,
    ratings_path: Path | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """The whole `python -m model train`: returns the metadata written to svd.json."""
    data_dir = Path(data_dir)
    path = ratings_path or data_dir / "processed" / "ratings.parquet"
    t0 = time.perf_counter()
    ratings = read_ratings(path)
    t_read = time.perf_counter() - t0
    print(
        f"read {len(ratings):,} ratings from {path} in {t_read:.1f} s", file=sys.stderr, flush=True
    )
    t1 = time.perf_counter()
    algo, trainset = fit(ratings, params, progress=progress)
    t_fit = time.perf_counter() - t1
    body = payload(algo, trainset, fold_in_reg)
    metadata: dict[str, Any] = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "algorithm": "surprise.SVD",
        "params": asdict(params),
        "fold_in_reg": body["fold_in_reg"],
        "data": {
            "path": str(path),
            "fingerprint": ratings.fingerprint,
            "ratings": trainset.n_ratings,
            "users": trainset.n_users,
            "titles": trainset.n_items,
            "skipped": ratings.skipped,
        },
        "global_mean": trainset.global_mean,
        "rating_scale": list(trainset.rating_scale),
        "seconds": {"read": round(t_read, 2), "fit": round(t_fit, 2)},
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "metrics": {
            "train_rmse": body["train_rmse"],
            "train_mae": body["train_mae"],
            "cv": cv_metrics_for(data_dir / "reports", ratings.fingerprint, params),
        },
        "versions": {
            "surprise": surprise.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
    }
    pkl, meta = save(data_dir / "models", body, metadata)
    print(
        f"trained on {trainset.n_ratings:,} ratings ({trainset.n_users:,} users,"
        f" {trainset.n_items:,} titles) in {t_fit:.1f} s; train RMSE"
        f" {metadata['metrics']['train_rmse']:.4f}; wrote {pkl} and {meta}",
        file=sys.stderr,
    )
    return metadata
