"""The catalogue: processed data loaded once, every question answered from precomputed tables.

Answers to the four questions depend only on (platform, year, duration type), a few thousand
keys in all, so they are computed at load time and a question is a dict lookup (plus a binary
search for the score threshold). Nothing here mutates after `load`, so one instance may serve
many threads while a new one is being built (see holder.py).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from catalog import validate as v
from catalog.loading import (
    RecommenderLoader,
    check_ratings_file,
    load_recommender,
    model_fingerprint,
    read_parquet,
)
from catalog.results import (
    ActorResult,
    CatalogInfo,
    FileInfo,
    MaxDuration,
    Offer,
    PlatformCount,
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
from catalog.search import NameIndex
from catalog.text import fold, split_cast
from domain.testrows import flag_test_rows
from domain.vocabulary import (
    DISPLAY_COLUMNS,
    KIND_OF_DURATION,
    KINDS,
    PLATFORMS,
    SERVED_TITLE_COLUMNS,
)

log = logging.getLogger(__name__)

NO_YEAR = -1  # stands for a null release_year in integer arrays; never a valid filter value
AUTO_PICK_MATCH = 90.0  # resolve_title picks a lone fuzzy candidate at least this close
# A chat rating at least this high is a title the person liked ("because you liked …").
LIKED_RATING = 4.0

LongestKey = tuple[str | None, int | None, str]


class Catalog:
    """Loaded catalogue; build with `Catalog.load(data_dir)`."""

    recommender: Any | None
    model_error: str | None
    info: CatalogInfo

    # ---------------------------------------------------------------- loading

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
        started = time.perf_counter()
        data_dir = Path(data_dir)
        processed = data_dir / "processed"
        titles, titles_file = read_parquet(processed / "titles.parquet")
        scores, scores_file = read_parquet(processed / "scores.parquet")
        display, display_file = read_parquet(processed / "display.parquet")
        check_ratings_file(processed / "ratings.parquet")
        titles, display = first_row_per_id(titles, display)

        self = cls.__new__(cls)
        self.threshold = float(threshold)
        self._build_rows(titles, scores, display)
        self._build_questions()
        self._build_search()

        del titles, scores, display
        # Everything needed now lives in Python lists and numpy arrays; hand the Arrow buffers
        # back so a serving process (and a reload beside it) does not keep them.
        pa.default_memory_pool().release_unused()

        kinds = dict(zip(self._col["id"], self._col["type"], strict=True))
        models_dir = data_dir / "models"
        self.recommender, self.model_error = load_recommender(
            models_dir, self.threshold, kinds, recommender_loader
        )
        model_version, model_summary = model_fingerprint(models_dir)
        files = (titles_file, scores_file, display_file)
        self.info = CatalogInfo(
            data_dir=str(data_dir),
            version=_version(files),
            model_version=model_version if self.recommender is not None else None,
            model_error=self.model_error,
            titles=len(self._refs),
            scored_titles=int(np.count_nonzero(~np.isnan(self._score))),
            per_platform={p: c.total for p, c in self._platform_counts.items()},
            files=files,
            model=model_summary if self.recommender is not None else {},
            loaded_at=dt.datetime.now(dt.UTC),
            load_seconds=time.perf_counter() - started,
        )
        return self

    def _build_rows(self, titles: Any, scores: Any, display: Any) -> None:
        col = {name: titles.column(name).to_pylist() for name in titles.column_names}
        ids: list[str] = col["id"]
        n = len(ids)
        # display.parquet has the same rows as titles; fall back to a join by id if it does not.
        disp = {name: display.column(name).to_pylist() for name in display.column_names}
        if disp["id"] != ids:
            first = {}
            for i, tid in enumerate(disp["id"]):
                first.setdefault(tid, i)
            for name in DISPLAY_COLUMNS:  # joined by id when its rows differ from titles'
                values = disp[name]
                disp[name] = [values[first[t]] if t in first else None for t in ids]
        self._display_title = [
            d or t or i for d, t, i in zip(disp["title"], col["title"], ids, strict=True)
        ]
        self._display_director = [
            d or t for d, t in zip(disp["director"], col["director"], strict=True)
        ]
        self._display_cast = disp["cast"]
        # What a card shows, in the raw casing; the lower-cased text only stands in for a row
        # display.parquet lacks. The maturity rating never does: rule 2's "g" for a missing one
        # is no rating anybody gave, so a card shows none (null in the API, docs/data.md).
        self._display_text = {
            name: [d or t for d, t in zip(disp[name], col[name], strict=True)]
            for name in ("country", "listed_in", "description")
        }
        self._display_text["rating"] = disp["rating"]
        # Platforms' QA entries (domain/testrows.py): one flag per row, decided here once; they
        # stay in the four questions' counts (the data as the ETL kept it) and are offered
        # nowhere else: no card, search, where-to-watch, popular list or recommendation.
        self._test = np.array(
            flag_test_rows(col["title"], col["cast"], col["description"]), dtype=bool
        )
        self._col = col
        self._refs = [
            TitleRef(ids[i], self._display_title[i], col["platform"][i], col["type"][i], y)
            for i, y in zip(range(n), col["release_year"], strict=True)
        ]
        # Every lookup by id (cards, recommendations, similar) goes through this map, so a test
        # row left out of it is served by none of them.
        self._row_of_id: dict[str, int] = {}
        for i, tid in enumerate(ids):  # ids are unique here: first_row_per_id ran at load
            if not self._test[i]:
                self._row_of_id.setdefault(tid, i)
        score_ids = scores.column("id").to_pylist()
        score_of = dict(zip(score_ids, scores.column("score").to_pylist(), strict=True))
        votes_of = dict(zip(score_ids, scores.column("votes").to_pylist(), strict=True))
        self._score = np.array(
            [np.nan if score_of.get(t) is None else score_of[t] for t in ids], dtype=np.float64
        )
        self._votes = np.array([votes_of.get(t) or 0 for t in ids], dtype=np.int64)
        self._build_popular()
        self._folded = [fold(t) for t in self._display_title]
        # Ties are listed by name; folding makes 'Émile' sort with 'Emile', not after 'Z'.
        self._sort_key = {i: (self._folded[i], ids[i]) for i in range(n)}

    def _build_popular(self) -> None:
        """Rows with votes, most voted first (then best scored, then file order), per filter."""
        first = np.zeros(len(self._refs), dtype=bool)
        # A duplicate id is offered once, a test row never (neither is in _row_of_id).
        first[list(self._row_of_id.values())] = True
        voted = np.flatnonzero((self._votes > 0) & first)
        score = np.where(np.isnan(self._score[voted]), -np.inf, self._score[voted])
        order = voted[np.lexsort((voted, -score, -self._votes[voted]))]
        platform = np.array(self._col["platform"], dtype=object)[order]
        kind = np.array(self._col["type"], dtype=object)[order]
        self._popular: dict[tuple[str | None, str | None], list[int]] = {
            (None, None): order.tolist()
        }
        for p in (None, *PLATFORMS):
            for k in (None, *KINDS):
                keep = np.ones(len(order), dtype=bool)
                if p is not None:
                    keep &= platform == p
                if k is not None:
                    keep &= kind == k
                self._popular[(p, k)] = order[keep].tolist()

    def _frame(self) -> pd.DataFrame:
        c = self._col
        return pd.DataFrame(
            {
                "row": np.arange(len(self._refs)),
                "p": np.array(c["platform"], dtype=object),
                "type": np.array(c["type"], dtype=object),
                "y": np.array([NO_YEAR if y is None else y for y in c["release_year"]]),
                "dur": np.array([-1 if d is None else d for d in c["duration_int"]]),
                "dtype": np.array(c["duration_type"], dtype=object),
                "score": self._score,
            }
        )

    def _refs_sorted(self, rows: Iterable[int]) -> tuple[TitleRef, ...]:
        return tuple(self._refs[r] for r in sorted(rows, key=self._sort_key.__getitem__))

    def _build_questions(self) -> None:
        df = self._frame()
        self._build_longest(df)
        self._build_platform_counts(df)
        movies = df[(df.type == "movie") & (df.y != NO_YEAR)]
        self._movies_per_year = {k: int(c) for k, c in movies.groupby(["p", "y"]).size().items()}
        self._movie_scores = {
            k: np.sort(g.to_numpy(dtype=np.float64))
            for k, g in movies.dropna(subset=["score"]).groupby(["p", "y"])["score"]
        }
        self._build_actors(df)
        self._years: dict[str | None, list[int]] = {
            None: sorted(int(y) for y in df.y.unique() if y != NO_YEAR)
        }
        for p, g in df[df.y != NO_YEAR].groupby("p"):
            self._years[p] = sorted(int(y) for y in g.y.unique())

    def _build_longest(self, df: pd.DataFrame) -> None:
        """Answer max_duration for every (platform|None, year|None, type) up front, ties kept."""
        self._longest: dict[LongestKey, tuple[int, tuple[TitleRef, ...]]] = {}
        for dtype, kind in KIND_OF_DURATION.items():
            sub = df[(df.dtype == dtype) & (df.type == kind) & (df.dur >= 0)]
            dated = sub[sub.y != NO_YEAR]
            for keys, frame in ((["p", "y"], dated), (["p"], sub), (["y"], dated), ([], sub)):
                if frame.empty:
                    continue
                if keys:
                    top = frame[frame.dur == frame.groupby(keys).dur.transform("max")]
                    groups = top.groupby(keys, sort=False)
                else:
                    top = frame[frame.dur == frame.dur.max()]
                    groups = [((), top)]
                for key, g in groups:
                    named = dict(zip(keys, key, strict=True))
                    p = named.get("p")
                    y = int(named["y"]) if "y" in named else None
                    self._longest[(p, y, dtype)] = (int(g.dur.iloc[0]), self._refs_sorted(g.row))

    def _build_platform_counts(self, df: pd.DataFrame) -> None:
        self._platform_counts: dict[str, PlatformCount] = {}
        for p in PLATFORMS:
            types = df.type[df.p == p]
            movies, shows = int((types == "movie").sum()), int((types == "tv show").sum())
            self._platform_counts[p] = PlatformCount(p, movies, shows, len(types))

    def _build_actors(self, df: pd.DataFrame) -> None:
        """Cast members per (platform, year): counts of distinct titles, best and ties.

        Vectorised with Arrow (split, trim) and pandas (count): ~150k cast entries on the real
        data, which a Python loop takes half a second to go through.
        """
        # A test row's cast ("Test Actor 1", "1") is nobody: on the real data "1" would be
        # Amazon 2021's most frequent actor, in 35 titles.
        casts = [None if t else c for t, c in zip(self._test, self._col["cast"], strict=True)]
        shown_casts = [
            None if t else c for t, c in zip(self._test, self._display_cast, strict=True)
        ]
        rows, members = _explode_cast(casts)
        shown_rows, shown = _explode_cast(shown_casts)
        # Split the same way, the original-casing cast gives each lower-case key its display
        # form; rows whose two casts split into different numbers of members are left out.
        n = len(self._refs)
        same = np.bincount(rows, minlength=n) == np.bincount(shown_rows, minlength=n)
        names = pd.DataFrame({"key": members[same[rows]], "name": shown[same[shown_rows]]})
        names = names[names.key != ""].drop_duplicates("key")
        display_name = dict(zip(names.key.tolist(), names.name.tolist(), strict=True))

        found = pd.DataFrame({"row": rows, "m": members})
        found = found[found.m != ""].drop_duplicates()  # titles are counted, not mentions
        with_any_cast = np.zeros(n, dtype=bool)
        with_any_cast[found.row.to_numpy()] = True
        self._cast_titles = {p: int(c) for p, c in df[with_any_cast].groupby("p").size().items()}
        found["p"] = df.p.to_numpy()[found.row.to_numpy()]
        found["y"] = df.y.to_numpy()[found.row.to_numpy()]
        found = found[found.y != NO_YEAR]
        dated = df[df.y != NO_YEAR]
        with_cast = dated.row.isin(found.row.unique())
        tallies = pd.DataFrame({"titles": 1, "with_cast": with_cast}).groupby([dated.p, dated.y])
        sums = tallies.sum()
        self._titles_per_year = {
            (p, int(y)): (int(t), int(c))
            for (p, y), t, c in zip(
                sums.index.tolist(), sums.titles.tolist(), sums.with_cast.tolist(), strict=True
            )
        }
        counts = found.groupby(["p", "y", "m"]).size().rename("n").reset_index()
        best = counts[counts.n == counts.groupby(["p", "y"]).n.transform("max")]
        tied: dict[tuple[str, int], tuple[int, list[str]]] = {}
        columns = (best.p.tolist(), best.y.tolist(), best.m.tolist(), best.n.tolist())
        for p, y, m, n in zip(*columns, strict=True):
            tied.setdefault((p, int(y)), (int(n), []))[1].append(m)
        self._actors: dict[tuple[str, int], tuple[int, tuple[str, ...]]] = {}
        for key, (n, members) in tied.items():
            members.sort(key=lambda m: (fold(m), m))
            self._actors[key] = (n, tuple(display_name.get(m, m.title()) for m in members))

    def _build_search(self) -> None:
        # The index holds the served rows only (test rows are never found); its row numbers are
        # mapped back to the catalogue's.
        served = np.flatnonzero(~self._test).tolist()
        self._names = NameIndex(
            [self._folded[r] for r in served],
            votes=self._votes[served].tolist(),
            titles=[self._display_title[r] for r in served],
        )
        self._names.rows = [[served[i] for i in rows] for rows in self._names.rows]
        self._groups: dict[tuple[int, int | None], list[int]] = {}
        for name_idx, rows in enumerate(self._names.rows):
            for r in rows:
                self._groups.setdefault((name_idx, self._col["release_year"][r]), []).append(r)
        # Per name: its rows and its (name, year) groups, to count matches without listing them.
        self._name_rows = np.array([len(rows) for rows in self._names.rows], dtype=np.int64)
        self._name_groups = np.zeros(len(self._names.rows), dtype=np.int64)
        for name_idx, _ in self._groups:
            self._name_groups[name_idx] += 1

    # ---------------------------------------------------------------- the four questions

    def max_duration(
        self, year: object = None, platform: object = None, duration_type: object = None
    ) -> MaxDuration:
        """Longest movie (minutes, default) or show (seasons); every filter optional; ties kept."""
        y = v.parse_optional_year(year)
        p = v.parse_optional_platform(platform)
        d = v.parse_duration_type(duration_type)
        duration, refs = self._longest.get((p, y, d), (None, ()))
        return MaxDuration(year=y, platform=p, duration_type=d, duration=duration, titles=refs)

    def score_count(self, platform: object, scored: object, year: object) -> ScoreCount:
        """Movies of platform and release year with mean user score strictly above `scored`."""
        p = v.parse_platform(platform)
        s = v.parse_score(scored)
        y = v.parse_year(year)
        scores = self._movie_scores.get((p, y), np.empty(0))
        above = int(len(scores) - np.searchsorted(scores, s, side="right"))
        return ScoreCount(
            platform=p,
            year=y,
            scored=s,
            count=above,
            movies=self._movies_per_year.get((p, y), 0),
            rated=len(scores),
        )

    def count_platform(self, platform: object = None) -> list[PlatformCount]:
        """Movies (and shows, total) of one platform, or of each platform when None."""
        p = v.parse_optional_platform(platform)
        if p is None:
            return [self._platform_counts[q] for q in PLATFORMS]
        return [self._platform_counts[p]]

    def actor(self, platform: object, year: object) -> ActorResult:
        """The cast member in most titles of that platform and year; ties alphabetical."""
        p = v.parse_platform(platform)
        y = v.parse_year(year)
        count, tied = self._actors.get((p, y), (0, ()))
        titles, with_cast = self._titles_per_year.get((p, y), (0, 0))
        return ActorResult(
            platform=p,
            year=y,
            actor=tied[0] if tied else None,
            count=count,
            tied=tied,
            titles=titles,
            titles_with_cast=with_cast,
        )

    def cast_titles(self, platform: object) -> int:
        """How many of the platform's titles (any year, or none) list a cast at all: 0 means
        `actor` can never answer for it (Hulu's catalogue lists no cast)."""
        return self._cast_titles.get(v.parse_platform(platform), 0)

    # ---------------------------------------------------------------- titles

    def search(self, text: object, limit: object = 10) -> list[SearchHit]:
        """Titles whose name matches the text (typos and accents forgiven), best first:
        the first page of `search_page`."""
        return list(self.search_page(text, 0, limit).hits)

    def search_page(self, text: object, offset: object = 0, limit: object = 10) -> SearchPage:
        """`limit` matching titles from `offset` (0-based), best first, and how many match.

        Ranked by name (catalog/search.py: exact name, 'Name (tail)', starts with the text,
        holds it as a phrase, holds its words; then typo distance, then votes); the titles of
        one name (the same film on several platforms) follow each other, most voted first.
        """
        q = v.parse_text(text)
        start = v.parse_offset(offset)
        n = v.parse_limit(limit)
        # Every name has at least one title, so offset + n names cover the page asked for.
        ranked = self._names.search(q, 0, start + n)
        hits: list[SearchHit] = []
        for name_idx, match in ranked.hits:
            for r in sorted(self._names.rows[name_idx], key=self._row_order):
                ref = self._refs[r]
                hits.append(
                    SearchHit(ref.id, ref.title, ref.platform, ref.type, ref.release_year, match)
                )
            if len(hits) >= start + n:
                break
        total = int(self._name_rows[ranked.found].sum())
        return SearchPage(q, total, start, tuple(hits[start : start + n]))

    def _row_order(self, row: int) -> tuple:
        """Within one name: most voted first, then newest, then platform order."""
        year = self._col["release_year"][row]
        return (-int(self._votes[row]), -(year or 0), self._col["platform"][row], row)

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
        q = v.parse_text(text)
        start = v.parse_offset(offset)
        n = v.parse_limit(limit)
        ranked = self._names.search(q, 0, start + n)
        answers: list[WhereToWatch] = []
        for name_idx, match in ranked.hits:
            years = {self._col["release_year"][r] for r in self._names.rows[name_idx]}
            groups = []
            for year in years:
                rows = sorted(self._groups[(name_idx, year)], key=self._row_order)
                first = self._refs[rows[0]]
                offers = tuple(
                    sorted((Offer(self._refs[r].platform, self._refs[r].id) for r in rows),
                           key=lambda o: (o.platform, o.id))
                )  # fmt: skip
                groups.append(WhereToWatch(first.title, year, first.type, offers, match))
            # One name's films: the one on most platforms first, then the newest.
            groups.sort(key=lambda w: (-len(w.offers), -(w.release_year or 0)))
            answers.extend(groups)
            if len(answers) >= start + n:
                break
        total = int(self._name_groups[ranked.found].sum())
        return WatchPage(q, total, start, tuple(answers[start : start + n]))

    def title(self, title_id: object) -> TitleInfo | None:
        """Everything about one title id (case-insensitive), or None when unknown."""
        if not isinstance(title_id, str):
            return None
        row = self._row_of_id.get(title_id.strip().lower())
        return None if row is None else self._info(row)

    def _info(self, row: int) -> TitleInfo:
        c = self._col
        score = self._score[row]
        return TitleInfo(
            id=c["id"][row],
            title=self._display_title[row],
            platform=c["platform"][row],
            type=c["type"][row],
            release_year=c["release_year"][row],
            director=self._display_director[row],
            cast=tuple(split_cast(self._display_cast[row] or c["cast"][row])),
            country=self._display_text["country"][row],
            date_added=c["date_added"][row],
            rating=self._display_text["rating"][row],
            duration_int=c["duration_int"][row],
            duration_type=c["duration_type"][row],
            listed_in=self._display_text["listed_in"][row],
            description=self._display_text["description"][row],
            score=None if np.isnan(score) else float(score),
            votes=int(self._votes[row]),
        )

    def resolve_title(self, text_or_id: object, limit: object = 10) -> TitleMatch:
        """An id or an exact (folded) name naming one title -> that title; else candidates.

        Several titles under the same name (the same film on two platforms, or remakes) are
        returned as candidates so a front end can offer a choice; no candidates = not found.
        """
        text = v.parse_text(text_or_id)
        found = self.title(text)
        if found is not None:
            return TitleMatch(found)
        hits = tuple(self.search(text, limit))
        exact = tuple(h for h in hits if h.match == 100.0)
        if len(exact) == 1:
            return TitleMatch(self._info(self._row_of_id[exact[0].id]))
        if exact:
            return TitleMatch(None, exact)
        if len(hits) == 1 and hits[0].match >= AUTO_PICK_MATCH:
            return TitleMatch(self._info(self._row_of_id[hits[0].id]))
        return TitleMatch(None, hits)

    def _resolve_row(self, title: object) -> int:
        match = self.resolve_title(title)
        if match.title is not None:
            return self._row_of_id[match.title.id]
        if match.candidates:
            raise v.AmbiguousTitle(str(title), match.candidates)
        raise v.TitleNotFound(str(title))

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
        out: list[TitleRef] = []
        for row in self._popular[(p, k)]:
            ref = self._refs[row]
            if ref.id in skip:
                continue
            out.append(ref)
            if len(out) == count:
                break
        return out

    def chart_frames(self) -> dict[str, Any]:
        """What charts.render_chart needs, from this catalogue (docs/eda.md):

        titles (every titles.parquet column the catalogue holds, one row per title), display
        (id, title, country, rating, listed_in in original casing: chart labels), scores
        (id, score, votes); and, when the ETL/EDA wrote them under <data_dir>/reports/,
        rating_counts + user_activity (eda_ratings.json) and
        etl_report (etl.json). A missing or unreadable report only leaves its key out.
        Builds new frames on every call (a few ms per 1,000 titles): callers cache them.
        """
        c = self._col
        ids = c["id"]
        frames: dict[str, Any] = {
            "titles": pd.DataFrame({name: c[name] for name in SERVED_TITLE_COLUMNS if name in c}),
            "display": pd.DataFrame(
                {"id": ids, "title": self._display_title}
                | {k: self._display_text[k] for k in ("country", "rating", "listed_in")}
            ),
            "scores": pd.DataFrame(
                {"id": ids, "score": self._score.copy(), "votes": self._votes.copy()}
            ),
        }
        reports = Path(self.info.data_dir) / "reports"
        summary = _read_json(reports / "eda_ratings.json")
        # A malformed summary: the ratings charts are simply not offered.
        with contextlib.suppress(KeyError, TypeError, ValueError, AttributeError):
            if summary is not None:
                frames |= ratings_summary(summary)
        etl_report = _read_json(reports / "etl.json")
        if isinstance(etl_report, dict):
            frames["etl_report"] = etl_report
        return frames

    def years(self, platform: object = None) -> list[int]:
        """Release years present (ascending), for one platform or all."""
        return list(self._years.get(v.parse_optional_platform(platform), []))

    # ---------------------------------------------------------------- recommendations

    def _model(self) -> Any:
        if self.recommender is None:
            raise v.ModelUnavailable(self.model_error or "no recommendation model is loaded")
        return self.recommender

    def recommend(self, user_id: object, title: object) -> Recommendation:
        """Predicted score of a user for a title (id or name) and the decision, with the reason."""
        uid = v.parse_user_id(user_id)
        model = self._model()
        ref = self._refs[self._resolve_row(title)]
        pred = model.predict(uid, ref.id)
        return _recommendation(uid, ref, pred)

    def top(
        self, user_id: object, n: object = 10, platform: object = None, kind: object = None
    ) -> list[RecommendedTitle]:
        """The user's best unseen titles by predicted score, optionally of one platform/kind."""
        uid = v.parse_user_id(user_id)
        count = v.parse_limit(n, "n")
        p = v.parse_optional_platform(platform)
        k = v.parse_kind(kind)
        # Ask for a few spare: the model may know ids that the catalogue no longer carries.
        model = self._model()
        scored = model.top_n(uid, count + 10, platform=p, kind=k)
        return self._scored(scored, count, model)

    def similar(self, title: object, n: object = 10) -> list[RecommendedTitle]:
        """Titles closest to the given one (id or name) in the model's factor space."""
        count = v.parse_limit(n, "n")
        model = self._model()
        ref = self._refs[self._resolve_row(title)]
        out: list[RecommendedTitle] = []
        for tid, similarity in model.similar(ref.id, count + 10):
            row = self._row_of_id.get(tid)
            if row is not None and tid != ref.id:
                out.append(RecommendedTitle(self._refs[row], similarity=float(similarity)))
            if len(out) == count:
                break
        return out

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
        return self._with_reasons(self._scored(scored, count, model), model, given, vector)

    def recommend_for_ratings(self, ratings: Mapping[str, float], title: object) -> Recommendation:
        """`recommend` for someone known only by the ratings given (user_id is None)."""
        given = v.parse_ratings(ratings)
        model = self._model()
        ref = self._refs[self._resolve_row(title)]
        vector = model.fold_in(self._known(given))
        pred = model.predict_for(vector, ref.id)
        return _recommendation(None, ref, pred)

    def _known(self, ratings: dict[str, float]) -> dict[str, float]:
        # A stored rating of a title that a reload dropped must not break the user's list.
        return {t: r for t, r in ratings.items() if t in self._row_of_id}

    def _scored(self, scored: Iterable[Any], count: int, model: Any) -> list[RecommendedTitle]:
        n_titles = len(getattr(model, "title_ids", ()))
        out: list[RecommendedTitle] = []
        for s in scored:
            row = self._row_of_id.get(s.title_id)
            if row is not None:
                predicted = _finite(getattr(s, "predicted", None))
                pct = _finite(getattr(s, "percentile", None))
                top = None
                if pct is not None and n_titles:
                    # percentile counts the titles scored no higher, this one included: the
                    # titles above it plus itself are the top share ("top 0.1 %" for the best).
                    top = min(100.0, max(0.0, 100.0 - pct) + 100.0 / n_titles)
                out.append(
                    RecommendedTitle(
                        self._refs[row],
                        estimate=float(s.estimate),
                        predicted=predicted,
                        top_percent=top,
                    )
                )
            if len(out) == count:
                break
        return out

    def _with_reasons(
        self,
        items: list[RecommendedTitle],
        model: Any,
        ratings: Mapping[str, float],
        vector: Any,
    ) -> list[RecommendedTitle]:
        """Each item with why it is recommended: the person's highly rated title closest to it
        in the model's factor space (cosine of title factors, as `similar` ranks), else a
        plain reason. Models without factor arrays (test doubles) get no reason."""
        qi = getattr(model, "qi", None)
        if not items or qi is None or getattr(qi, "ndim", 0) != 2:
            return items
        if qi.shape[1] == 0 or getattr(vector, "n_ratings", 0) == 0:
            # A baseline model (or nothing usable rated) ranks by title bias alone.
            return [replace(x, reason_code="popular") for x in items]
        index = self._model_title_index(model)
        liked = [
            (t, index[t])
            for t, r in sorted(ratings.items(), key=lambda tr: -tr[1])
            if r >= LIKED_RATING and t in index and t in self._row_of_id
        ]
        if not liked:
            return [replace(x, reason_code="similar_taste") for x in items]
        liked_unit = _unit(qi[[i for _, i in liked]])
        out = []
        for x in items:
            j = index.get(x.title.id)
            if j is None:
                out.append(replace(x, reason_code="similar_taste"))
                continue
            cos = liked_unit @ _unit(qi[[j]])[0]
            best = int(np.argmax(cos))  # ties: the higher rated (liked is sorted by rating)
            if cos[best] > 0:
                ref = self._refs[self._row_of_id[liked[best][0]]]
                out.append(replace(x, reason_code="liked", because=ref))
            else:
                out.append(replace(x, reason_code="similar_taste"))
        return out

    def _model_title_index(self, model: Any) -> dict[str, int]:
        """Title id -> row of the model's arrays, built once per loaded model."""
        cached = getattr(self, "_title_index_cache", None)
        if cached is None or cached[0] is not model:
            cached = (model, {t: i for i, t in enumerate(model.title_ids)})
            self._title_index_cache = cached
        return cached[1]

    def __repr__(self) -> str:
        i = self.info
        return f"Catalog({i.data_dir!r}, version={i.version}, titles={i.titles})"


def _recommendation(user_id: int | None, ref: TitleRef, pred: Any) -> Recommendation:
    return Recommendation(
        user_id=user_id,
        title=ref,
        estimate=float(pred.estimate),
        recommended=bool(pred.recommended),
        threshold=float(pred.threshold),
        reason_code=str(pred.reason_code),
        reason=_reason_with_title(str(pred.reason), ref),
        # the model's unclipped score and its expected rating (absent from test doubles)
        predicted=_finite(getattr(pred, "predicted", None)),
        score=_finite(getattr(pred, "raw", None)),
    )


def _finite(x: object) -> float | None:
    try:
        f = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return f if np.isfinite(f) else None


def _unit(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(norms > 0, norms, 1.0)


def _reason_with_title(reason: str, ref: TitleRef) -> str:
    """The model words its reason with the raw id ("...of title ns1"); people (the API's
    readers) know the title by its name: “Dick Johnson Is Dead” instead."""
    name = f"“{ref.title}”"
    reason = reason.replace(f"title {ref.id}", name)
    return re.sub(rf"\b{re.escape(ref.id)}\b", name, reason)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def ratings_summary(raw: Mapping[str, Any]) -> dict[str, pd.Series]:
    """eda_ratings.json -> {"rating_counts", "user_activity"} Series, as the charts take them
    (the same as charts.ratings_summary_from_json, without importing matplotlib here)."""
    rc, ua = raw["rating_counts"], raw["user_activity"]
    return {
        "rating_counts": pd.Series(
            [int(x) for x in rc.values()], index=[float(k) for k in rc], dtype="int64"
        ).sort_index(),
        "user_activity": pd.Series(
            [int(x) for x in ua.values()], index=[int(k) for k in ua], dtype="int64"
        ).sort_index(),
    }


def _explode_cast(casts: list[str | None]) -> tuple[np.ndarray, np.ndarray]:
    """(row of each member, member) for casts split on commas and trimmed (empty kept as '')."""
    parts = pc.split_pattern(pa.array(casts, pa.string()), ",")
    rows = pc.list_parent_indices(parts).to_numpy()
    members = pc.utf8_trim_whitespace(pc.list_flatten(parts))
    return rows, np.asarray(members.to_numpy(zero_copy_only=False), dtype=object)


def first_row_per_id(titles: pa.Table, display: pa.Table) -> tuple[pa.Table, pa.Table]:
    """Only the first row of each id: an id must mean one title for lookups, search,
    where-to-watch, the four questions and recommendations alike. The ETL keeps every raw row
    in titles.parquet and reports duplicate ids (anomaly `duplicate_id`); serving both rows made
    an id resolve to one title while search showed the other."""
    ids = titles.column("id").to_pylist()
    first: dict[str, int] = {}
    for i, tid in enumerate(ids):
        first.setdefault(tid, i)
    if len(first) == len(ids):
        return titles, display
    keep = pa.array(sorted(first.values()), pa.int64())
    log.warning(
        "%d title row(s) share an id with an earlier row; serving the first row of each id",
        len(ids) - len(first),
    )
    if display.column("id").to_pylist() == ids:  # same rows: keep the same ones
        display = display.take(keep)
    return titles.take(keep), display


def _version(files: Iterable[FileInfo]) -> str:
    """Content fingerprint of the processed files: the same data gives the same version."""
    h = hashlib.sha256()
    for f in files:
        h.update(f"{f.name}:{f.sha256}\n".encode())
    return h.hexdigest()[:12]
