"""Train Surprise's SVD on ratings.parquet and write data/models/svd.pkl + svd.json."""

from __future__ import annotations

import datetime as dt
import json
import platform
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import surprise
from surprise import SVD

from model import boost_choice, hybrid, tune
from model.artifact import FORMAT, FORMAT_VERSION
from model.artifact_write import payload, save
from model.content import CONTENT_FILE, ContentError, ContentFeatures, read_content
from model.data import Heartbeat, Ratings, read_ratings
from model.fold_in_choice import HeldOut, baseline_as_svd, choose_fold_in, fit_held_out
from model.report import write_model_report
from model.svd import SVDParams, fit
from model.trainset import CompactTrainset


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cv_metrics_for(reports_dir: Path, fingerprint: str, params: SVDParams) -> dict[str, Any] | None:
    """SVD's cross-validated metrics from `evaluate`, when they are for this data and params."""
    path = reports_dir / "model.json"
    try:
        report = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None
    algos = report.get("algorithms", {})
    if report.get("data", {}).get("fingerprint") != fingerprint:
        return None
    base = algos.get("BaselineOnly", {}).get("metrics", {}).get("rmse")
    nested = algos.get("train (nested selection)")
    if report.get("nested") and nested:  # it scored the procedure train follows, any params
        return {"folds": report.get("folds"), "protocol": "nested", **nested["metrics"],
                "baseline_rmse": base}  # fmt: skip
    svd = algos.get("SVD")
    if not svd or svd.get("params") != asdict(params):
        return None
    return {"folds": report.get("folds"), "protocol": "plain", **svd.get("metrics", {}),
            "baseline_rmse": base}  # fmt: skip


def train(
    data_dir: Path,
    params: SVDParams,
    fold_in_reg: float | None = None,
    ratings_path: Path | None = None,
    progress: bool = True,
    search: bool = True,
    budget: float | None = None,
    folds: int = 3,
    max_search_ratings: int | None = None,
) -> dict[str, Any]:
    """The whole `python -m model train`: returns the metadata written to svd.json.

    With `search` (the default) the hyper-parameters are chosen by cross-validation on the data
    within `budget` seconds, starting from `params`, and BaselineOnly is shipped instead when no
    SVD candidate beats it (model/tune.py); the fold-in regulariser is chosen on held-out people
    unless `fold_in_reg` is given. Without search `params` are trained as they are.
    """
    data_dir = Path(data_dir)
    path = ratings_path or data_dir / "processed" / "ratings.parquet"
    t0 = time.perf_counter()
    ratings = read_ratings(path)
    t_read = time.perf_counter() - t0
    print(
        f"read {len(ratings):,} ratings from {path} in {t_read:.1f} s", file=sys.stderr, flush=True
    )
    tune.check_learnable(ratings)
    log = tune.log_none if not progress else _log
    budget = tune.DEFAULT_BUDGET if budget is None else float(budget)
    max_search = max_search_ratings or tune.SEARCH_MAX_RATINGS
    if search:
        print(f"searching hyper-parameters, budget {budget:.0f} s", file=sys.stderr, flush=True)
        sel = tune.select(ratings, params, budget, folds, 0, max_search, log=log)
    else:
        sel = tune.Selection(
            chosen="SVD",
            params=params,
            reason="no search (--no-search): the parameters given, by default the real-data"
            " evidence in docs/model.md",
            searched=False,
            total_ratings=len(ratings),
        )
    t1 = time.perf_counter()
    if sel.chosen == "SVD":
        algo, trainset = fit(ratings, sel.params, progress=progress)
    else:
        trainset = CompactTrainset(ratings)
        algo = baseline_as_svd(trainset)
    t_fit = time.perf_counter() - t1
    fold_in: dict[str, Any] = {"method": "prior", "reg": fold_in_reg, "chosen_by": "default"}
    held = None  # the fold-in choice's fit without some people; the content boost reuses it
    if fold_in_reg is not None:
        fold_in["chosen_by"] = "--fold-in-reg"
    elif search:
        # Half the search's sample: the fold-in choice fits the model once more, and at 11M a
        # second 1M-rating fit plus 300 people x 11 candidates took about 1.5 minutes.
        sample = tune.sample_people(ratings, max_search // 2, 1)
        held = fit_held_out(sample, sel.params, baseline=sel.chosen != "SVD", seed=0, log=log)
        fold_in = choose_fold_in(sample, sel.params, seed=0, log=log, held=held)
        fold_in["chosen_by"] = "held-out people"
    t2 = time.perf_counter()
    fitter = _fitter(sel) if search else None
    extra, part, hybrid_meta = with_content(
        data_dir, ratings, algo, trainset, fitter, log, fitted_with=f"surprise {sel.chosen}",
        held=held, fold_in=fold_in,
    )  # fmt: skip
    t_hybrid = time.perf_counter() - t2
    body = payload(algo, trainset, fold_in.get("reg"), fold_in.get("method", "prior"), extra, part)
    fold_in["reg"] = body["fold_in_reg"]
    algorithm = (
        "surprise.SVD" if sel.chosen == "SVD" else "surprise.BaselineOnly (as SVD, 0 factors)"
    )
    params_out = (
        asdict(sel.params) if sel.chosen == "SVD" else {**asdict(sel.params), "n_factors": 0}
    )
    cv = cv_metrics_for(data_dir / "reports", ratings.fingerprint, sel.params)
    if cv is None and sel.searched:
        best = sel.as_dict()
        cv = {
            "folds": sel.folds,
            "rmse": best["cv_rmse"],
            "baseline_rmse": sel.baseline_rmse,
            "source": "search" + (" (sample)" if sel.sampled else ""),
        }
    metadata: dict[str, Any] = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "algorithm": algorithm,
        "why": sel.reason,  # one line for /status and /health
        "params": params_out,
        "selection": sel.as_dict(),
        "fold_in_reg": body["fold_in_reg"],
        "fold_in": fold_in,
        "calibration": body["calibration"],
        "data": {
            "path": str(path),
            "fingerprint": ratings.fingerprint,
            "ratings": trainset.n_ratings,
            "users": trainset.n_users,
            "titles": trainset.n_items,
            "skipped": ratings.skipped,
        },
        "hybrid": hybrid_meta,
        "global_mean": trainset.global_mean,
        "rating_scale": list(trainset.rating_scale),
        "seconds": {
            "read": round(t_read, 2),
            "search": round(sel.seconds, 2),
            "fit": round(t_fit, 2),
            "hybrid": round(t_hybrid, 2),
        },
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "metrics": {
            "train_rmse": body["train_rmse"],
            "train_mae": body["train_mae"],
            "cv": cv,
        },
        "versions": {
            "surprise": surprise.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
    }
    pkl, meta = save(data_dir / "models", body, metadata)
    print(
        f"trained {algorithm} on {trainset.n_ratings:,} ratings ({trainset.n_users:,} users,"
        f" {trainset.n_items:,} titles) in {t_fit:.1f} s; train RMSE"
        f" {metadata['metrics']['train_rmse']:.4f}; wrote {pkl} and {meta}",
        file=sys.stderr,
    )
    print(f"chosen: {sel.reason}", file=sys.stderr)

    write_model_report(data_dir)
    return metadata


# Below this share of the rated titles found in content.npz, the features describe other titles
# (e.g. --ratings MovieLens.csv beside the streaming catalogue): no hybrid then.
MIN_CONTENT_COVERAGE = 0.5


def _content_for(
    path: Path, trainset: CompactTrainset
) -> tuple[ContentFeatures | None, dict[str, Any]]:
    """The content features when they describe these titles, else None and why not."""
    try:
        content = read_content(path)
    except ContentError as e:
        print(f"hybrid off: {e}", file=sys.stderr)
        return None, {"used": False, "reason": str(e)}
    known = set(content.ids)
    share = float(np.mean([t in known for t in trainset.item_raw.tolist()]))
    if share < MIN_CONTENT_COVERAGE:
        why = f"only {share:.0%} of the rated titles are in {path}: features of other titles"
        print(f"hybrid off: {why}", file=sys.stderr)
        return None, {"used": False, "reason": why}
    return content, {"used": True}


Fitter = Callable[[Ratings], tuple[SVD, CompactTrainset]]


def with_content(
    data_dir: Path,
    ratings: Ratings,
    algo: SVD,
    trainset: CompactTrainset,
    fitter: Fitter | None,
    log: Callable[[str], None],
    fitted_with: str = "",
    held: HeldOut | None = None,
    fold_in: dict[str, Any] | None = None,
) -> tuple[list[str], dict[str, Any] | None, dict[str, Any]]:
    """The hybrid part of a trained model, for either engine: (titles nobody rated appended to
    `algo`, the artifact's `content` part or None, svd.json's `hybrid`). `fitter` fits the
    engine's own model on the choice's sample (model/hybrid.py `choose`); None (no search)
    keeps the default ridge strength and the learned values. The content boost is chosen on
    `held` (the fold-in choice's fit without some people) when there is one, else the default.
    Writes into `algo.bi`/`qi`."""
    content, meta = _content_for(Path(data_dir) / "processed" / CONTENT_FILE, trainset)
    if content is None:
        return [], None, meta
    if fitter is not None:
        sample = tune.sample_people(ratings, hybrid.MAX_RATINGS, 2)
        choice = hybrid.choose(sample, fitter, content, seed=0, log=log)
    else:
        choice = hybrid.Choice(note="no search: default ridge strength, learned values kept")
    boost = (
        boost_choice.choose_on_held_out(held, content, choice, fold_in or {}, log=log)
        if held is not None
        else {
            "value": boost_choice.DEFAULT_BOOST,
            "chosen_by": "default: no held-out fit (--no-search, --fold-in-reg or Spark)",
        }
    )
    with Heartbeat(log, "hybrid", "fitting the content map on every rated title"):
        applied = hybrid.apply(algo, trainset, content, choice)
    meta = {
        "used": True,
        **choice.as_dict(),
        "chosen_with": fitted_with if fitter is not None else None,
        "boost": boost,
        "content_titles": len(applied.extra_ids),
        "features": len(content.features),
    }
    part = {**hybrid.artifact_part(applied, content, choice), "boost": boost["value"]}
    return applied.extra_ids, part, meta


def _fitter(sel: tune.Selection) -> Fitter:
    """Fits the shipped kind of model (SVD with the chosen parameters, or BaselineOnly as SVD)
    on some ratings, for the hybrid's choice."""

    def fit_one(r: Ratings) -> tuple[SVD, CompactTrainset]:
        if sel.chosen == "SVD":
            return fit(r, sel.params, progress=False)
        ts = CompactTrainset(r)
        return baseline_as_svd(ts), ts

    return fit_one


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)
