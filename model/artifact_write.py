"""The model artifact from a fitted SVD: the payload serving needs (id maps, seen index, fold-in
prior, rating calibration) and writing svd.pkl + svd.json atomically. model/artifact.py reads
them back; the format is in docs/model.md.
"""

from __future__ import annotations

import json
import os
import pickle
import tempfile
import uuid
from pathlib import Path
from typing import Any

import numpy as np
from surprise import SVD

from model.artifact import FORMAT, FORMAT_VERSION, META_FILE, MODEL_FILE, RATERS_FILE
from model.similarity import transpose_index
from model.trainset import CompactTrainset


def estimates(algo: SVD, users: np.ndarray, items: np.ndarray, global_mean: float) -> np.ndarray:
    """Unclipped SVD estimates for inner (user, item) pairs, vectorised in chunks."""
    out = np.empty(len(users))
    step = 1 << 16  # 65k rows x factors x 8 bytes x 2 per chunk: 100 MiB at 100 factors
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


def calibration(est: np.ndarray, true: np.ndarray, scale: tuple[float, float]) -> list[float]:
    """(a, b) of the curve lo + (hi - lo) * sigmoid(a + b * raw) fitted to the mean rating per
    raw-score bin: the expected rating for a raw score. Unlike the clipped estimate it never
    reaches the scale's end, so the top titles of a generous person keep distinct numbers."""
    from scipy.optimize import curve_fit

    lo, hi = scale
    if len(est) < 50 or np.ptp(est) == 0:
        return [0.0, 0.0]
    edges = np.unique(np.quantile(est, np.linspace(0, 1, 101)))
    which = np.clip(np.searchsorted(edges, est, side="right") - 1, 0, len(edges) - 2)
    n = np.bincount(which, minlength=len(edges) - 1)
    ok = n > 0
    x = (np.bincount(which, weights=est, minlength=len(n))[ok]) / n[ok]
    y = (np.bincount(which, weights=true, minlength=len(n))[ok]) / n[ok]

    def curve(r: np.ndarray, a: float, b: float) -> np.ndarray:
        return lo + (hi - lo) / (1 + np.exp(-(a + b * r)))

    mid = (lo + hi) / 2
    try:
        (a, b), _ = curve_fit(curve, x, y, p0=(-mid, 1.0), sigma=1 / np.sqrt(n[ok]), maxfev=2000)
    except (RuntimeError, ValueError):
        return [0.0, 0.0]
    return [float(a), float(b)] if b > 0 else [0.0, 0.0]


def payload(
    algo: SVD,
    trainset: CompactTrainset,
    fold_in_reg: float | None = None,
    fold_in_method: str = "prior",
    extra_title_ids: list[str] | None = None,
    content: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What serving needs: the algorithm without its trainset, id maps, the seen index, the
    fold-in regulariser and the rating calibration. With `fold_in_method` "prior", fold-in
    shrinks towards the trained users' mean under their covariance and `fold_in_reg` (the noise
    variance) defaults to the training MSE; with "ridge" it is plain ridge (identity penalty,
    zero mean) of strength `fold_in_reg`, which `train` picks on held-out people (docs/model.md).
    `extra_title_ids` are titles nobody rated whose rows the hybrid appended to `algo.bi`/`qi`
    (model/hybrid.py); `content` is the hybrid's part of the artifact.
    """
    est = estimates(algo, trainset.u_sorted, trainset.i_sorted, trainset.global_mean)
    err = np.clip(est, *trainset.rating_scale) - trainset.r_sorted
    train_mse = float(np.mean(err**2))
    calib = calibration(est, trainset.r_sorted, trainset.rating_scale)
    if fold_in_method == "ridge":
        k = np.asarray(algo.qi).shape[1]
        prior_mean, prior_precision = np.zeros(k + 1), np.eye(k + 1)
    else:
        prior_mean, prior_precision = user_prior(algo)
    algo.trainset = None  # the ratings themselves never go into the model file
    indptr, seen = trainset.seen_csr()
    n_titles = trainset.n_items + len(extra_title_ids or ())
    raters_indptr, raters_users = transpose_index(indptr, seen, n_titles)
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "model_id": uuid.uuid4().hex,
        "algo": algo,
        "global_mean": float(trainset.global_mean),
        "rating_scale": tuple(trainset.rating_scale),
        "user_ids": trainset.user_raw,
        "title_ids": trainset.item_raw.tolist() + list(extra_title_ids or ()),
        "seen_indptr": indptr,
        "seen_items": seen,
        # /similar's co-raters: the indptr here, the people in RATERS_FILE (`save` splits them)
        "raters_indptr": raters_indptr,
        "raters_users": raters_users,
        "fold_in_reg": float(train_mse if fold_in_reg is None else fold_in_reg),
        "fold_in_method": fold_in_method,
        "calibration": calib,
        "prior_mean": prior_mean,
        "prior_precision": prior_precision,
        "train_rmse": float(np.sqrt(train_mse)),
        "train_mae": float(np.mean(np.abs(err))),
        # None: a model without the hybrid (no content.npz, or an older training)
        "content": content,
    }


def _atomic_write(path: Path, data: bytes | np.ndarray) -> None:
    """Write bytes (or an array as .npy) to a temporary file beside `path`, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            if isinstance(data, np.ndarray):
                np.lib.format.write_array(f, data, allow_pickle=False)
            else:
                f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; the serving process may be another user
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save(models_dir: Path, body: dict[str, Any], metadata: dict[str, Any]) -> tuple[Path, Path]:
    """Write the raters file, svd.pkl, then svd.json, each atomically; all carry the same
    model_id. Raters files of earlier trainings are removed last (a process serving one keeps
    its mapping: the file is unlinked, not overwritten)."""
    metadata = {**metadata, "model_id": body["model_id"]}
    pkl = models_dir / MODEL_FILE
    meta = models_dir / META_FILE
    body = dict(body)
    users = body.pop("raters_users", None)
    raters = None
    if users is not None:
        raters = models_dir / RATERS_FILE.format(model_id=body["model_id"])
        _atomic_write(raters, np.ascontiguousarray(users, dtype=np.int32))
        body["raters_file"] = raters.name
    _atomic_write(pkl, pickle.dumps(body, protocol=5))
    metadata["model_file_bytes"] = pkl.stat().st_size
    if raters is not None:
        metadata["raters_file_bytes"] = raters.stat().st_size
    _atomic_write(meta, (json.dumps(metadata, indent=2) + "\n").encode())
    for old in models_dir.glob(RATERS_FILE.format(model_id="*")):
        if old != raters:
            old.unlink(missing_ok=True)
    return pkl, meta
