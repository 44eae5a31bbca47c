"""Recommendation pass-throughs, with a small fake recommender; a missing or corrupt model."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from catalog import AmbiguousTitle, Catalog, ModelUnavailable, QueryError, TitleNotFound
from tests.catalog_helpers import FakeRecommender, write_processed


@pytest.fixture(scope="module")
def cat(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    data = write_processed(tmp_path_factory.mktemp("small"))
    (data / "models").mkdir()
    return Catalog.load(
        data, threshold=3.5, recommender_loader=lambda d, t, k: FakeRecommender(t, k)
    )


def test_loader_gets_threshold_and_title_kinds(cat: Catalog) -> None:
    assert cat.model_error is None
    assert cat.recommender.threshold == 3.5
    assert cat.recommender.kinds["ns2"] == "tv show" and cat.recommender.kinds["ns1"] == "movie"


def test_recommend_by_id_and_by_name(cat: Catalog) -> None:
    r = cat.recommend(1, "ds1")
    assert (r.user_id, r.title.title, r.estimate, r.recommended, r.threshold) == (
        1, "The Lion King", 4.0, True, 3.5)  # fmt: skip
    assert (r.reason_code, r.reason) == ("known", "made up")
    r = cat.recommend("2", "Spider Man")
    assert (r.title.id, r.recommended) == ("hs2", False)


def test_recommend_ambiguous_or_unknown_title(cat: Catalog) -> None:
    with pytest.raises(AmbiguousTitle) as e:
        cat.recommend(1, "amelie")
    assert {c.id for c in e.value.candidates} == {"as5", "ns1", "ns5"}
    assert "ns1" in str(e.value)
    with pytest.raises(TitleNotFound, match="qqqzzz"):
        cat.recommend(1, "qqqzzz")
    assert issubclass(AmbiguousTitle, QueryError) and issubclass(TitleNotFound, QueryError)
    with pytest.raises(QueryError, match="user id"):
        cat.recommend(-5, "ds1")


def test_top_maps_display_titles_and_drops_unknown_ids(cat: Catalog) -> None:
    got = cat.top(1, n=2, platform="Netflix", kind="movies")
    assert [(t.title.id, t.title.title, t.estimate) for t in got] == [
        ("ns4", "Netflix Movie", 4.9),
        ("ds1", "The Lion King", 4.8),
    ]
    assert cat.recommender.calls[-1] == ("top_n", 1, 12, "netflix", "movie")


def test_similar(cat: Catalog) -> None:
    got = cat.similar("Spider-Man", n=1)
    assert [(t.title.id, t.similarity, t.estimate) for t in got] == [("ds2", 0.9, None)]


def test_for_ratings_folds_in_known_titles_and_excludes_them(cat: Catalog) -> None:
    got = cat.for_ratings({"NS1": 5, "gone1": 2}, n=5, platform="h")
    assert [t.title.id for t in got] == ["hs2"]
    assert ("fold_in", {"ns1": 5.0}) in cat.recommender.calls  # a vanished title is skipped
    assert cat.recommender.calls[-1] == ("top_n_for", 15, "hulu", None, ["gone1", "ns1"])
    r = cat.recommend_for_ratings({"ns1": 5}, "ds2")
    assert (r.user_id, r.title.id, r.estimate, r.reason) == (None, "ds2", 3.8, "folded in")
    with pytest.raises(QueryError, match="rating"):
        cat.for_ratings({"ns1": 9})


def test_no_model_catalog_still_answers_and_says_why(tmp_path: Path) -> None:
    cat = Catalog.load(write_processed(tmp_path))
    assert cat.recommender is None
    assert "python -m model train" in cat.model_error
    assert cat.count_platform("n")[0].movies == 3
    with pytest.raises(ModelUnavailable, match="no model"):
        cat.recommend(1, "ns1")
    with pytest.raises(ModelUnavailable):
        cat.top(1)
    with pytest.raises(ModelUnavailable):
        cat.for_ratings({"ns1": 4})


def test_loader_exception_becomes_model_error(tmp_path: Path) -> None:
    data = write_processed(tmp_path)
    (data / "models").mkdir()

    def broken(models_dir: Path, threshold: float, kinds: Mapping[str, str]) -> None:
        raise RuntimeError("boom")

    cat = Catalog.load(data, recommender_loader=broken)
    assert cat.recommender is None and cat.model_error.endswith("RuntimeError: boom")
    assert cat.info.model_error == cat.model_error and cat.info.model_version is None


def test_corrupt_model_files_with_the_real_recommender(tmp_path: Path) -> None:
    pytest.importorskip("model.recommender")
    data = write_processed(tmp_path)
    models = data / "models"
    models.mkdir()
    (models / "svd.pkl").write_bytes(b"\x80\x04garbage")
    (models / "svd.json").write_text('{"format": "streamrec-svd", "model_id": "x"}')
    cat = Catalog.load(data)
    assert cat.recommender is None
    assert "svd.pkl" in cat.model_error
    assert cat.search("amelie")[0].match == 100.0
    (models / "svd.json").write_text("{not json")
    assert "svd.json" in Catalog.load(data).model_error
