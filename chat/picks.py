"""How recommendations read: the decision for one title, a list's lines with their figure
("4.8★ · top 1%") and the reason in words ("because you liked …")."""

from __future__ import annotations

import math
from collections.abc import Sequence

from catalog.results import Recommendation, RecommendedTitle
from domain.genres import genre_name
from locales import number, percent

from .i18n import t
from .limits import LIST_TITLE_MAX, clip
from .replies import Html, bold
from .views import title_ref


def recommendation(lang: str, r: Recommendation) -> Html:
    key = "recommend_yes" if r.recommended else "recommend_no"
    if r.user_id is None:  # the person asking, from their chat ratings
        key = key.replace("recommend_", "recommend_you_")
    # The clipped estimate reads 5.00 for every title a generous person would like: show the
    # expected rating (below 5) and the unclipped score that the threshold is compared with.
    stars = r.predicted if r.predicted is not None else r.estimate
    score = r.score if r.score is not None else r.estimate
    head = t(
        lang,
        key,
        user=r.user_id if r.user_id is not None else "—",
        title=title_ref(lang, r.title),
        estimate=number(lang, stars, 1),
        score=number(lang, score, 2),
        threshold=number(lang, r.threshold, 1),
    )
    return Html(f"{head}\n{reason(lang, r)}")


REASON_CODES = ("known", "unknown_user", "unknown_title", "unknown_both")


def reason(lang: str, r: Recommendation) -> Html:
    """Why, in the person's words: built from `reason_code`, the user and the title's display
    name. The model's own `reason` (English, with raw ids) is never shown."""
    title = bold(clip(r.title.title, LIST_TITLE_MAX))
    if r.reason_code not in REASON_CODES:
        return t(lang, "reason_other")
    if r.user_id is None:  # someone known by their chat ratings (fold-in)
        return t(lang, f"reason_{r.reason_code}_you", title=title)
    return t(lang, f"reason_{r.reason_code}", user=r.user_id, title=title)


def title_lines(lang: str, items: Sequence[RecommendedTitle], start: int) -> list[str]:
    """A page's lines. A figure every pick shares ("4.9★", "top 1%": a newcomer who gave two
    5★ gets ten such picks) is said once above them: repeated ten times it tells nothing, and
    each line keeps only what sets it apart (its stars when they differ, and its reason)."""
    stars, shares = _figures(lang, items)
    alike_stars = len(items) > 1 and len(set(stars)) == 1 and stars[0] is not None
    alike_share = len(items) > 1 and len(set(shares)) == 1 and shares[0] is not None
    common = [x for x, alike in ((stars[0], alike_stars), (shares[0], alike_share)) if alike and x]
    lines: list[str] = []
    if common:
        lines.append(t(lang, "picks_alike", n=len(items), figure=" · ".join(common)))
    whys = [because(lang, item) for item in items]
    usual = _usual_reason(items, whys)
    if usual is not None:
        lines.append(t(lang, "picks_usual_reason", reason=usual))
    for i, item in enumerate(items, start=start + 1):
        line = f"{i}. {title_ref(lang, item.title)}"
        if item.predicted is not None:
            k = i - start - 1
            parts = ((stars[k], alike_stars), (shares[k], alike_share))
            own = [x for x, alike in parts if x and not alike]
            if own:
                line += f" — {' · '.join(own)}"
        elif item.estimate is not None:
            line += f" — {number(lang, item.estimate, 1)}★"
        elif item.similarity is not None:
            line += f" — {percent(lang, 100 * item.similarity)}"
        why = whys[i - start - 1]
        if why and why != usual:
            line += f"\n    <i>{why}</i>"
        lines.append(line)
    return lines


USUAL_AT_LEAST = 3  # a general reason on this many lines or more is said once, above them


def _usual_reason(items: Sequence[RecommendedTitle], whys: list[Html | None]) -> Html | None:
    """The general reason ("rated highly by nearly everyone") most lines of the page carry, when
    at least USUAL_AT_LEAST do: a newcomer with two ratings gets it under nine picks of ten, and
    repeated it hides the line that differs ("because you liked …"). Reasons naming a title are
    never merged: each says something of its own pick."""
    general = [
        why
        for item, why in zip(items, whys, strict=True)
        if why is not None and item.reason_code in ("similar_taste", "popular")
    ]
    if not general:
        return None
    best = max(general, key=general.count)  # the first such line's on a tie: the same every run
    return best if general.count(best) >= USUAL_AT_LEAST else None


def _figures(
    lang: str, items: Sequence[RecommendedTitle]
) -> tuple[list[str | None], list[str | None]]:
    """Each pick's stars ("4.9★") and top share ("top 1%") as shown; None where it has none."""
    stars: list[str | None] = []
    shares: list[str | None] = []
    for item in items:
        p, top = item.predicted, item.top_percent
        stars.append(f"{number(lang, p, 1)}★" if p is not None else None)
        shown = t(lang, "top_share", share=top_share(lang, top)) if top is not None else None
        shares.append(shown if p is not None else None)
    return stars, shares


def top_share(lang: str, value: float) -> str:
    """A top share in whole percent, rounded up: "top 1%" for the best titles, "top 12%" further
    down. People read "top 1%"; "top 0.007%" is the model's precision, not a rank (issue 22)."""
    return percent(lang, min(100, max(1, math.ceil(value - 1e-9))))


def because(lang: str, item: RecommendedTitle) -> Html | None:
    """Why a title is recommended (for_ratings), or None when the catalogue gave no reason."""
    if item.reason_code == "liked" and item.because is not None:
        # Cut like a button label: a page of ten must stay within one Telegram message.
        name = item.because.title
        name = name if len(name) <= 60 else name[:59] + "…"
        liked = t(lang, "because_liked", title=bold(clip(name, LIST_TITLE_MAX)))
        shared = [w for w in (similar_reason(lang, c) for c in item.reasons[:2]) if w]
        # what the two share, so the reason can be checked: "… · same director"
        return Html(" · ".join([liked, *shared]))
    if item.reason_code in ("similar_taste", "popular"):
        return t(lang, f"because_{item.reason_code}")
    words = [w for w in (similar_reason(lang, code) for code in item.reasons[:3]) if w]
    if words:  # similar titles from a hybrid model: "same director · also drama"
        return Html(" · ".join(words))
    return None


SIMILAR_REASONS = ("same_director", "same_cast", "co_rated")


def similar_reason(lang: str, code: str) -> str | None:
    """One of model/similarity.py's reason codes in the person's words (None if unknown)."""
    if code.startswith("same_genre:"):
        return t(lang, "because_same_genre", genre=genre_name(code.split(":", 1)[1], lang).lower())
    return t(lang, f"because_{code}") if code in SIMILAR_REASONS else None
