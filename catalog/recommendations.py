"""The catalogue's recommendation methods (`Catalog` inherits them): parse each argument once,
ask the loaded model, and serve its answers as catalogue titles (catalog/recommend.py). Without
a model every one raises ModelUnavailable."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from catalog import titles
from catalog import validate as v
from catalog.content import ContentSimilarity
from catalog.index import CatalogIndex
from catalog.memo import Memo
from catalog.recommend import (
    RecommenderModel,
    recommendation,
    scored_titles,
    similar_titles,
    with_reasons,
)
from catalog.results import Recommendation, RecommendedTitle, TitleRef


class Recommendations:
    """Recommendation methods over `index` and the loaded `recommender` (see `Catalog`)."""

    index: CatalogIndex
    recommender: RecommenderModel | None
    model_error: str | None
    # The model's title id -> row of its arrays, built on the first "because you liked".
    _title_index: tuple[RecommenderModel, dict[str, int]] | None
    _similar_lists: Memo[tuple[str, int], tuple[RecommendedTitle, ...]]  # Catalog's

    def _model(self) -> RecommenderModel:
        if self.recommender is None:
            raise v.ModelUnavailable(self.model_error or "no recommendation model is loaded")
        return self.recommender

    def _ref(self, title: object) -> TitleRef:
        """The one served title `title` (id or name) names, else TitleNotFound/AmbiguousTitle."""
        return self.index.rows.refs[titles.resolve_row(self.index, v.parse_text(title))]

    def recommend(self, user_id: object, title: object) -> Recommendation:
        """Predicted score of a user for a title (id or name) and the decision, with the reason."""
        uid = v.parse_user_id(user_id)
        model = self._model()
        ref = self._ref(title)
        return recommendation(uid, ref, model.predict(uid, ref.id))

    def top(
        self, user_id: object, n: object = 10, platform: object = None, kind: object = None
    ) -> list[RecommendedTitle]:
        """The user's best unseen titles by predicted score, optionally of one platform/kind."""
        uid = v.parse_user_id(user_id)
        count = v.parse_limit(n, "n")
        p = v.parse_optional_platform(platform)
        k = v.parse_kind(kind)
        model = self._model()
        # Ask for a few spare: the model may know ids that the catalogue no longer carries.
        scored = model.top_n(uid, count + 10, platform=p, kind=k)
        return scored_titles(self.index.rows, scored, count, _n_titles(model))

    def similar(self, title: object, n: object = 10) -> list[RecommendedTitle]:
        """Titles most like the given one (id or name): a hybrid model blends its factors and the
        titles' content by how many people rated both, with reasons (model/similarity.py); for
        a title the model does not know (or with no model), by genres, cast and director
        (catalog/content.py), marked reason_code="content"."""
        count = v.parse_limit(n, "n")
        ref = self._ref(title)
        return list(self._similar_lists.get((ref.id, count), lambda: self._similar(ref, count)))

    def _similar(self, ref: TitleRef, count: int) -> tuple[RecommendedTitle, ...]:
        model = self.recommender
        if model is not None and _knows_title(model, ref.id):
            explained = getattr(model, "similar_explained", None)  # test doubles may lack it
            pairs = (
                [(s.title_id, s.similarity, s.reasons) for s in explained(ref.id, count + 10)]
                if explained is not None
                else model.similar(ref.id, count + 10)
            )
            found = similar_titles(self.index.rows, pairs, ref, count)
            if found:
                return tuple(found)
        rows = self.index.rows
        return tuple(
            RecommendedTitle(rows.refs[r], similarity=s, reason_code="content")
            for r, s in self._content().similar(rows.row_of_id[ref.id], count)
        )

    def _content(self) -> ContentSimilarity:
        cached = getattr(self, "_content_similarity", None)
        if cached is None or cached.rows is not self.index.rows:
            cached = ContentSimilarity(self.index.rows)
            self._content_similarity = cached
        return cached

    def to_rate(self, n: object = 1, exclude: Iterable[str] = ()) -> list[TitleRef]:
        """The titles to ask someone to rate next (/rate), leaving out `exclude` (what they
        rated or skipped): with a model, the informative order (well known, disputed, spread
        across tastes: model/onboarding.py), then the most voted; without one, the most voted."""
        count = v.parse_limit(n, "n")
        skip = {e.strip().lower() for e in ([exclude] if isinstance(exclude, str) else exclude)}
        rows = self.index.rows
        out: list[TitleRef] = []
        order = getattr(self.recommender, "onboarding", None)  # test doubles may lack it
        if order is not None:
            for tid in order(count + len(skip) + 10, exclude=skip):
                row = rows.row_of_id.get(tid)
                if row is not None and not rows.test[row] and tid not in skip:
                    out.append(rows.refs[row])
                if len(out) == count:
                    return out
        taken = skip | {r.id for r in out}
        return out + titles.popular(rows, count - len(out), None, None, taken)

    def for_ratings(
        self,
        ratings: Mapping[str, float],
        n: object = 10,
        platform: object = None,
        kind: object = None,
    ) -> list[RecommendedTitle]:
        """Top titles for someone known only by the ratings given (folded in, no retraining)."""
        given = v.parse_ratings(ratings)
        count = v.parse_limit(n, "n")
        p = v.parse_optional_platform(platform)
        k = v.parse_kind(kind)
        model = self._model()
        vector = model.fold_in(self._known(given))
        scored = model.top_n_for(vector, count + 10, platform=p, kind=k, exclude=given.keys())
        items = scored_titles(self.index.rows, scored, count, _n_titles(model))
        index = self._model_title_index(model)
        return with_reasons(self.index.rows, items, model, index, given, vector)

    def recommend_for_ratings(self, ratings: Mapping[str, float], title: object) -> Recommendation:
        """`recommend` for someone known only by the ratings given (user_id is None)."""
        given = v.parse_ratings(ratings)
        model = self._model()
        ref = self._ref(title)
        vector = model.fold_in(self._known(given))
        return recommendation(None, ref, model.predict_for(vector, ref.id))

    def _known(self, ratings: dict[str, float]) -> dict[str, float]:
        # A stored rating of a title that a reload dropped must not break the user's list.
        return {t: r for t, r in ratings.items() if t in self.index.rows.row_of_id}

    def _model_title_index(self, model: RecommenderModel) -> dict[str, int]:
        """Title id -> row of the model's arrays, built once per loaded model."""
        cached = self._title_index
        if cached is None or cached[0] is not model:
            cached = (model, {t: i for i, t in enumerate(getattr(model, "title_ids", ()))})
            self._title_index = cached
        return cached[1]


def _n_titles(model: RecommenderModel) -> int:
    return len(getattr(model, "title_ids", ()))  # test doubles may have none


def _knows_title(model: RecommenderModel, title_id: str) -> bool:
    knows = getattr(model, "knows_title", None)  # test doubles may not say: assume they do
    return True if knows is None else bool(knows(title_id))
