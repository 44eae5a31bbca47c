"""Recommendations: would this user like this title, a user's best titles, similar titles.

The catalogue checks that a model is loaded (ModelUnavailable: 503) and resolves the title
(TitleNotFound: 404, AmbiguousTitle: 409 with the candidates); api/errors.py answers for both.
"""

from __future__ import annotations

from fastapi import APIRouter

from api import words
from api.deps import Cat
from api.errors import responses as r
from api.language import Lang
from api.params import KindOpt, N, Offset, PlatformOpt, TitleArg, UserId
from api.schemas import (
    RecommendationOut,
    ScoredTitle,
    SimilarOut,
    SimilarTitle,
    TitleRef,
    TopOut,
)
from catalog import Catalog
from catalog import validate as v

router = APIRouter(tags=["recommendations"])


def _knows_user(c: Catalog, user_id: int) -> bool:
    # The one look past the catalogue, at its model (typed: catalog.recommend.RecommenderModel):
    # the catalogue has no such question of its own.
    return c.recommender is not None and c.recommender.knows_user(user_id)


@router.get(
    "/recommend",
    response_model=RecommendationOut,
    responses=r(404, 409, 422, 503),
    summary="Would this user like this title?",
)
def recommend(c: Cat, user_id: UserId, title: TitleArg, lang: Lang) -> RecommendationOut:
    """The user's predicted rating for the title and the decision: recommended when the
    prediction is at least RECOMMEND_THRESHOLD (3.5 by default), with the reason. A user or
    title the model has not seen gets Surprise's fallback estimate, named in reason_code.
    A name that several titles carry equally well (The Office, The Office (U.S.), The Office
    (U.K.)) answers 409 with the candidates: ask again by id."""
    rec = c.recommend(user_id, title)
    out = RecommendationOut.model_validate(rec, context={"lang": lang})
    out.reason = words.reason(lang, rec)
    return out


@router.get(
    "/top",
    response_model=TopOut,
    responses=r(404, 422, 503),
    summary="A user's best unseen titles",
)
def top(
    c: Cat,
    user_id: UserId,
    lang: Lang,
    n: N = 10,
    platform: PlatformOpt = None,
    kind: KindOpt = None,
    offset: Offset = 0,
) -> TopOut:
    """The `n` titles with the highest predicted rating that the user has not rated, from
    `offset`, optionally of one platform or kind, with the `total` the ranking holds (every
    such title). For a user the model does not know the list is the popularity ranking every
    new user gets, and `known_user` is false."""
    # Parsed here with the catalogue's parsers because the answer names the canonical values.
    p = v.parse_optional_platform(platform)
    k = v.parse_kind(kind)
    page = c.top_page(user_id, n, p, k, offset)
    return TopOut.model_validate(
        {
            "user_id": user_id,
            "known_user": _knows_user(c, user_id),
            "platform": p,
            "kind": k,
            "total": page.total,
            "offset": page.offset,
            "items": [ScoredTitle.model_validate(x, context={"lang": lang}) for x in page.items],
        },
        context={"lang": lang},
    )


@router.get(
    "/similar",
    response_model=SimilarOut,
    responses=r(404, 409, 422, 503),
    summary="Titles like this one",
)
def similar(c: Cat, title: TitleArg, lang: Lang, n: N = 10, offset: Offset = 0) -> SimilarOut:
    """Titles most like the given one, most similar first, `n` from `offset` with the `total`
    the ranking holds: the model's factors blended with what the titles are made of, by how
    many people rated both, each with its reasons ("same director", "also drama", "people who
    liked it liked this") in the answer's language. A title the model has no factors for (or
    with no model) gets titles sharing its genres, cast and director, with basis "content"."""
    match = c.resolve_title(title)
    # A title that resolves is asked for by id (the answer names it); any other text goes to
    # the catalogue as is and it raises its own error: no model (503) before an ambiguous
    # (409) or unknown (404) title.
    page = c.similar_page(match.title.id if match.title is not None else title, n, offset)
    assert match.title is not None, "Catalog.similar_page resolves the title or raises"
    ctx = {"lang": lang}
    return SimilarOut(
        title=TitleRef.model_validate(match.title, context=ctx),
        total=page.total,
        offset=page.offset,
        items=[
            SimilarTitle(
                title=TitleRef.model_validate(x.title, context=ctx),
                similarity=x.similarity or 0.0,
                basis="content" if x.reason_code == "content" else "ratings",
                reason_codes=list(x.reasons),
                reasons=[w for w in (words.similar_reason(lang, c) for c in x.reasons) if w],
            )
            for x in page.items
        ],
    )
