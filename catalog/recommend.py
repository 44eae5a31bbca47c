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
    title_index: Mapping[str, int],
    ratings: Mapping[str, float],
    vector: UserVector,
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
    liked = [
        (t, title_index[t])
        for t, r in sorted(ratings.items(), key=lambda tr: -tr[1])
        if r >= LIKED_RATING and t in title_index and t in rows.row_of_id
    ]
    if not liked:
        return [replace(x, reason_code="similar_taste") for x in items]
    liked_unit = _unit(qi[[i for _, i in liked]])
    out = []
    for x in items:
        j = title_index.get(x.title.id)
        if j is None:
            out.append(replace(x, reason_code="similar_taste"))
            continue
        cos = liked_unit @ _unit(qi[[j]])[0]
        best = int(np.argmax(cos))  # ties: the higher rated (liked is sorted by rating)
        if cos[best] > 0:
            ref = rows.refs[rows.row_of_id[liked[best][0]]]
            out.append(replace(x, reason_code="liked", because=ref))
        else:
            out.append(replace(x, reason_code="similar_taste"))
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


def _unit(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(norms > 0, norms, 1.0)


def _reason_with_title(reason: str, ref: TitleRef) -> str:
    """The model words its reason with the raw id ("...of title ns1"); people (the API's
    readers) know the title by its name: “Dick Johnson Is Dead” instead."""
    name = f"“{ref.title}”"
    reason = reason.replace(f"title {ref.id}", name)
    return re.sub(rf"\b{re.escape(ref.id)}\b", name, reason)
