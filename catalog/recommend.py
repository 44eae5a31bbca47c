"""Recommendations over a CatalogIndex: the model's answers as the catalogue's titles and reasons.

The model (model/recommender.py) speaks title ids; these map its answers to served rows (a title
the catalogue no longer carries, or a test row, is dropped) and word them for people.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol, SupportsFloat, SupportsIndex

import numpy as np

from catalog.results import Recommendation, RecommendedTitle, TitleRef
from catalog.rows import TitleRows

if TYPE_CHECKING:  # the serving model's types; catalog imports model/ only when loading it
    from model.recommender import Prediction, Scored, UserVector

# A chat rating at least this high is a title the person liked ("because you liked …").
LIKED_RATING = 4.0


class RecommenderModel(Protocol):
    """What the catalogue asks of a loaded model (model.recommender.Recommender)."""

    @property
    def title_ids(self) -> Sequence[str]: ...

    def knows_user(self, user_id: int) -> bool: ...

    def predict(self, user_id: int, title_id: str) -> Prediction: ...

    def top_n(
        self, user_id: int, n: int = 10, platform: str | None = None, kind: str | None = None
    ) -> list[Scored]: ...

    def similar(self, title_id: str, n: int = 10) -> list[tuple[str, float]]: ...

    def fold_in(self, ratings: Mapping[str, float]) -> UserVector: ...

    def predict_for(self, vector: UserVector, title_id: str) -> Prediction: ...

    def top_n_for(
        self,
        vector: UserVector,
        n: int = 10,
        platform: str | None = None,
        kind: str | None = None,
        exclude: Iterable[str] = (),
    ) -> list[Scored]: ...


def recommendation(user_id: int | None, ref: TitleRef, pred: Prediction) -> Recommendation:
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


def scored_titles(
    rows: TitleRows, scored: Iterable[Scored], count: int, n_titles: int, start: int = 0
) -> list[RecommendedTitle]:
    """The first `count` scored titles the catalogue serves, with their figures; from the
    `start`-th of them when given (a deep page builds only its own titles)."""
    out: list[RecommendedTitle] = []
    skipped = 0
    for s in scored:
        row = rows.row_of_id.get(s.title_id)
        if row is not None and skipped < start:
            skipped += 1
        elif row is not None:
            predicted = _finite(getattr(s, "predicted", None))
            pct = _finite(getattr(s, "percentile", None))
            top = None
            if pct is not None and n_titles:
                # percentile counts the titles scored no higher, this one included: the
                # titles above it plus itself are the top share ("top 0.1 %" for the best).
                top = min(100.0, max(0.0, 100.0 - pct) + 100.0 / n_titles)
            out.append(
                RecommendedTitle(
                    rows.refs[row], estimate=float(s.estimate), predicted=predicted, top_percent=top
                )
            )
        if skipped + len(out) == count:
            break
    return out


def similar_titles(
    rows: TitleRows,
    pairs: Iterable[tuple[str, float] | tuple[str, float, tuple[str, ...]]],
    ref: TitleRef,
    count: int,
) -> list[RecommendedTitle]:
    """Served titles of (id, similarity[, reasons]); the same film under another id (another
    platform's row of it) and test rows are left out, as the content similarity does
    (catalog/ranked.py counts these)."""
    out: list[RecommendedTitle] = []
    own = rows.row_of_id.get(ref.id)
    name = rows.folded[own] if own is not None else None
    for tid, similarity, *why in pairs:
        row = rows.row_of_id.get(tid)
        if row is None or tid == ref.id or rows.test[row] or rows.folded[row] == name:
            continue
        reasons = tuple(why[0]) if why else ()
        out.append(RecommendedTitle(rows.refs[row], similarity=float(similarity), reasons=reasons))
        if len(out) == count:
            break
    return out


def with_reasons(
    rows: TitleRows,
    items: list[RecommendedTitle],
    model: RecommenderModel,
    ratings: Mapping[str, float],
    vector: UserVector,
) -> list[RecommendedTitle]:
    """Each item with a reason that is true and telling: "liked" with the person's highly
    rated title it is really like (a shared director or cast member, or a telling genre and
    close by content: Recommender.liked_reasons), what they share in `reasons`; else
    "similar_taste" when the person's part of the score (factors and content lift) outweighs
    the title's bias, "popular" when the bias does. Models without these answers (test
    doubles) give no reason."""
    liked_reasons = getattr(model, "liked_reasons", None)
    score_parts = getattr(model, "score_parts", None)
    if not items or liked_reasons is None or score_parts is None:
        return items
    if getattr(vector, "n_ratings", 0) == 0:
        # nothing usable rated: the ranking is the title bias alone
        return [replace(x, reason_code="popular") for x in items]
    liked = [
        t
        for t, r in sorted(ratings.items(), key=lambda tr: (-tr[1], tr[0]))
        if r >= LIKED_RATING and t in rows.row_of_id
    ]
    ids = [x.title.id for x in items]
    shared = liked_reasons(ids, liked) if liked else [None] * len(items)
    parts = score_parts(vector, ids)
    out = []
    for x, found, (theirs, mine) in zip(items, shared, parts, strict=True):
        if found is not None:
            ref = rows.refs[rows.row_of_id[found[0]]]
            out.append(replace(x, reason_code="liked", because=ref, reasons=tuple(found[1])))
        else:
            code = "similar_taste" if mine >= theirs else "popular"
            out.append(replace(x, reason_code=code))
    return out


def _finite(x: object) -> float | None:
    if isinstance(x, float | np.floating):  # the model's figures: no Protocol check (14 µs)
        return float(x) if np.isfinite(x) else None
    if not isinstance(x, str | bytes | bytearray | SupportsFloat | SupportsIndex):
        return None  # nothing float() takes
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return f if np.isfinite(f) else None


def _reason_with_title(reason: str, ref: TitleRef) -> str:
    """The model words its reason with the raw id ("...of title ns1"); people (the API's
    readers) know the title by its name: “Dick Johnson Is Dead” instead."""
    name = f"“{ref.title}”"
    reason = reason.replace(f"title {ref.id}", name)
    return re.sub(rf"\b{re.escape(ref.id)}\b", name, reason)
