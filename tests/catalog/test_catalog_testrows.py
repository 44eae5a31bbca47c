"""What people read (issue 14): title cards carry display.parquet's original casing, and the
platforms' test rows are offered nowhere (cards, search, where-to-watch, popular, recommendations)
while the four questions still count them."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog import Catalog, TitleNotFound
from tests.catalog_helpers import ROWS, FakeRecommender, FakeScored, write_processed

# Two QA entries of Amazon's real file, with many votes so popularity would list them first.
TEST_ROWS = [
    ("as90", "TV Show", "SslmRegUsTV002TargetSERIES", "Test Actor 1, Test Actor 2", 2020, 1,
     "season", 5.0, 99),
    ("as91", "Movie", "Asin_tombstone_test_target", "Test Actor 1, Test Actor 2", 2020, 300,
     "min", 5.0, 98),
]  # fmt: skip
TEST_IDS = {"as90", "as91"}


class ModelOfTestRows(FakeRecommender):
    """A model that likes the test rows best (they are in its training data)."""

    def top_n(self, user_id: int, n: int = 10, platform=None, kind=None) -> list[FakeScored]:
        return [FakeScored(t, 5.0 - k / 10, 5.0) for k, t in enumerate(["as90", "as91", "ns4"])]

    def top_n_for(self, vector, n=10, platform=None, kind=None, exclude=()):
        return [FakeScored(t, 4.5, 4.5) for t in ("as91", "ns1")]

    def similar(self, title_id: str, n: int = 10) -> list[tuple[str, float]]:
        return [("as90", 0.99), ("ds2", 0.9)][:n]


@pytest.fixture(scope="module")
def cat(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    data = write_processed(tmp_path_factory.mktemp("testrows"), ROWS + TEST_ROWS)
    (data / "models").mkdir()
    return Catalog.load(data, recommender_loader=lambda d, t, k: ModelOfTestRows(t, k))


def test_a_title_card_reads_the_original_casing(cat: Catalog) -> None:
    info = cat.title("ns1")
    assert (info.title, info.cast) == ("Amélie", ("Audrey Tautou",))
    assert (info.country, info.rating, info.listed_in) == ("United States", "PG", "Drama")
    assert info.description == "A title made for the tests."


def test_a_missing_maturity_rating_is_shown_as_none_not_rule_2s_g(cat: Catalog) -> None:
    assert cat.title("as1").rating is None  # titles.parquet holds "g" (rule 2)


def test_no_card_search_or_where_to_watch_offers_a_test_row(cat: Catalog) -> None:
    for tid in TEST_IDS:
        assert cat.title(tid) is None
    for text in ("SslmRegUsTV002TargetSERIES", "asin tombstone test target", "test"):
        assert not {h.id for h in cat.search(text, 50)} & TEST_IDS
        assert not cat.where_to_watch(text) or all(
            not {o.id for o in w.offers} & TEST_IDS for w in cat.where_to_watch(text)
        )
    with pytest.raises(TitleNotFound):
        cat.similar("Asin_tombstone_test_target")


def test_the_popular_list_leaves_test_rows_out(cat: Catalog) -> None:
    popular = [r.id for r in cat.popular(50)]
    assert popular and not set(popular) & TEST_IDS
    assert popular[0] == "ns1"  # 10 votes: the most voted real title


def test_recommendations_leave_test_rows_out(cat: Catalog) -> None:
    assert [x.title.id for x in cat.top(1, 5)] == ["ns4"]
    assert [x.title.id for x in cat.for_ratings({"ns4": 5.0}, 5)] == ["ns1"]
    assert [x.title.id for x in cat.similar("ns4", 5)] == ["ds2"]


def test_the_questions_still_count_them_but_name_no_test_actor(cat: Catalog) -> None:
    counts = cat.count_platform("amazon")[0]
    assert (counts.movies, counts.shows) == (6, 2)  # 5 + 1 test movie, 1 + 1 test show
    actor = cat.actor("amazon", 2020)
    assert "Test Actor 1" not in actor.tied
    assert actor.actor == "Ana Pérez" or actor.actor == "Bob Stone"


def test_a_reason_names_the_title_not_its_id(cat: Catalog, tmp_path: Path) -> None:
    class Wordy(FakeRecommender):
        def predict(self, user_id, title_id):  # the model's own wording, with the raw id
            p = super().predict(user_id, title_id)
            return type(p)(**{**p.__dict__, "reason": f"predicted from title {title_id}"})

    data = write_processed(tmp_path)
    (data / "models").mkdir()
    wordy = Catalog.load(data, recommender_loader=lambda d, t, k: Wordy(t, k))
    r = wordy.recommend(1, "ds2")
    assert r.reason == "predicted from “The Lion King”" and "ds2" not in r.reason
