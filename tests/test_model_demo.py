"""The model on the project's own demo data (etl.demo -> etl -> model train), at small scale."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from etl.__main__ import main as etl_main
from etl.demo import main as demo_main
from model import Recommender
from model.__main__ import main as model_main


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    d = tmp_path_factory.mktemp("demo")
    raw = ["--out", str(d / "raw"), "--titles", "1500", "--ratings", "80000", "--seed", "3"]
    assert demo_main(raw) == 0
    assert etl_main(["--raw", str(d / "raw"), "--out", str(d / "processed"), "--quiet"]) == 0
    assert model_main(["train", "--data-dir", str(d), "--quiet"]) == 0
    titles = pd.read_parquet(
        d / "processed" / "titles.parquet", columns=["id", "type", "listed_in"]
    )
    return d, titles


def test_horror_fan_folds_in_closer_to_horror(demo: tuple[Path, pd.DataFrame]) -> None:
    d, titles = demo
    kinds = dict(zip(titles["id"], titles["type"], strict=True))
    rec = Recommender.load(d / "models", title_kinds=kinds)
    genres = {
        t: [g.strip() for g in (lst or "").split(",") if g.strip()]
        for t, lst in zip(titles["id"], titles["listed_in"], strict=True)
    }
    horror = [t for t in rec.title_ids if genres.get(t) == ["horror"]]
    if len(horror) < 5:
        horror = [t for t in rec.title_ids if "horror" in genres.get(t, [])]
    liked = horror[:8]
    vector = rec.fold_in(dict.fromkeys(liked, 5.0))
    by_genre: dict[str, list[float]] = {}
    for t in rec.title_ids:
        if t in liked:
            continue
        est = rec.predict_for(vector, t).estimate
        for g in genres.get(t, []):
            by_genre.setdefault(g, []).append(est)
    means = {g: float(np.mean(v)) for g, v in by_genre.items() if len(v) >= 10}
    assert max(means, key=means.get) == "horror", sorted(means.items(), key=lambda x: -x[1])[:4]
    top = rec.top_n_for(vector, 10)
    assert sum("horror" in genres[s.title_id] for s in top) >= 5


def test_demo_model_matches_catalogue_and_predicts(demo: tuple[Path, pd.DataFrame]) -> None:
    d, titles = demo
    kinds = dict(zip(titles["id"], titles["type"], strict=True))
    rec = Recommender.load(d / "models", title_kinds=kinds)
    assert rec.title_coverage is not None and rec.title_coverage > 0.95
    u = int(rec.user_ids[0])
    top = rec.top_n(u, 5, platform="disney", kind="movie")
    assert top and all(s.title_id.startswith("d") for s in top)
    assert rec.predict(u, top[0].title_id).estimate == top[0].estimate
