"""The served titles as per-row columns: what every index and answer reads (built once at load).

Row r of every field is titles.parquet's row r after `first_row_per_id`. Nothing here changes
after `build_rows`, so one TitleRows may serve many threads.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pyarrow as pa

from catalog.results import TitleInfo, TitleRef
from catalog.text import split_cast
from domain.testrows import flag_test_rows
from domain.text import fold
from domain.vocabulary import DISPLAY_COLUMNS, KINDS, PLATFORMS

log = logging.getLogger(__name__)

PopularKey = tuple[str | None, str | None]  # (platform, kind); None = any


@dataclass(frozen=True, eq=False)
class TitleRows:
    """Every served row's fields; lists are shared with `columns`, arrays are read-only."""

    columns: Mapping[str, Sequence[object]]  # the titles.parquet columns kept (chart frames)
    ids: Sequence[str]
    platform: Sequence[str]
    kind: Sequence[str]  # titles.parquet's `type`: 'movie' | 'tv show'
    release_year: Sequence[int | None]
    duration_int: Sequence[int | None]
    duration_type: Sequence[str | None]
    date_added: Sequence[dt.date | None]
    cast: Sequence[str | None]  # lower-cased, as the ETL normalised it
    display_title: Sequence[str]
    display_director: Sequence[str | None]
    display_cast: Sequence[str | None]
    display_text: Mapping[str, Sequence[str | None]]  # country, listed_in, description, rating
    test: np.ndarray  # bool per row: a platform's QA entry (domain/testrows.py)
    refs: Sequence[TitleRef]
    row_of_id: Mapping[str, int]  # served rows only: no test row, one row per id
    score: np.ndarray  # float64 mean user score, NaN when unrated
    votes: np.ndarray  # int64 number of ratings
    folded: Sequence[str]  # display title folded (accents, case) for search and sorting
    popular: Mapping[PopularKey, np.ndarray]  # rows with votes, most voted first (read-only)

    def __len__(self) -> int:
        return len(self.ids)

    def sort_key(self, row: int) -> tuple[str, str]:
        """Ties are listed by name; folding makes 'Émile' sort with 'Emile', not after 'Z'."""
        return (self.folded[row], self.ids[row])

    def refs_sorted(self, rows: Sequence[int]) -> tuple[TitleRef, ...]:
        return tuple(self.refs[r] for r in sorted(rows, key=self.sort_key))

    def info(self, row: int) -> TitleInfo:
        """Everything a card shows about one row."""
        score = self.score[row]
        return TitleInfo(
            id=self.ids[row],
            title=self.display_title[row],
            platform=self.platform[row],
            type=self.kind[row],
            release_year=self.release_year[row],
            director=self.display_director[row],
            cast=tuple(split_cast(self.display_cast[row] or self.cast[row])),
            country=self.display_text["country"][row],
            date_added=self.date_added[row],
            rating=self.display_text["rating"][row],
            duration_int=self.duration_int[row],
            duration_type=self.duration_type[row],
            listed_in=self.display_text["listed_in"][row],
            description=self.display_text["description"][row],
            score=None if np.isnan(score) else float(score),
            votes=int(self.votes[row]),
        )


def build_rows(titles: pa.Table, scores: pa.Table, display: pa.Table) -> TitleRows:
    """The three processed tables (ids unique, see first_row_per_id) as TitleRows."""
    col = {name: titles.column(name).to_pylist() for name in titles.column_names}
    ids: list[str] = col["id"]
    disp = _display_columns(display, ids)
    display_title = [d or t or i for d, t, i in zip(disp["title"], col["title"], ids, strict=True)]
    # What a card shows, in the raw casing; the lower-cased text only stands in for a row
    # display.parquet lacks. The maturity rating never does: rule 2's "g" for a missing one
    # is no rating anybody gave, so a card shows none (null in the API, docs/data.md).
    display_text = {
        name: [d or t for d, t in zip(disp[name], col[name], strict=True)]
        for name in ("country", "listed_in", "description")
    }
    display_text["rating"] = disp["rating"]
    # Platforms' QA entries (domain/testrows.py): one flag per row, decided here once; they
    # stay in the four questions' counts (the data as the ETL kept it) and are offered
    # nowhere else: no card, search, where-to-watch, popular list or recommendation.
    test = _frozen(np.array(flag_test_rows(col["title"], col["cast"], col["description"]), bool))
    # Every lookup by id (cards, recommendations, similar) goes through this map, so a test
    # row left out of it is served by none of them.
    row_of_id: dict[str, int] = {}
    for i, tid in enumerate(ids):  # ids are unique here: first_row_per_id ran at load
        if not test[i]:
            row_of_id.setdefault(tid, i)
    score, votes = _scores(scores, ids)
    refs = [
        TitleRef(tid, name, p, k, y)
        for tid, name, p, k, y in zip(
            ids, display_title, col["platform"], col["type"], col["release_year"], strict=True
        )
    ]
    return TitleRows(
        columns=MappingProxyType(col),
        ids=ids,
        platform=col["platform"],
        kind=col["type"],
        release_year=col["release_year"],
        duration_int=col["duration_int"],
        duration_type=col["duration_type"],
        date_added=col["date_added"],
        cast=col["cast"],
        display_title=display_title,
        display_director=[d or t for d, t in zip(disp["director"], col["director"], strict=True)],
        display_cast=disp["cast"],
        display_text=MappingProxyType(display_text),
        test=test,
        refs=refs,
        row_of_id=MappingProxyType(row_of_id),
        score=score,
        votes=votes,
        folded=[fold(t) for t in display_title],
        popular=_popular(row_of_id, score, votes, col["platform"], col["type"]),
    )


def _display_columns(display: pa.Table, ids: list[str]) -> dict[str, list[str | None]]:
    """display.parquet's columns in titles' row order (joined by id when its rows differ)."""
    disp = {name: display.column(name).to_pylist() for name in display.column_names}
    if disp["id"] != ids:
        first: dict[str, int] = {}
        for i, tid in enumerate(disp["id"]):
            first.setdefault(tid, i)
        for name in DISPLAY_COLUMNS:
            values = disp[name]
            disp[name] = [values[first[t]] if t in first else None for t in ids]
    return disp


def _scores(scores: pa.Table, ids: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(mean score, votes) per row from scores.parquet; NaN / 0 for a title nobody rated."""
    score_ids = scores.column("id").to_pylist()
    score_of = dict(zip(score_ids, scores.column("score").to_pylist(), strict=True))
    votes_of = dict(zip(score_ids, scores.column("votes").to_pylist(), strict=True))
    score = np.array(
        [np.nan if score_of.get(t) is None else score_of[t] for t in ids], dtype=np.float64
    )
    votes = np.array([votes_of.get(t) or 0 for t in ids], dtype=np.int64)
    return _frozen(score), _frozen(votes)


def _popular(
    row_of_id: Mapping[str, int],
    score: np.ndarray,
    votes: np.ndarray,
    platforms: Sequence[str],
    kinds: Sequence[str],
) -> Mapping[PopularKey, np.ndarray]:
    """Rows with votes, most voted first (then best scored, then file order), per filter."""
    first = np.zeros(len(score), dtype=bool)
    # A duplicate id is offered once, a test row never (neither is in row_of_id).
    first[list(row_of_id.values())] = True
    voted = np.flatnonzero((votes > 0) & first)
    best = np.where(np.isnan(score[voted]), -np.inf, score[voted])
    order = voted[np.lexsort((voted, -best, -votes[voted]))]
    platform = np.array(platforms, dtype=object)[order]
    kind = np.array(kinds, dtype=object)[order]
    popular: dict[PopularKey, np.ndarray] = {}
    for p in (None, *PLATFORMS):
        for k in (None, *KINDS):
            keep = np.ones(len(order), dtype=bool)
            if p is not None:
                keep &= platform == p
            if k is not None:
                keep &= kind == k
            popular[(p, k)] = _frozen(order[keep])
    return MappingProxyType(popular)


def _frozen(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


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
    warn_duplicate_ids(len(ids) - len(first))
    if display.column("id").to_pylist() == ids:  # same rows: keep the same ones
        display = display.take(keep)
    return titles.take(keep), display


def warn_duplicate_ids(rows: int) -> None:
    """The one log line for rows left out as duplicate ids (at build, and at each load of a
    stored index, which was built without them)."""
    log.warning(
        "%d title row(s) share an id with an earlier row; serving the first row of each id", rows
    )
