"""The hybrid (model/hybrid.py): content features predict a title's bias and factors, so titles
nobody rated are recommended from day one; the shipped SVD is the hybrid, so serving still
equals Surprise's own predict of it; an older artifact (no content part) loads without it."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from etl.content import write_content
from model import Recommender, hybrid, onboarding
from model.artifact import MODEL_FILE
from model.boost_choice import BOOSTS, best_boost
from model.content import read_content
from model.data import ratings_from_frame
from model.hybrid_eval import evaluate_hybrid
from model.report import render_hybrid
from model.svd import SVDParams, fit
from model.synthetic import GENRES, Synthetic, generate, write_parquet
from model.train import train
from model.trainset import CompactTrainset

PARAMS = SVDParams(n_factors=8, n_epochs=15, lr_all=0.01, reg_all=0.05, random_state=3)
N_NEW = 40  # titles in the catalogue (content.npz) with no ratings at all


@pytest.fixture(scope="module")
def synth() -> Synthetic:
    return generate(n_users=400, n_titles=200, n_ratings=14000, seed=5)


def _content(synth: Synthetic, path: Path) -> list[str]:
    """content.npz for the rated titles plus N_NEW unrated ones: a genre column per genre (what
    the ratings depend on) and a noise column, so the map has something real to learn."""
    rated = sorted(synth.genre_of)
    new = [f"ns{9000 + k}" for k in range(N_NEW)]
    genre_of = dict(synth.genre_of)
    rng = np.random.default_rng(0)
    for k, t in enumerate(new):
        genre_of[t] = GENRES[k % len(GENRES)]
    ids = rated + new
    cols = [GENRES.index(genre_of[t]) for t in ids]
    noise = rng.integers(len(GENRES), len(GENRES) + 5, len(ids))
    m = sp.csr_matrix(
        (np.full(2 * len(ids), 0.7071), (np.repeat(np.arange(len(ids)), 2),
         np.ravel(np.column_stack([cols, noise])))),
        shape=(len(ids), len(GENRES) + 5),
    )  # fmt: skip
    names = [f"genre:{g}" for g in GENRES] + [f"word:w{k}" for k in range(5)]
    path.parent.mkdir(parents=True, exist_ok=True)
    write_content(path, ids, m, names)
    return new


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, synth: Synthetic) -> tuple[Path, list[str]]:
    data = tmp_path_factory.mktemp("hybrid")
    write_parquet(synth.frame, data / "processed" / "ratings.parquet")
    new = _content(synth, data / "processed" / "content.npz")
    train(data, PARAMS, progress=False, search=False)
    return data, new


def test_titles_nobody_rated_are_served_from_their_content(
    trained: tuple[Path, list[str]], synth: Synthetic
) -> None:
    data, new = trained
    meta = json.loads((data / "models" / "svd.json").read_text())
    assert meta["hybrid"]["used"] is True and meta["hybrid"]["content_titles"] == N_NEW
    rec = Recommender.load(data / "models")
    assert rec.has_content and all(rec.knows_title(t) for t in new)
    assert (rec.title_counts[[rec._inner_title(t) for t in new]] == 0).all()
    # People who love a genre are predicted to like its new titles more than the others'.
    content = read_content(data / "processed" / "content.npz")
    genre_of_new = {
        t: content.features[content.matrix[content.ids.index(t)].indices[0]] for t in new
    }
    frame = synth.frame.assign(genre=synth.frame.movieId.map(synth.genre_of))
    dev = frame.rating - frame.groupby("userId").rating.transform("mean")
    fans = frame.assign(dev=dev).groupby(["userId", "genre"]).dev.mean().unstack()
    hits = []
    for g in GENRES:
        for u in fans[g].nlargest(10).index:
            own = [rec.predict(int(u), t).raw for t in new if genre_of_new[t] == f"genre:{g}"]
            rest = [rec.predict(int(u), t).raw for t in new if genre_of_new[t] != f"genre:{g}"]
            hits.append(np.mean(own) > np.mean(rest))
    assert np.mean(hits) > 0.7  # 0.78 here; without content every new title scores alike
    # ... and a top list can hold them
    assert any(s.title_id in new for u in range(1, 60) for s in rec.top_n(u, 20))


def test_serving_equals_surprise_predict_of_the_shipped_hybrid(
    trained: tuple[Path, list[str]], synth: Synthetic
) -> None:
    data, _ = trained
    with (data / "models" / MODEL_FILE).open("rb") as f:
        algo = pickle.load(f)["algo"]
    # the same inner ids as training (file order), so Surprise's raw-id predict works again
    algo.trainset = CompactTrainset(ratings_from_frame(synth.frame))
    rec = Recommender.load(data / "models")
    ts = algo.trainset
    worst = 0.0
    for u in ts.user_raw.tolist()[::7]:
        for t in ts.item_raw.tolist():
            worst = max(worst, abs(rec.predict(u, t).estimate - algo.predict(u, t).est))
    assert worst <= 1e-9


def test_the_choice_beats_the_fallback_on_held_out_titles(tmp_path: Path) -> None:
    # 600 titles: the 60 held out are enough to tell (with 20, fold noise decided)
    synth = generate(n_users=800, n_titles=600, n_ratings=40000, seed=5)
    _content(synth, tmp_path / "content.npz")
    content = read_content(tmp_path / "content.npz")
    choice = hybrid.choose(
        ratings_from_frame(synth.frame), lambda r: fit(r, PARAMS, progress=False), content
    )
    assert choice.helps
    fallback = choice.new_title_rmse["mean + person bias"]
    best = choice.new_title_rmse[f"alpha {choice.alpha:g}"]
    assert best < fallback * 0.97  # the genre says much of what these ratings hold
    assert choice.shrink in hybrid.SHRINKS and f"K {choice.shrink:g}" in choice.warm_rmse
    assert choice.warm_rmse[f"K {choice.shrink:g}"] <= choice.warm_rmse["K 0"]


def test_an_artifact_without_content_loads_as_before(
    trained: tuple[Path, list[str]], tmp_path: Path
) -> None:
    data, new = trained
    with (data / "models" / MODEL_FILE).open("rb") as f:
        body = pickle.load(f)
    n = len(body["title_ids"]) - N_NEW
    body["content"] = None  # what every model trained before issue 21 has (no key at all)
    del body["content"]
    body["title_ids"] = body["title_ids"][:n]
    body["algo"].bi, body["algo"].qi = body["algo"].bi[:n], body["algo"].qi[:n]
    (tmp_path / MODEL_FILE).write_bytes(pickle.dumps(body, protocol=5))
    (tmp_path / "svd.json").write_text((data / "models" / "svd.json").read_text())
    rec = Recommender.load(tmp_path)
    assert not rec.has_content and not rec.knows_title(new[0])
    t = rec.title_ids[0]
    got = rec.similar_explained(t, 5)
    assert len(got) == 5 and all(s.reasons == () for s in got)
    assert [s.title_id for s in got] == [x for x, _ in rec.similar(t, 5)]


def test_without_content_features_training_says_so(synth: Synthetic, tmp_path: Path) -> None:
    write_parquet(synth.frame, tmp_path / "processed" / "ratings.parquet")
    train(tmp_path, PARAMS, progress=False, search=False)
    meta = json.loads((tmp_path / "models" / "svd.json").read_text())
    assert meta["hybrid"]["used"] is False and "content.npz is missing" in meta["hybrid"]["reason"]
    assert not Recommender.load(tmp_path / "models").has_content


@pytest.mark.parametrize("n_rated", [1, 2, 3])
def test_a_newcomer_counts_from_the_first_rating(
    trained: tuple[Path, list[str]], synth: Synthetic, n_rated: int
) -> None:
    """One to three 5-star ratings of one genre: the list is no longer the global top list, and
    leans to that genre (fold-in plus the content neighbourhood of what was rated)."""
    data, _ = trained
    rec = Recommender.load(data / "models")
    everyone = [s.title_id for s in rec.top_n(-1, 10)]  # nobody's list: the global top
    leaned = 0
    for g in GENRES:
        mine = [t for t in rec.title_ids if synth.genre_of.get(t) == g][:n_rated]
        vector = rec.fold_in({t: 5.0 for t in mine})
        top = rec.top_n_for(vector, 10)
        ids = [s.title_id for s in top]
        assert ids != everyone and not set(mine) & set(ids)
        share = np.mean([synth.genre_of.get(t) == g for t in ids])
        leaned += share > np.mean([synth.genre_of.get(t) == g for t in everyone])
        # predict_for scores a title as top_n_for ranks it
        assert abs(rec.predict_for(vector, ids[0]).raw - top[0].raw) <= 1e-9
    assert leaned >= len(GENRES) - 1


def test_onboarding_asks_well_known_titles_that_teach_fold_in_most(
    trained: tuple[Path, list[str]], synth: Synthetic
) -> None:
    data, new = trained
    rec = Recommender.load(data / "models")
    first = rec.onboarding(10)
    counts = dict(zip(rec.title_ids, rec.title_counts.tolist(), strict=True))
    rated = sorted(c for c in counts.values() if c > 0)
    assert all(counts[t] >= rated[len(rated) // 2] for t in first)  # well known
    # what fold-in learns: the log-determinant of its posterior precision after the answers
    prior = rec.fold_in_reg * rec.prior_precision

    def learnt(titles: list[str]) -> float:
        z = np.array([np.r_[1.0, rec.qi[rec._inner_title(t)]] for t in titles])
        return float(np.linalg.slogdet(prior + z.T @ z)[1])

    most_rated = sorted(counts, key=lambda t: -counts[t])
    assert first != most_rated[:10]
    for n in (5, 10):
        assert learnt(first[:n]) > learnt(most_rated[:n])
    assert not set(new) & set(rec.onboarding(len(rec.title_ids)))  # nobody rated those
    assert rec.onboarding(3, exclude=first[:2]) == first[2:5]


def test_onboarding_spreads_across_tastes_and_skips_the_obscure() -> None:
    """Hand-made: the ten most rated titles are all of one taste (factor axis 0), two other
    tastes are a little less rated, and one obscure title has the longest factor vector. The
    first questions cover all three tastes (the most rated alone never would) and never the
    obscure title (almost nobody could answer it)."""
    rng = np.random.default_rng(0)
    axis = np.repeat([0, 1, 2], [10, 5, 5])
    qi = np.eye(3)[axis] + rng.normal(0, 0.05, (20, 3))
    counts = np.r_[np.arange(1000, 990, -1), np.full(10, 700)]
    qi, counts = np.vstack([qi, [0.0, 0.0, 5.0]]), np.r_[counts, 3]
    prior = np.diag([4.0, 2.0, 2.0, 2.0])  # fold-in's reg x P: bias and three factors
    order = onboarding.informative_order(counts, qi, prior, length=6)
    assert {int(axis[j]) for j in order[:4] if j < 20} == {0, 1, 2}
    assert 20 not in onboarding.informative_order(counts, qi, prior, length=15)
    assert set(np.argsort(-counts, kind="stable")[:6].tolist()) <= set(range(10))


def test_evaluate_reports_what_content_adds(tmp_path: Path) -> None:
    """`model evaluate`'s hybrid part: new titles against mean + person bias (scored on titles
    that did not choose the ridge strength), new people given 1/3/5 with the content boost
    chosen on other people, onboarding against the most rated and random popular; rendered."""
    synth = generate(n_users=800, n_titles=600, n_ratings=40000, seed=5)
    _content(synth, tmp_path / "content.npz")
    content = read_content(tmp_path / "content.npz")
    out = evaluate_hybrid(ratings_from_frame(synth.frame), PARAMS, content, n_people=120)
    nt = out["new_titles"]
    assert nt["rmse_hybrid"] < nt["rmse_mean_person_bias"] and nt["improvement"] > 0.01
    people = out["new_people"]
    boost = people["boost"]
    assert boost["value"] == best_boost(boost["table"]) and boost["people"] == 60
    assert set(boost["table"]) == {f"{b:g}" for b in BOOSTS}
    boosted = f"hybrid + content boost {boost['value']:g}"
    for k in (1, 3, 5):
        by_model = people[f"given {k}"]
        assert set(by_model) == {"fold-in, plain SVD", "fold-in, hybrid", boosted}
        assert all(0 < m["rmse"] < 2 and 0 < m["ndcg@10"] <= 1 for m in by_model.values())
    assert all(0 < m["coverage"] <= 1 for m in people["given 5"].values())
    ob = out["onboarding"]
    assert ob["people"] == 120 and ob["splits"] > 100 and ob["boost"] == boost["value"]
    assert set(ob) >= {"/rate's order", "most popular", "random popular"}
    for name in ("/rate's order", "most popular"):
        assert ob[name]["rmse_vs_random_se"] > 0 and ob[name]["ndcg_vs_random_se"] > 0
        assert ob[name]["asks"] < ob["random popular"]["asks"]  # well-known titles first
    text = "\n".join(render_hybrid(json.loads(json.dumps(out))))
    assert "New titles" in text and f"| given 3 | {boosted} |" in text
    assert "| /rate's order |" in text and "| random popular |" in text
    assert f"**{boost['value']:g}** (chosen)" in text
