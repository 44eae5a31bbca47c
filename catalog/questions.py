"""The four questions answered for every key when the index is built (docs/architecture.md).

Answers depend only on (platform, year, duration type), a few thousand keys in all, so they are
computed once and a question is a dict lookup (plus a binary search for the score threshold).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from catalog.results import PlatformCount, TitleRef
from catalog.rows import TitleRows
from domain.text import fold
from domain.vocabulary import KIND_OF_DURATION, PLATFORMS

NO_YEAR = -1  # stands for a null release_year in integer arrays; never a valid filter value

LongestKey = tuple[str | None, int | None, str]  # (platform, year, duration type); None = any
PlatformYear = tuple[str, int]


@dataclass(frozen=True, eq=False)
class QuestionIndex:
    """Precomputed answers; a missing key means no title (the answer is empty or 0)."""

    longest: Mapping[LongestKey, tuple[int, tuple[TitleRef, ...]]]  # duration, ties by name
    platform_counts: Mapping[str, PlatformCount]
    movies_per_year: Mapping[PlatformYear, int]
    movie_scores: Mapping[PlatformYear, np.ndarray]  # sorted mean scores of rated movies
    actors: Mapping[PlatformYear, tuple[int, tuple[str, ...]]]  # titles, tied names (sorted)
    titles_per_year: Mapping[PlatformYear, tuple[int, int]]  # titles, titles listing a cast
    cast_titles: Mapping[str, int]  # titles of the platform listing any cast, any year
    years: Mapping[str | None, tuple[int, ...]]  # release years present, per platform or all


def build_questions(rows: TitleRows) -> QuestionIndex:
    df = _frame(rows)
    movies = df[(df.type == "movie") & (df.y != NO_YEAR)]
    movie_scores = {
        _platform_year(k): np.sort(g.to_numpy(dtype=np.float64))
        for k, g in movies.dropna(subset=["score"]).groupby(["p", "y"])["score"]
    }
    years: dict[str | None, tuple[int, ...]] = {
        None: tuple(sorted(int(y) for y in df.y.unique() if y != NO_YEAR))
    }
    for p, g in df[df.y != NO_YEAR].groupby("p"):
        years[str(p)] = tuple(sorted(int(y) for y in g.y.unique()))
    cast = _cast_members(rows)
    dated_cast = _dated_cast(df, cast)
    return QuestionIndex(
        longest=MappingProxyType(_longest(df, rows)),
        platform_counts=MappingProxyType(_platform_counts(df)),
        movies_per_year=MappingProxyType(
            {_platform_year(k): int(c) for k, c in movies.groupby(["p", "y"]).size().items()}
        ),
        movie_scores=MappingProxyType(movie_scores),
        actors=MappingProxyType(_actors(dated_cast, cast)),
        titles_per_year=MappingProxyType(_titles_per_year(df, dated_cast)),
        cast_titles=MappingProxyType(_cast_titles(df, cast)),
        years=MappingProxyType(years),
    )


def _frame(rows: TitleRows) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row": np.arange(len(rows)),
            "p": np.array(rows.platform, dtype=object),
            "type": np.array(rows.kind, dtype=object),
            "y": np.array([NO_YEAR if y is None else y for y in rows.release_year]),
            "dur": np.array([-1 if d is None else d for d in rows.duration_int]),
            "dtype": np.array(rows.duration_type, dtype=object),
            "score": rows.score,
        }
    )


def _longest(
    df: pd.DataFrame, rows: TitleRows
) -> dict[LongestKey, tuple[int, tuple[TitleRef, ...]]]:
    """max_duration for every (platform|None, year|None, type) up front, ties kept."""
    longest: dict[LongestKey, tuple[int, tuple[TitleRef, ...]]] = {}
    for dtype, kind in KIND_OF_DURATION.items():
        sub = df[(df.dtype == dtype) & (df.type == kind) & (df.dur >= 0)]
        dated = sub[sub.y != NO_YEAR]
        for keys, frame in ((["p", "y"], dated), (["p"], sub), (["y"], dated), ([], sub)):
            if frame.empty:
                continue
            groups: Iterable[tuple[object, pd.DataFrame]]
            if keys:
                top = frame[frame.dur == frame.groupby(keys).dur.transform("max")]
                groups = top.groupby(keys, sort=False)
            else:
                groups = [((), frame[frame.dur == frame.dur.max()])]
            for key, g in groups:
                p, y = _key_parts(keys, key)
                longest[(p, y, dtype)] = (int(g.dur.iloc[0]), rows.refs_sorted(g.row.tolist()))
    return longest


def _key_parts(keys: list[str], key: object) -> tuple[str | None, int | None]:
    """A group key of the columns `keys` (of "p", "y") as (platform, year), None for absent."""
    named = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
    p, y = named.get("p"), named.get("y")
    return (None if p is None else str(p)), (None if y is None else _int(y))


def _platform_year(key: object) -> PlatformYear:
    p, y = _key_parts(["p", "y"], key)
    assert p is not None and y is not None
    return p, y


def _int(value: object) -> int:
    if not isinstance(value, int | np.integer):
        raise TypeError(f"not an integer: {value!r}")
    return int(value)


def _platform_counts(df: pd.DataFrame) -> dict[str, PlatformCount]:
    counts = {}
    for p in PLATFORMS:
        types = df.type[df.p == p]
        movies, shows = int((types == "movie").sum()), int((types == "tv show").sum())
        counts[p] = PlatformCount(p, movies, shows, len(types))
    return counts


@dataclass(frozen=True, eq=False)
class _Cast:
    found: pd.DataFrame  # one row per (title row, member): columns row, m
    display_name: Mapping[str, str]  # lower-case member -> the name as the display cast has it


def _cast_members(rows: TitleRows) -> _Cast:
    """Cast members per row, vectorised with Arrow (split, trim) and pandas: the real data's
    ~150k cast entries were the slowest step of the load in a Python loop (docs/benchmarks.md)."""
    # A test row's cast ("Test Actor 1", "1") is nobody: on the real data "1" would be
    # Amazon 2021's most frequent actor, in 35 titles.
    casts = [None if t else c for t, c in zip(rows.test, rows.cast, strict=True)]
    shown_casts = [None if t else c for t, c in zip(rows.test, rows.display_cast, strict=True)]
    at, members = _explode_cast(casts)
    shown_at, shown = _explode_cast(shown_casts)
    # Split the same way, the original-casing cast gives each lower-case key its display
    # form; rows whose two casts split into different numbers of members are left out.
    n = len(rows)
    same = np.bincount(at, minlength=n) == np.bincount(shown_at, minlength=n)
    names = pd.DataFrame({"key": members[same[at]], "name": shown[same[shown_at]]})
    names = names[names.key != ""].drop_duplicates("key")
    display_name = dict(zip(names.key.tolist(), names.name.tolist(), strict=True))
    found = pd.DataFrame({"row": at, "m": members})
    found = found[found.m != ""].drop_duplicates()  # titles are counted, not mentions
    return _Cast(found, display_name)


def _cast_titles(df: pd.DataFrame, cast: _Cast) -> dict[str, int]:
    with_any_cast = np.zeros(len(df), dtype=bool)
    with_any_cast[cast.found.row.to_numpy()] = True
    return {str(p): int(c) for p, c in df[with_any_cast].groupby("p").size().items()}


def _dated_cast(df: pd.DataFrame, cast: _Cast) -> pd.DataFrame:
    """(row, m, p, y) for the members of titles with a release year."""
    found = cast.found.copy()  # the undated rows still count for cast_titles
    found["p"] = df.p.to_numpy()[found.row.to_numpy()]
    found["y"] = df.y.to_numpy()[found.row.to_numpy()]
    return found[found.y != NO_YEAR]


def _titles_per_year(df: pd.DataFrame, found: pd.DataFrame) -> dict[PlatformYear, tuple[int, int]]:
    dated = df[df.y != NO_YEAR]
    with_cast = dated.row.isin(found.row.unique())
    tallies = pd.DataFrame({"titles": 1, "with_cast": with_cast}).groupby([dated.p, dated.y])
    sums = tallies.sum()
    return {
        (p, int(y)): (int(t), int(c))
        for (p, y), t, c in zip(
            sums.index.tolist(), sums.titles.tolist(), sums.with_cast.tolist(), strict=True
        )
    }


def _actors(found: pd.DataFrame, cast: _Cast) -> dict[PlatformYear, tuple[int, tuple[str, ...]]]:
    """The cast members in most titles per (platform, year), ties sorted by folded name."""
    counts = found.groupby(["p", "y", "m"]).size().rename("n").reset_index()
    best = counts[counts.n == counts.groupby(["p", "y"]).n.transform("max")]
    tied: dict[PlatformYear, tuple[int, list[str]]] = {}
    columns = (best.p.tolist(), best.y.tolist(), best.m.tolist(), best.n.tolist())
    for p, y, m, n in zip(*columns, strict=True):
        tied.setdefault((p, int(y)), (int(n), []))[1].append(m)
    actors: dict[PlatformYear, tuple[int, tuple[str, ...]]] = {}
    for key, (n, members) in tied.items():
        members.sort(key=lambda m: (fold(m), m))
        actors[key] = (n, tuple(cast.display_name.get(m, m.title()) for m in members))
    return actors


def _explode_cast(casts: Sequence[str | None]) -> tuple[np.ndarray, np.ndarray]:
    """(row of each member, member) for casts split on commas and trimmed (empty kept as '')."""
    parts = pc.split_pattern(pa.array(casts, pa.string()), ",")
    rows = pc.list_parent_indices(parts).to_numpy()
    members = pc.utf8_trim_whitespace(pc.list_flatten(parts))
    return rows, np.asarray(members.to_numpy(zero_copy_only=False), dtype=object)
