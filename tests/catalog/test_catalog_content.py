"""Similar titles by genres, cast and director (catalog/content.py): the fallback of
Catalog.similar for titles the model has no factors for, or with no model at all."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from catalog import Catalog
from catalog.content import KIND_WEIGHT, SAME_KIND, ContentSimilarity
from domain.genres import genre_keys
from tests.fakes.botdata import demo_data


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(demo_data())


def reference(catalog: Catalog, row: int, count: int) -> list[tuple[int, float]]:
    """The same ranking written plainly: idf-weighted shared features over the asked title's
    own weight, same kind x SAME_KIND, other rows of the same name and test rows left out."""
    rows = catalog.index.rows
    listed = rows.display_text["listed_in"]

    def feats(r: int) -> set[tuple[str, str]]:
        split = lambda t: {p.strip().lower() for p in (t or "").split(",") if p.strip()}  # noqa: E731
        return (
            {("g", g) for g in genre_keys(listed[r])}  # the cross-platform genre keys
            | {("c", c) for c in split(rows.cast[r])}
            | {("d", d) for d in split(rows.display_director[r])}
        )

    served = [r for r in range(len(rows)) if not rows.test[r]]
    all_feats = {r: feats(r) for r in served}
    df = Counter(f for fs in all_feats.values() for f in fs)
    weight = {f: KIND_WEIGHT[f[0]] * math.log(1 + len(rows) / n) for f, n in df.items()}
    own = all_feats[row]
    total = sum(weight[f] for f in own)
    scored = []
    for r in served:
        if r == row or rows.folded[r] == rows.folded[row]:
            continue
        shared = sum(weight[f] for f in own & all_feats[r]) / total
        if shared > 0:
            bonus = SAME_KIND if rows.kind[r] == rows.kind[row] else 1.0
            scored.append((-(shared * bonus), -int(rows.votes[r]), r))
    return [(r, -key) for key, _, r in sorted(scored)[:count]]


def test_the_ranking_equals_a_plain_reference(catalog: Catalog) -> None:
    rows = catalog.index.rows
    content = ContentSimilarity(rows)
    checked = 0
    for title_id in list(rows.row_of_id)[:: max(1, len(rows.row_of_id) // 25)]:
        row = rows.row_of_id[title_id]
        got = [r for r, _ in content.similar(row, 8)]
        want = reference(catalog, row, 8)
        assert len(got) == len(want), title_id
        # equal scores may come in another order: the ranked scores must be the same
        by_row = dict(reference(catalog, row, len(rows)))
        got_scores = [round(by_row[r], 9) for r in got]
        assert got_scores == [round(score, 9) for _, score in want], (title_id, got, want)
        checked += 1
    assert checked >= 20


def test_catalogue_similar_falls_back_to_content_without_a_model(tmp_path) -> None:
    def no_model(*args: object) -> object:
        raise RuntimeError("no model here")

    bare = Catalog.load(demo_data(), recommender_loader=no_model)
    assert bare.recommender is None
    title = next(iter(bare.index.rows.row_of_id))
    found = bare.similar(title, 10)
    assert 1 <= len(found) <= 10
    assert all(x.reason_code == "content" and 0 < (x.similarity or 0) <= 1 for x in found)
    name = bare.title(title).title.casefold()  # type: ignore[union-attr]
    assert all(x.title.title.casefold() != name for x in found)  # never the same film again


def test_a_title_the_model_knows_keeps_the_model_s_neighbours(catalog: Catalog) -> None:
    model = catalog.recommender
    assert model is not None
    known = next(t for t in catalog.index.rows.row_of_id if model.knows_title(t))
    found = catalog.similar(known, 5)
    assert found and all(x.reason_code is None for x in found)
