"""The serving side of the recommender: load the trained SVD and answer from numpy arrays.

Everything here reproduces Surprise's `SVD.predict` arithmetic (global mean + user bias + title
bias + dot product, clipped to the rating scale) without Surprise's per-call Python overhead, so
one user's scores for every title are a single matrix-vector product. The interface is fixed by
docs/architecture.md; docs/model.md explains the choices.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import SupportsIndex, SupportsInt

import numpy as np
import scipy.sparse as sp

from domain.vocabulary import KINDS, PLATFORM_LETTERS
from model import onboarding, similarity
from model.answers import Prediction, Scored, SimilarTitle, UserVector
from model.artifact import (
    FORMAT,
    FORMAT_VERSION,
    META_FILE,
    MIN_TITLE_COVERAGE,
    MODEL_FILE,
    ModelError,
)
from model.factors import Factors
from model.fold_in import solve, split_known
from model.ranking import best, filter_mask
from model.ranking import scores as _scores
from model.ranking import scores_t as _scores_t
from model.ranking import top_indices as _top_indices
from model.reasons import explain

# Re-exported: the catalogue, tests and training import these from here.
__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "KINDS",
    "META_FILE",
    "MIN_TITLE_COVERAGE",
    "MODEL_FILE",
    "PLATFORM_LETTERS",
    "ModelError",
    "Prediction",
    "Recommender",
    "Scored",
    "SimilarTitle",
    "UserVector",
]


class Recommender(Factors):
    """Predictions, top-N, fold-in and similar titles from a trained SVD (see module docstring);
    loading, the arrays and the id lookups are `Factors` (model/factors.py)."""

    # ---- predictions ---------------------------------------------------------------------

    def predict(self, user_id: int, title_id: str) -> Prediction:
        """Surprise's predict(user_id, title_id).est, with the decision and the reason."""
        u, i = self._inner_user(user_id), self._inner_title(title_id)
        # The same additions in the same order as SVD.estimate, so the result is bit-identical.
        est = self.global_mean
        if u is not None:
            est += float(self.bu[u])
        if i is not None:
            est += float(self.bi[i])
        if u is not None and i is not None:
            est += float(np.dot(self.qi[i], self.pu[u]))
        return self._prediction(
            _as_int(user_id), str(title_id), est, u is not None, i is not None, f"user {user_id}"
        )

    def _prediction(
        self,
        user_id: int,
        title_id: str,
        raw: float,
        known_user: bool,
        known_title: bool,
        who: str | None = None,
    ) -> Prediction:
        est = self._clip(raw)
        code, reason = explain(
            est, self.threshold, who or f"user {user_id}", title_id, known_user, known_title
        )
        return Prediction(
            user_id=user_id,
            title_id=title_id,
            estimate=est,
            recommended=est >= self.threshold,
            threshold=self.threshold,
            reason_code=code,
            reason=reason,
            raw=float(raw),
            predicted=float(self.expected_rating(raw)),
        )

    # ---- top-N ---------------------------------------------------------------------------

    def _filter_mask(self, platform: str | None, kind: str | None) -> np.ndarray | None:
        key = (platform, kind)
        if key not in self._masks:
            self._masks[key] = filter_mask(platform, kind, self._platform_letter, self._kinds)
        return self._masks[key]

    def _best(
        self,
        raw: np.ndarray,
        n: int,
        exclude: np.ndarray | None,
        platform: str | None,
        kind: str | None,
        exact: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> list[Scored]:
        """The n best of `raw` (a fresh array, overwritten here) after the filters.

        When `raw` is a float32 approximation, `exact(indices)` gives the float64 scores
        Surprise would compute: the best 2n + 8 approximate candidates are re-scored exactly
        and ranked on those, so the order is the float64 order unless more than n + 8 titles
        sit within float32 rounding (~1e-6) of the n-th score.
        """
        mask = self._filter_mask(platform, kind)
        if n <= 0 or len(raw) == 0:
            return []
        idx, vals, pct = best(raw, n, mask, exclude, exact)
        pred = self.expected_rating(vals)
        rows = zip(idx.tolist(), vals.tolist(), pred.tolist(), pct.tolist(), strict=True)
        return [Scored(self.title_ids[j], self._clip(v), v, p, c) for j, v, p, c in rows]

    def expected_rating(self, raw: np.ndarray | float) -> np.ndarray:
        """The calibrated expected rating for raw (unclipped) scores; see Scored.predicted.
        Models without a calibration curve give the clipped score."""
        lo, hi = self.rating_scale
        a, b = self.calibration
        x = np.asarray(raw, dtype=np.float64)
        if b <= 0:
            return np.clip(x, lo, hi)
        return lo + (hi - lo) / (1.0 + np.exp(-(a + b * x)))

    def top_n(
        self, user_id: int, n: int = 10, platform: str | None = None, kind: str | None = None
    ) -> list[Scored]:
        """The n best titles the user has not rated, ranked on unclipped scores.

        For a user the model does not know, Surprise's fallback (average + title bias) ranks the
        titles, which is a popularity ranking; `knows_user` tells the two cases apart.
        """
        u = self._inner_user(user_id)
        if u is None:
            return self._best(self.global_mean + self.bi, n, None, platform, kind)
        base = self.global_mean + float(self.bu[u])
        pu = self.pu[u]
        raw = np.float32(base) + self._bi32 + _scores_t(self._qi32t, pu.astype(np.float32))
        seen = self.seen_items[self.seen_indptr[u] : self.seen_indptr[u + 1]]
        return self._best(raw, n, seen.astype(np.int64), platform, kind, self._exact(base, pu))

    def _exact(
        self, base: float, p: np.ndarray, lift: np.ndarray | None = None
    ) -> Callable[[np.ndarray], np.ndarray]:
        """Float64 scores of some titles, in Surprise's order: ((mu + b_u) + b_i) + q_i.p, plus
        a folded-in person's content lift when the model has one."""

        def exact(idx: np.ndarray) -> np.ndarray:
            out: np.ndarray = (base + self.bi[idx]) + _scores(self.qi[idx], p)
            return out if lift is None else out + lift[idx]

        return exact

    # ---- fold-in -------------------------------------------------------------------------

    def fold_in(
        self, ratings: Mapping[str, float], user_id: int = 0, reg: float | None = None
    ) -> UserVector:
        """A user vector from a few (title id -> rating 0.5..5) pairs, without retraining: the
        posterior mean under the trained users' Gaussian prior (model/fold_in.py, `solve`), reg
        the noise variance (default: the training MSE). Titles the model does not know are
        ignored (listed in `ignored`); a rating outside 0.5..5 raises ValueError.
        """
        lam = self.fold_in_reg if reg is None else float(reg)
        idx, vals, used, ignored = split_known(ratings, self.rating_scale, self._inner_title)
        k = self.qi.shape[1]
        if not idx:
            # Nothing to go on: exactly Surprise's unknown-user answer (mean + title bias).
            return UserVector(0.0, np.zeros(k), (), tuple(ignored), user_id)
        ii = np.asarray(idx, dtype=np.int64)
        y = np.asarray(vals) - self.global_mean - self.bi[ii]
        x = solve(self.qi[ii], y, lam, self.prior_precision, self._prior_pull)
        # what the fold-in leaves unexplained: the content neighbourhood spreads only that, so
        # the person's bias and factors are not counted twice
        residual = y - x[0] - self.qi[ii] @ x[1:]
        return UserVector(
            float(x[0]), x[1:].copy(), tuple(used), tuple(ignored), user_id, ii, residual
        )

    def _lift(
        self, vector: UserVector, boost: float | None = None, rows: np.ndarray | None = None
    ) -> np.ndarray | None:
        """The hybrid's content neighbourhood of a folded-in person (model/similarity.py) times
        the boost train chose (`boost` overrides it), for every title or for the title indices
        `rows`; None for a model without content features or with boost 0."""
        strength = self.boost if boost is None else boost
        if self._content_unit is None or not len(vector.residual) or strength == 0:
            return None
        unit = self._content_unit
        lift = similarity.content_lift(unit, vector.seen, vector.residual, rows)
        return lift if strength == 1 else strength * lift

    def predict_for(self, vector: UserVector, title_id: str) -> Prediction:
        """predict() for a folded-in user; with no usable ratings it is the unknown-user case."""
        i = self._inner_title(title_id)
        known_user = vector.n_ratings > 0
        est = self.global_mean
        if known_user:
            est += vector.bias
        if i is not None:
            est += float(self.bi[i])
        if known_user and i is not None:
            est += float(np.dot(self.qi[i], vector.factors))
            lift = self._lift(vector)
            if lift is not None:
                est += float(lift[i])
        who = f"you ({vector.n_ratings} ratings)" if known_user else "you"
        return self._prediction(vector.user_id, str(title_id), est, known_user, i is not None, who)

    def top_n_for(
        self,
        vector: UserVector,
        n: int = 10,
        platform: str | None = None,
        kind: str | None = None,
        exclude: Iterable[str] = (),
    ) -> list[Scored]:
        """top_n for a folded-in user; the titles they rated and `exclude` are left out."""
        if vector.n_ratings:
            base = self.global_mean + vector.bias
            f32 = vector.factors.astype(np.float32)
            raw = np.float32(base) + self._bi32 + _scores_t(self._qi32t, f32)
            lift = self._lift(vector)
            exact = self._exact(base, vector.factors, lift)
            if lift is not None:
                raw = raw + lift.astype(np.float32)
        else:
            raw, exact = self.global_mean + self.bi, None
        extra = [j for j in (self._inner_title(t) for t in exclude) if j is not None]
        drop = np.concatenate([vector.seen, np.asarray(extra, dtype=np.int64)])
        return self._best(raw, n, drop, platform, kind, exact)

    # ---- similar titles ------------------------------------------------------------------

    def similar(self, title_id: str, n: int = 10) -> list[tuple[str, float]]:
        """(title id, similarity) of the n titles most like this one, best first; [] if unknown.
        `similar_explained` gives the same list with the reasons."""
        return [(s.title_id, s.similarity) for s in self.similar_explained(title_id, n)]

    def similar_explained(self, title_id: str, n: int = 10) -> list[SimilarTitle]:
        """Titles like this one: with content features, factor cosine and content cosine blended
        by how many people rated both (model/similarity.py), each with its reason codes;
        without them (an older model), the factor cosine alone. [] for an unknown title."""
        i = self._inner_title(title_id)
        k = self.qi.shape[1]
        if i is None or n <= 0 or (k == 0 and self._content_unit is None):
            return []  # nothing says which titles are alike (a baseline model, no content)
        factor_cos = _scores(self._qi_unit, self._qi_unit[i]) if k else np.zeros(len(self.bi))
        if self._content_unit is None or self.content is None:
            cos = factor_cos.copy()
            cos[i] = -np.inf
            idx = _top_indices(cos, n)
            return [SimilarTitle(self.title_ids[j], float(cos[j])) for j in idx]
        unit = self._content_unit
        content_cos = np.asarray((unit @ unit[i].T).todense()).ravel()
        # without factors (a shipped baseline) ratings say nothing about likeness: content only
        co = self._co_rated(i) if k else np.zeros(len(self.bi))
        score = similarity.blend(content_cos, factor_cos, co)
        score[i] = -np.inf
        idx = _top_indices(score, n)
        return [
            SimilarTitle(
                self.title_ids[j],
                float(score[j]),
                similarity.reasons(
                    i, j, self.content, self.content_features, float(co[j]), float(factor_cos[j])
                ),
                round(co[j]),
            )
            for j in idx
        ]

    def liked_reasons(
        self, title_ids: Sequence[str], liked: Sequence[str]
    ) -> list[tuple[str, tuple[str, ...]] | None]:
        """Per title of `title_ids`: which of `liked` (titles a person rated high, best first;
        the first LIKED_READ) it is really like, and what they share, most specific first
        ("same_director", "same_cast", "same_genre:<key>"); else None.

        Really like: a shared director or cast member, or a shared telling genre with the title
        among the CLOSE_SHARE of the catalogue nearest the liked one by content. A genre alone
        is not enough: half the catalogue is "also drama". The factor cosine never counts: on
        the real titles with demo ratings it barely tells (pairs above 0.3 share something
        nameable 53 % of the time, random pairs 27 %; bench/liked_reasons.py)."""
        out: list[tuple[str, tuple[str, ...]] | None] = [None] * len(title_ids)
        unit = self._content_unit
        if unit is None or self.content is None:
            return out
        x, features = self.content, self.content_features
        picks = [(k, j) for k, j in enumerate(map(self._inner_title, title_ids)) if j is not None]
        columns = {j: set(x.indices[x.indptr[j] : x.indptr[j + 1]].tolist()) for _, j in picks}
        # per pick: (how specific, content cosine, -rank, liked id, reasons), the largest wins
        best: dict[int, tuple[int, float, int, str, tuple[str, ...]]] = {}
        read = [(t, i) for t in liked[:LIKED_READ] if (i := self._inner_title(t)) is not None]
        if not read or not picks:
            return out
        # every title's content cosine to each liked title, in one pass over the matrix
        all_cos = unit @ unit[[i for _, i in read]].T.toarray()
        nth = len(all_cos) - max(1, int(CLOSE_SHARE * len(all_cos)))
        # the cosine of each liked title's CLOSE_SHARE boundary
        nears = np.partition(all_cos, nth, axis=0)[nth]
        for rank, (liked_id, i) in enumerate(read):
            cos, near = all_cos[:, rank], nears[rank]
            lo, hi = x.indptr[i], x.indptr[i + 1]
            weight = dict(zip(x.indices[lo:hi].tolist(), x.data[lo:hi].tolist(), strict=True))
            for k, j in picks:
                if j == i or cos[j] <= 0:  # nothing in common (content weights are >= 0)
                    continue
                why = similarity.shared_reasons(weight.keys() & columns[j], weight, features)
                specific = max((_SPECIFIC.get(w.split(":", 1)[0], 0) for w in why), default=0)
                if specific == 0 or (specific == 1 and cos[j] < near):
                    continue
                key = (specific, float(cos[j]), -rank, liked_id, why)
                if k not in best or key[:3] > best[k][:3]:
                    best[k] = key
        for k, (*_, liked_id, why) in best.items():
            out[k] = (liked_id, why)
        return out

    def score_parts(
        self, vector: UserVector, title_ids: Sequence[str]
    ) -> list[tuple[float, float]]:
        """Per title, (the title's part, the person's part) of a folded-in person's score above
        the mean: the title bias, and the factors' product plus the content lift. Which one
        lifts a title onto someone's list says whether it is there for being liked by all or
        for them. An unknown title: (0, 0)."""
        known = [(k, j) for k, j in enumerate(map(self._inner_title, title_ids)) if j is not None]
        out = [(0.0, 0.0)] * len(title_ids)
        if not known:
            return out
        rows = np.asarray([j for _, j in known], dtype=np.int64)
        mine = np.zeros(len(rows))
        if vector.n_ratings:
            mine = self.qi[rows] @ vector.factors
            lift = self._lift(vector, rows=rows)
            if lift is not None:
                mine = mine + lift
        for (k, j), m in zip(known, mine.tolist(), strict=True):
            out[k] = (float(self.bi[j]), float(m))
        return out

    # ---- onboarding ----------------------------------------------------------------------

    def onboarding(self, n: int = 10, exclude: Iterable[str] = ()) -> list[str]:
        """The titles to ask a newcomer to rate first, best first, leaving out `exclude`: well
        known and what fold-in learns most from, so spread across tastes (model/onboarding.py),
        then the most rated. Titles nobody rated are never offered."""
        if self._onboarding is None:
            if self.qi.shape[1]:  # what fold-in learns most from, with its own prior
                prior = self.fold_in_reg * self.prior_precision
                order = onboarding.informative_order(self.title_counts, self.qi, prior)
            else:  # no factors: spread by content, else popularity alone
                content = self._content_unit
                vectors: np.ndarray | sp.csr_matrix = (
                    content if content is not None else np.ones((len(self.title_ids), 1))
                )
                order = onboarding.spread_order(self.title_counts, vectors)
            rest = np.argsort(-self.title_counts, kind="stable")
            rest = rest[self.title_counts[rest] > 0]
            self._onboarding = list(dict.fromkeys([*order, *rest.tolist()]))
        skip = set(exclude)
        out: list[str] = []
        for j in self._onboarding:
            t = self.title_ids[j]
            if t not in skip:
                out.append(t)
                if len(out) == n:
                    break
        return out

    def _co_rated(self, i: int) -> np.ndarray:
        return similarity.co_rated(
            i, self.raters(i), self.seen_indptr, self.seen_items, len(self.title_ids)
        )


# "Really like" by content: among this share of the catalogue nearest the liked title (closer
# than 19 titles in 20); and the liked titles read for it, highest rated first.
CLOSE_SHARE = 0.05
LIKED_READ = 20


# How specific a shared trait is: a director outranks a cast member, both outrank a genre.
_SPECIFIC = {"same_director": 3, "same_cast": 2, "same_genre": 1}


def _as_int(user_id: object) -> int:
    # what int() accepts; anything else is nobody the model knows
    if not isinstance(user_id, str | bytes | bytearray | SupportsInt | SupportsIndex):
        return -1
    try:
        return int(user_id)
    except (TypeError, ValueError):
        return -1
