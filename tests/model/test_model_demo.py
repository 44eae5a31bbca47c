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
    assert model_main(["train", "--data-dir", str(d), "--quiet", "--budget", "20"]) == 0
    titles = pd.read_parquet(
        d / "processed" / "titles.parquet", columns=["id", "type", "listed_in"]
    )
    return d, titles


@pytest.mark.xfail(
    strict=True,
    reason="issue 21 regression, open: since the demo ratings tie taste to directors and "
    "countries as well as genre keys, a horror fan's fold-in no longer lifts horror into the "
    "top 3 genres (documentary, fantasy, science fiction lead); see the issue 21 note",
)
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
    others = [t for t in rec.title_ids if "horror" not in genres.get(t, [])][:8]
    vector = rec.fold_in({**dict.fromkeys(liked, 5.0), **dict.fromkeys(others, 2.0)})
    # Horror at 5 stars against other titles at 2. On real-like data taste is modest next to
    # the person's and the titles' biases (issue 12), so the test looks at the taste part, the
    # factors' lift per genre, rather than at the overall estimates.
    lift: dict[str, list[float]] = {}
    for t in rec.title_ids:
        if t in liked or t in others:
            continue
        x = float(rec.qi[rec._title_index[t]] @ vector.factors)
        for g in genres.get(t, []):
            lift.setdefault(g, []).append(x)
    means = {g: float(np.mean(v)) for g, v in lift.items() if len(v) >= 10}
    ranked = sorted(means, key=means.get, reverse=True)
    assert "horror" in ranked[:3], [(g, round(means[g], 3)) for g in ranked[:5]]
    assert means["horror"] > 0 > min(means.values())
    # The lists themselves are led by the titles' own effects (as on real data), but horror
    # moves up the fan's ranking compared with the ranking for someone the model knows nothing of.
    everyone = rec.fold_in({})
    n = len(rec.title_ids)

    def horror_rank(v: object) -> float:
        order = [s.title_id for s in rec.top_n_for(v, n, exclude=liked + others)]  # type: ignore[arg-type]
        return float(np.mean([k for k, t in enumerate(order) if "horror" in genres.get(t, [])]))

    assert horror_rank(vector) < 0.95 * horror_rank(everyone)  # 673 against 741 here


def test_demo_model_matches_catalogue_and_predicts(demo: tuple[Path, pd.DataFrame]) -> None:
    d, titles = demo
    kinds = dict(zip(titles["id"], titles["type"], strict=True))
    rec = Recommender.load(d / "models", title_kinds=kinds)
    assert rec.title_coverage is not None and rec.title_coverage > 0.95
    u = int(rec.user_ids[0])
    top = rec.top_n(u, 5, platform="disney", kind="movie")
    assert top and all(s.title_id.startswith("d") for s in top)
    assert rec.predict(u, top[0].title_id).estimate == top[0].estimate
