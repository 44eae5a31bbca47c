"""The catalogue: processed data loaded once into a frozen index, every question answered from it.

`Catalog.load` reads the files and the model (catalog/loading.py) and the `CatalogIndex` the
release built (catalog/stored.py; built here only for an older release, catalog/index.py); the
methods here parse each argument once (catalog/validate.py) and read
the index (catalog/questions.py, titles.py, recommend.py). Nothing changes after `load`, so one
instance may serve many threads while a new one is being built (see holder.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cached_property
from pathlib import Path

import numpy as np

from catalog import browse, titles
from catalog import validate as v
from catalog.browse import BrowsePage, BrowseQuery, BrowseTable
from catalog.content import ContentSimilarity
from catalog.errors import ModelProblem, ModelUnavailable
from catalog.index import CatalogIndex
from catalog.loading import RecommenderLoader, load_catalog
from catalog.memo import Memo
from catalog.ranked import RankedTitles
from catalog.recommend import (
    RecommenderModel,
    recommendation,
    scored_titles,
    similar_titles,
    with_reasons,
)
from catalog.reports import ChartFrame, chart_frames
from catalog.results import (
    ActorResult,
    CatalogInfo,
    DirectorTitles,
    MaxDuration,
    Offer,
    PlatformCount,
    RankedPage,
    Recommendation,
    RecommendedTitle,
    ScoreCount,
    SearchHit,
    SearchPage,
    TitleInfo,
    TitleMatch,
    TitleRef,
    WatchPage,
    WhereToWatch,
)
from domain.text import fold
from domain.vocabulary import PLATFORMS

WATCH_PAGES_KEPT = 1024  # where-to-watch pages (queries x pages) kept per catalogue
SIMILAR_LISTS_KEPT = 512  # titles whose similar list is kept per catalogue
DIRECTOR_CANDIDATES = 8  # directors offered when the words name several


class Catalog:
    """Loaded catalogue; build with `Catalog.load(data_dir)`. Answers the four questions,
    title look-ups and the model's recommendations; without a model every recommendation
    method raises ModelUnavailable."""

    def __init__(
        self,
        index: CatalogIndex,
        info: CatalogInfo,
        recommender: RecommenderModel | None,
        model_error: str | None,
        threshold: float,
        model_problem: ModelProblem | None = None,
    ) -> None:
        self.index = index
        self.info = info
        self.recommender = recommender
        self.model_error = model_error
        # model_error's parts (a code, the folder, the loader's error) for front ends to word
        self.model_problem = model_problem
        self.threshold = threshold
        # The model's titles as served, for the totals of /top and /similar pages.
        self._ranked: tuple[RecommenderModel, RankedTitles] | None = None
        # answers asked again: similar lists (each page, each card), search pages (same words)
        self._watch_pages: Memo[tuple[str, int, int], WatchPage] = Memo(WATCH_PAGES_KEPT)
        # title id -> the longest similar list computed for it, and whether it holds the whole
        # ranking (shorter asks are its prefix: the ranking breaks ties by row)
        self._similar_lists: Memo[str, tuple[tuple[RecommendedTitle, ...], bool]] = Memo(
            SIMILAR_LISTS_KEPT
        )
        # folded director name -> (the name as written, its rows); built on the first /director
        self._directors: dict[str, tuple[str, list[int]]] | None = None

    @classmethod
    def load(
        cls,
        data_dir: Path | str,
        threshold: float = 3.5,
        recommender_loader: RecommenderLoader | None = None,
    ) -> Catalog:
        """Read data_dir/processed/{titles,scores,display}.parquet and the model in data_dir/models.

        Raises CatalogLoadError when the processed data is missing or breaks the contract of
        docs/data.md (a column missing, of another Arrow type, or null where it may not be;
        ratings.parquet's schema is checked too when the file is there).
        An id that appears on several rows (the ETL keeps and reports them) is served as its
        first row everywhere; the later rows are not served at all (docs/data.md). A missing or
        broken model does not raise: `recommender` is None and `model_error` says why.
        `recommender_loader(models_dir, threshold, title_kinds)` replaces Recommender.load (tests).
        """
        loaded = load_catalog(Path(data_dir), float(threshold), recommender_loader)
        return cls(
            loaded.index,
            loaded.info,
            loaded.recommender,
            loaded.model_error,
            float(threshold),
            loaded.model_problem,
        )

    # ---------------------------------------------------------------- the four questions

    def max_duration(
        self, year: object = None, platform: object = None, duration_type: object = None
    ) -> MaxDuration:
        """Longest movie (minutes, default) or show (seasons); every filter optional; ties kept."""
        y = v.parse_optional_year(year)
        p = v.parse_optional_platform(platform)
        d = v.parse_duration_type(duration_type)
        duration, refs = self.index.questions.longest.get((p, y, d), (None, ()))
        return MaxDuration(year=y, platform=p, duration_type=d, duration=duration, titles=refs)

    def score_count(self, platform: object, scored: object, year: object) -> ScoreCount:
        """Movies of platform and release year with mean user score strictly above `scored`."""
        p = v.parse_platform(platform)
        s = v.parse_score(scored)
        y = v.parse_year(year)
        q = self.index.questions
        scores = q.movie_scores.get((p, y), np.empty(0))
        above = int(len(scores) - np.searchsorted(scores, s, side="right"))
        movies = q.movies_per_year.get((p, y), 0)
        return ScoreCount(
            platform=p, year=y, scored=s, count=above, movies=movies, rated=len(scores)
        )

    def count_platform(self, platform: object = None) -> list[PlatformCount]:
        """Movies (and shows, total) of one platform, or of each platform when None."""
        p = v.parse_optional_platform(platform)
        counts = self.index.questions.platform_counts
        return [counts[q] for q in PLATFORMS] if p is None else [counts[p]]

    def actor(self, platform: object, year: object) -> ActorResult:
        """The cast member in most titles of that platform and year; ties alphabetical."""
        p = v.parse_platform(platform)
        y = v.parse_year(year)
        q = self.index.questions
        count, tied = q.actors.get((p, y), (0, ()))
        titles_n, with_cast = q.titles_per_year.get((p, y), (0, 0))
        return ActorResult(
            platform=p,
            year=y,
            actor=tied[0] if tied else None,
            count=count,
            tied=tied,
            titles=titles_n,
            titles_with_cast=with_cast,
        )

    def cast_titles(self, platform: object) -> int:
        """How many of the platform's titles (any year, or none) list a cast at all: 0 means
        `actor` can never answer for it (Hulu's catalogue lists no cast)."""
        return self.index.questions.cast_titles.get(v.parse_platform(platform), 0)

    def years(self, platform: object = None) -> list[int]:
        """Release years present (ascending), for one platform or all."""
        return list(self.index.questions.years.get(v.parse_optional_platform(platform), ()))

    # ---------------------------------------------------------------- titles

    def search(self, text: object, limit: object = 10) -> list[SearchHit]:
        """Titles whose name matches the text (typos and accents forgiven), best first:
        the first page of `search_page`."""
        return list(self.search_page(text, 0, limit).hits)

    def search_page(self, text: object, offset: object = 0, limit: object = 10) -> SearchPage:
        """`limit` matching titles from `offset` (0-based), best first, and how many match.

        Ranked by name (catalog/search/index.py: exact name, 'Name (tail)', starts with the text,
        holds it as a phrase, holds its words; then typo distance, then votes); the titles of
        one name (the same film on several platforms) follow each other, most voted first.
        """
        q, start, n = v.parse_text(text), v.parse_offset(offset), v.parse_limit(limit)
        return titles.search_page(self.index, q, start, n)

    def where_to_watch(self, text: object, limit: object = 10) -> list[WhereToWatch]:
        """Every platform carrying the title(s) the text names; one entry per name and year:
        the first page of `where_to_watch_page`."""
        return list(self.where_to_watch_page(text, 0, limit).groups)

    def where_to_watch_page(
        self, text: object, offset: object = 0, limit: object = 10
    ) -> WatchPage:
        """`limit` (name, year) groups from `offset`, each with every platform carrying it,
        ranked as `search_page` ranks names (the exact name and its 'Name (U.S.)' variants
        first, then 'Frozen 2' for 'frozen', ...), and how many groups match in all."""
        q, start, n = v.parse_text(text), v.parse_offset(offset), v.parse_limit(limit)
        return self._watch_pages.get(
            (q, start, n), lambda: titles.watch_page(self.index, q, start, n)
        )

    def title(self, title_id: object) -> TitleInfo | None:
        """Everything about one title id (case-insensitive), or None when unknown."""
        row = titles.row_of(self.index.rows, title_id)
        return None if row is None else self.index.rows.info(row)

    def offers(self, title_id: object) -> tuple[Offer, ...]:
        """Every platform carrying this title's film or show (same name and release year),
        its own offer first; () for an unknown id."""
        row = titles.row_of(self.index.rows, title_id)
        return () if row is None else titles.offers(self.index, row)

    def resolve_title(self, text_or_id: object, limit: object = 10) -> TitleMatch:
        """An id or an exact (folded) name naming one title -> that title; else candidates.

        Several titles under the same name (the same film on two platforms, or remakes) are
        returned as candidates so a front end can offer a choice; no candidates = not found.
        """
        return titles.resolve(self.index, v.parse_text(text_or_id), v.parse_limit(limit))

    def director(self, name: object) -> DirectorTitles:
        """The titles a director made, per platform. `name` is folded (accents, case): the
        full name, or words of it naming one director ("scorsese"); several -> candidates."""
        text = v.parse_text(name, "director")
        directors = self._director_rows()
        key = fold(text)
        if key not in directors:
            words = set(key.split())
            found = [k for k in directors if words and words <= set(k.split())]
            if len(found) != 1:
                found.sort(key=lambda k: (-len(directors[k][1]), k))
                named = tuple(directors[k][0] for k in found[:DIRECTOR_CANDIDATES])
                return DirectorTitles(query=text, director=None, candidates=named)
            key = found[0]
        written, rows = directors[key]
        r = self.index.rows
        order = {p: i for i, p in enumerate(PLATFORMS)}

        def shown(row: int) -> tuple[int, int, str, str]:  # platform order, newest, by name
            return (order.get(r.platform[row], len(order)), -(r.release_year[row] or 0),
                    *r.sort_key(row))  # fmt: skip

        refs = tuple(r.refs[i] for i in sorted(rows, key=shown))
        return DirectorTitles(query=text, director=written, titles=refs)

    def _director_rows(self) -> dict[str, tuple[str, list[int]]]:
        # Built once per catalogue (about 40 ms for 23,000 titles); two threads building it at
        # once build the same map, and the assignment is atomic.
        if self._directors is None:
            rows = self.index.rows
            found: dict[str, tuple[str, list[int]]] = {}
            for row in sorted(rows.row_of_id.values()):  # served rows: no test row
                for written in (rows.display_director[row] or "").split(","):
                    if fold(written):
                        found.setdefault(fold(written), (written.strip(), []))[1].append(row)
            self._directors = found
        return self._directors

    def popular(
        self,
        n: object = 10,
        platform: object = None,
        kind: object = None,
        exclude: Iterable[str] = (),
    ) -> list[TitleRef]:
        """The most-voted titles (by number of ratings in scores.parquet), optionally of one
        platform / kind, leaving out the ids in `exclude` (case-insensitive).

        Titles nobody rated are not listed. Ties: better mean score first, then file order.
        Cost is n + len(exclude) steps, so a long `exclude` (what someone already rated) is fine.
        """
        count = v.parse_limit(n, "n")
        p = v.parse_optional_platform(platform)
        k = v.parse_kind(kind)
        if isinstance(exclude, str):
            exclude = (exclude,)
        skip = {e.strip().lower() for e in exclude if isinstance(e, str)}
        return titles.popular(self.index.rows, count, p, k, skip)

    # ---------------------------------------------------------------- recommendations
    # (parse each argument once, ask the loaded model, serve its answers as catalogue titles:
    # catalog/recommend.py)

    def _model(self) -> RecommenderModel:
        if self.recommender is None:
            problem = self.model_problem or ModelProblem("no_model")
            raise ModelUnavailable(self.model_error or str(problem), problem)
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

    def top_page(
        self,
        user_id: object,
        n: object = 10,
        platform: object = None,
        kind: object = None,
        offset: object = 0,
    ) -> RankedPage:
        """`n` of the user's best unseen titles from `offset` (0-based), and how many titles the
        ranking holds in all: every served title of the filters the user has not rated."""
        uid = v.parse_user_id(user_id)
        count = v.parse_limit(n, "n")
        p = v.parse_optional_platform(platform)
        k = v.parse_kind(kind)
        start = v.parse_offset(offset)
        model = self._model()
        rated_ids = getattr(model, "rated_ids", None)  # test doubles may not say: none rated
        rated = rated_ids(uid) if rated_ids is not None else ()
        ranked = self._ranked_titles(model)
        total = ranked.top_total(rated, p, k)
        want = min(start + count, total)
        if start >= want:
            return RankedPage(total, start, ())
        # spare for the ids the model knows and the catalogue does not serve: one call suffices
        ask = want + ranked.unserved + 10
        while True:
            scored = model.top_n(uid, ask, platform=p, kind=k)
            items = scored_titles(self.index.rows, scored, want, _n_titles(model), start)
            if len(items) >= want - start or len(scored) < ask:
                return RankedPage(total, start, tuple(items))
            ask *= 2

    def similar_page(self, title: object, n: object = 10, offset: object = 0) -> RankedPage:
        """`n` titles most like the given one from `offset`, and how many the ranking holds:
        with the model's factors every other served title (the same film elsewhere left
        out); by content, every title sharing a genre, cast member or director."""
        count = v.parse_limit(n, "n")
        start = v.parse_offset(offset)
        ref = self._ref(title)
        first = self.similar(ref.id, 1)
        content = not first or first[0].reason_code == "content"
        if content:
            total = self._content().total(self.index.rows.row_of_id[ref.id])
        else:
            assert self.recommender is not None, "a ratings basis needs a model"
            total = self._ranked_titles(self.recommender).similar_total(ref.id)
        want = min(start + count, total)
        if start >= want:
            return RankedPage(total, start, ())
        return RankedPage(total, start, self._similar_list(ref, want)[start:want])

    def _ranked_titles(self, model: RecommenderModel) -> RankedTitles:
        cached = self._ranked
        if cached is None or cached[0] is not model:
            cached = (model, RankedTitles(self.index.rows, getattr(model, "title_ids", ())))
            self._ranked = cached
        return cached[1]

    def similar(self, title: object, n: object = 10) -> list[RecommendedTitle]:
        """Titles most like the given one (id or name): a hybrid model blends its factors and the
        titles' content by how many people rated both, with reasons (model/similarity.py); for
        a title the model does not know (or with no model), by genres, cast and director
        (catalog/content.py), marked reason_code="content"."""
        count = v.parse_limit(n, "n")
        ref = self._ref(title)
        return list(self._similar_list(ref, count))

    def _similar_list(self, ref: TitleRef, want: int) -> tuple[RecommendedTitle, ...]:
        """The first `want` titles like `ref` (fewer when the ranking holds fewer). One list per
        title is kept, grown by doubling: walking every page of /similar computes the ranking
        about twice over, not once per page (each page used to rank and explain every title
        before it, and keep that list as well)."""
        kept = self._similar_lists.find(ref.id)
        if kept is not None and (len(kept[0]) >= want or kept[1]):
            return kept[0][:want]
        size = max(want, 2 * len(kept[0])) if kept is not None else want
        found = self._similar(ref, size)
        self._similar_lists.put(ref.id, (found, len(found) < size))
        return found[:want]

    def _similar(self, ref: TitleRef, count: int) -> tuple[RecommendedTitle, ...]:
        model = self.recommender
        if model is not None and _knows_title(model, ref.id):
            explained = getattr(model, "similar_explained", None)  # test doubles may lack it
            ask = count + 10  # spare for the titles left out (not served, the same film)
            while True:
                pairs = (
                    [(s.title_id, s.similarity, s.reasons) for s in explained(ref.id, ask)]
                    if explained is not None
                    else model.similar(ref.id, ask)
                )
                found = similar_titles(self.index.rows, pairs, ref, count)
                if len(found) >= count or len(pairs) < ask:
                    break
                ask *= 2
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
        return with_reasons(self.index.rows, items, model, given, vector)

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

    # ---------------------------------------------------------------- browsing

    @cached_property
    def _browse_table(self) -> BrowseTable:
        # Built on the first browse (tens of ms at full scale), then read by every thread;
        # two threads racing build equal tables and one wins: no lock needed.
        return BrowseTable.build(self.index.rows)

    def browse(
        self,
        platform: object = None,
        kind: object = None,
        genre: object = None,
        year: object = None,
        decade: object = None,
        min_score: object = None,
        sort: object = None,
        offset: object = 0,
        limit: object = 10,
    ) -> BrowsePage:
        """Titles by platform ('all' or None: every one), kind, genre (domain/genres.py's
        vocabulary, either language), release year or decade (1990 / '90s'), minimum mean
        score; sorted by 'score' (default) or 'newest'; `limit` from `offset`, with the total."""
        query = browse.parse_query(platform, kind, genre, year, decade, min_score, sort)
        return self.browse_query(query, offset, limit)

    def browse_words(self, text: object, offset: object = 0, limit: object = 10) -> BrowsePage:
        """`browse` for typed words in any order: 'netflix comedy 2020', 'series 90s best'
        (catalog/browse.py parse_words); an unknown word raises QueryError 'unknown_word'."""
        return self.browse_query(browse.parse_words(text), offset, limit)

    def browse_query(
        self, query: BrowseQuery, offset: object = 0, limit: object = 10
    ) -> BrowsePage:
        """Another page of a parsed query (`BrowsePage.query`): what a Next button asks."""
        start, n = v.parse_offset(offset), v.parse_limit(limit)
        return browse.page(self._browse_table, self.index.rows, query, start, n)

    def browse_years(self, query: BrowseQuery) -> list[int]:
        """The release years (ascending) of the titles a parsed query matches: what a menu
        offers next, so no decade or year button leads to nothing."""
        return browse.years(self._browse_table, query)

    # ---------------------------------------------------------------- charts

    def chart_frames(self) -> dict[str, ChartFrame]:
        """What charts.render_chart needs, from this catalogue (docs/eda.md):

        titles (every titles.parquet column the catalogue holds, one row per title), display
        (id, title, country, rating, listed_in in original casing: chart labels), scores
        (id, score, votes); and what catalog/reports.py reads from <data_dir>/reports/
        (rating_counts + user_activity, etl_report). Builds new frames on every call: callers
        cache them.
        """
        return chart_frames(self.index.rows, self.info.data_dir)

    def __repr__(self) -> str:
        i = self.info
        return f"Catalog({i.data_dir!r}, version={i.version}, titles={i.titles})"


def _n_titles(model: RecommenderModel) -> int:
    return len(getattr(model, "title_ids", ()))  # test doubles may have none


def _knows_title(model: RecommenderModel, title_id: str) -> bool:
    knows = getattr(model, "knows_title", None)  # test doubles may not say: assume they do
    return True if knows is None else bool(knows(title_id))
