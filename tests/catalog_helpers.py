"""A small hand-made catalogue written as real parquet files; answers are known by construction.

Imported by the other tests/catalog/ and tests/api/ modules (this module holds no tests itself).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

# id, type, display title, display cast, release_year, duration_int, duration_type, score, votes
ROWS: list[tuple] = [
    ("as1", "Movie", "The Long Film", "Ana Pérez, Bob Stone", 2020, 150, "min", 4.0, 2),
    ("as2", "Movie", "Another Long", "Bob Stone, Carl Diaz, Bob Stone", 2020, 150, "min", 3.5, 4),
    ("as3", "Movie", "Short One", "Carl Diaz, Ana Pérez", 2020, 90, "min", None, 0),
    ("as4", "TV Show", "Series A", "Zed Zulu", 2020, 3, "season", 4.5, 1),
    ("as5", "Movie", "Amélie", None, 2001, 122, "min", 2.0, 1),
    ("as6", "Movie", "Old Film", "Ana Pérez", None, 200, "min", None, 0),
    ("ns1", "Movie", "Amélie", "Audrey Tautou", 2001, 122, "min", 4.2, 10),
    ("ns2", "TV Show", "Big Show", "Ana Pérez", 2019, 5, "season", 3.0, 3),
    ("ns3", "TV Show", "Bigger Show", None, 2019, 5, "season", None, 0),
    ("ns4", "Movie", "Netflix Movie", "Frank Ocean, Émile Hirsch", 2019, 100, "min", 5.0, 1),
    ("ns5", "Movie", "Amelie", None, 2015, 80, "min", 3.9, 2),
    ("ds1", "Movie", "The Lion King", "Matthew Broderick", 1994, 88, "min", 4.8, 5),
    ("ds2", "Movie", "The Lion King", "Donald Glover", 2019, 118, "min", 3.6, 5),
    ("hs1", "TV Show", "Hulu Only", None, 2021, 1, "season", None, 0),
    ("hs2", "Movie", "Spider-Man", "Tobey Maguire", 2002, 121, "min", 4.1, 7),
]
PLATFORM_OF = {"a": "amazon", "d": "disney", "h": "hulu", "n": "netflix"}


def _lower(value: str | None) -> str | None:
    return None if value is None else value.lower()


def write_processed(data_dir: Path, rows: list[tuple] = ROWS) -> Path:
    """Write data_dir/processed/{titles,scores,display}.parquet in the docs/data.md schemas."""
    out = data_dir / "processed"
    out.mkdir(parents=True, exist_ok=True)
    n = len(rows)
    tid, kind, title, cast, year, dur, dtype, score, votes = (
        list(c) for c in zip(*rows, strict=True)
    )
    titles = pa.table(
        {
            "id": pa.array(tid, pa.string()),
            "platform": pa.array([PLATFORM_OF[t[0]] for t in tid], pa.string()),
            "show_id": pa.array([t[1:] for t in tid], pa.string()),
            "type": pa.array([k.lower() for k in kind], pa.string()),
            "title": pa.array([_lower(t) for t in title], pa.string()),
            "director": pa.array([None] * n, pa.string()),
            "cast": pa.array([_lower(c) for c in cast], pa.string()),
            "country": pa.array(["united states"] * n, pa.string()),
            "date_added": pa.array([dt.date(2021, 1, 1)] * n, pa.date32()),
            "release_year": pa.array(year, pa.int32()),
            "rating": pa.array(["g"] * n, pa.string()),
            "duration_int": pa.array(dur, pa.int32()),
            "duration_type": pa.array(dtype, pa.string()),
            "listed_in": pa.array(["drama"] * n, pa.string()),
            "description": pa.array(["a title made for the tests."] * n, pa.string()),
        }
    )
    scores = pa.table(
        {
            "id": pa.array(tid, pa.string()),
            "score": pa.array(score, pa.float64()),
            "votes": pa.array(votes, pa.int64()),
        }
    )
    display = pa.table(
        {
            "id": pa.array(tid, pa.string()),
            "title": pa.array(title, pa.string()),
            "director": pa.array([None] * n, pa.string()),
            "cast": pa.array(cast, pa.string()),
            # The raw text people read; as1 has no maturity rating (titles' rule-2 "g").
            "country": pa.array(["United States"] * n, pa.string()),
            "rating": pa.array([None if t == "as1" else "PG" for t in tid], pa.string()),
            "listed_in": pa.array(["Drama"] * n, pa.string()),
            "description": pa.array(["A title made for the tests."] * n, pa.string()),
        }
    )
    pq.write_table(titles, out / "titles.parquet")
    pq.write_table(scores, out / "scores.parquet")
    pq.write_table(display, out / "display.parquet")
    return data_dir


# A recommender with the serving interface and predictable answers, for the catalogue's own
# logic (tests with the real model train one: tests/fakes/botdata.py).
@dataclass(frozen=True)
class FakePrediction:
    user_id: int
    title_id: str
    estimate: float
    recommended: bool
    threshold: float
    reason_code: str
    reason: str


@dataclass(frozen=True)
class FakeScored:
    title_id: str
    estimate: float
    raw: float


@dataclass(frozen=True)
class FakeVector:
    ratings: dict


class FakeRecommender:
    """The model.recommender.Recommender interface (docs/architecture.md), answers made up."""

    def __init__(self, threshold: float, kinds: Mapping[str, str]) -> None:
        self.threshold = threshold
        self.kinds = dict(kinds)
        self.calls: list[tuple] = []

    def predict(self, user_id: int, title_id: str) -> FakePrediction:
        est = 4.0 if user_id == 1 else 3.0
        return FakePrediction(user_id, title_id, est, est >= self.threshold, self.threshold,
                              "known", "made up")  # fmt: skip

    def top_n(self, user_id: int, n: int = 10, platform=None, kind=None) -> list[FakeScored]:
        self.calls.append(("top_n", user_id, n, platform, kind))
        # 'zz9' is a title the model knows but the catalogue does not carry: dropped.
        return [
            FakeScored(t, 5.0 - k / 10, 5.0) for k, t in enumerate(["zz9", "ns4", "ds1", "as1"])
        ]

    def fold_in(self, ratings: Mapping[str, float]) -> FakeVector:
        self.calls.append(("fold_in", dict(ratings)))
        return FakeVector(dict(ratings))

    def top_n_for(self, vector, n=10, platform=None, kind=None, exclude: Iterable[str] = ()):
        self.calls.append(("top_n_for", n, platform, kind, sorted(exclude)))
        return [FakeScored(t, 4.5, 4.5) for t in ("ns1", "hs2") if t not in set(exclude)]

    def predict_for(self, vector: FakeVector, title_id: str) -> FakePrediction:
        return FakePrediction(0, title_id, 3.8, True, self.threshold, "known", "folded in")

    def similar(self, title_id: str, n: int = 10) -> list[tuple[str, float]]:
        return [("zz9", 0.99), ("ds2", 0.9), ("hs2", 0.5)][:n]
