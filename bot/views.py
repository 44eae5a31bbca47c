"""Catalogue results -> reply text (HTML, escaped), in the person's language."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import TypeVar

from catalog.results import (
    ActorResult,
    MaxDuration,
    PlatformCount,
    Recommendation,
    RecommendedTitle,
    ScoreCount,
    SearchHit,
    TitleInfo,
    TitleRef,
    WatchPage,
)
from domain.vocabulary import kind_name

from .i18n import counted, number, percent, platform_name, t
from .replies import Html, bold, esc

PAGE_SIZE = 10
MAX_TIED_SHOWN = 10  # ties beyond this are summarised, keeping the reply short


def filters(lang: str, platform: str | None, year: int | None) -> Html:
    text = ""
    if platform:
        text += t(lang, "on_platform", platform=platform_name(platform))
    if year:
        text += t(lang, "in_year", year=year)
    return Html(text)


def title_ref(lang: str, ref: TitleRef, with_platform: bool = True) -> Html:
    """<b>Name</b> (Netflix, 2019, movie)"""
    platform = ref.platform if with_platform else None
    return named(lang, ref.title, platform, ref.type, ref.release_year)


@lru_cache(maxsize=8192, typed=True)
def named(lang: str, title: str, platform: str | None, kind: str, year: int | None) -> Html:
    """<b>Name</b> (Netflix, 2019, movie), or without the platform when None. Cached: a pure
    function of its arguments and of the message catalogues, which are read once (locales);
    every list reply (similar, recommendations, search) writes ten of these (issue 13)."""
    bits = [platform_name(platform)] if platform is not None else []
    bits += kind_and_year(lang, kind, year)
    return Html(f"{bold(title)} ({esc(', '.join(bits))})")


def button_label(ref: TitleRef | TitleInfo | SearchHit, with_platform: bool = True) -> str:
    """A title as a button label (plain text: buttons are not HTML)."""
    bits = [platform_name(ref.platform)] if with_platform else []
    if ref.release_year:
        bits.append(str(ref.release_year))
    label = f"{ref.title} ({', '.join(bits)})" if bits else ref.title
    return label if len(label) <= 60 else label[:57] + "…"


Listed = TypeVar("Listed", SearchHit, TitleRef, TitleInfo)


def candidate_labels(candidates: Sequence[Listed]) -> list[tuple[Listed, str]]:
    """Button labels for a disambiguation list; the id is added where two labels collide."""
    labels = [button_label(c) for c in candidates]
    seen = Counter(labels)
    return [
        (c, f"{label} · {c.id}" if seen[label] > 1 else label)
        for c, label in zip(candidates, labels, strict=True)
    ]


def max_duration(lang: str, r: MaxDuration) -> Html:
    where = filters(lang, r.platform, r.year)
    if not r.titles or r.duration is None:
        return t(lang, "md_none", filters=where)
    shown = r.titles[:MAX_TIED_SHOWN]
    names = ", ".join(title_ref(lang, ref, with_platform=not r.platform) for ref in shown)
    if len(r.titles) > len(shown):
        names += f" (+{len(r.titles) - len(shown)})"
    if r.duration_type == "min":
        text = t(lang, "md_movie", filters=where, titles=Html(names), duration=r.duration)
    else:
        text = t(lang, "md_show", r.duration, filters=where, titles=Html(names))
    if len(r.titles) > 1:
        text = Html(text + t(lang, "md_tie", n=len(r.titles)))
    return text


def score_count(lang: str, r: ScoreCount) -> Html:
    return t(
        lang,
        "score_count",
        # "movies … are" even for one: the count is the answer, and the sentence's shape stays
        count=number(lang, r.count),
        platform=platform_name(r.platform),
        year=r.year,
        score=number(lang, r.scored, 1),
        movies=counted(lang, "n_movies", r.movies),
        rated=number(lang, r.rated),
    )


def platform_counts(lang: str, counts: Sequence[PlatformCount]) -> Html:
    lines = [
        t(
            lang,
            "platform_count",
            platform=platform_name(c.platform),
            movies=counted(lang, "n_movies", c.movies, strong=True),
            shows=counted(lang, "n_shows", c.shows),
            total=counted(lang, "n_titles", c.total),
        )
        for c in counts
    ]
    if len(counts) > 1:
        lines.append(
            t(
                lang,
                "platform_total",
                movies=counted(lang, "n_movies", sum(c.movies for c in counts), strong=True),
                shows=counted(lang, "n_shows", sum(c.shows for c in counts)),
                total=counted(lang, "n_titles", sum(c.total for c in counts)),
            )
        )
    return Html("\n".join(lines))


def actor(lang: str, r: ActorResult, platform_cast_titles: int | None = None) -> Html:
    """The most frequent cast member; `platform_cast_titles` = 0 says the platform lists no cast
    in any year (Hulu), which is the data's limit rather than an empty year."""
    if r.actor is None and platform_cast_titles == 0:
        return t(lang, "actor_no_cast_platform", platform=platform_name(r.platform))
    if r.actor is None:
        return t(
            lang,
            "actor_none",
            platform=platform_name(r.platform),
            year=r.year,
            titles=counted(lang, "n_titles", r.titles),
        )
    text = t(
        lang,
        "actor",
        platform=platform_name(r.platform),
        year=r.year,
        actor=r.actor,
        n=r.count,
        titles=counted(lang, "n_titles", r.titles),
        with_cast=number(lang, r.titles_with_cast),
    )
    if len(r.tied) > 1:
        names = ", ".join(r.tied[:MAX_TIED_SHOWN])
        if len(r.tied) > MAX_TIED_SHOWN:
            names += f" (+{len(r.tied) - MAX_TIED_SHOWN})"
        text = Html(f"{text}\n{t(lang, 'actor_tied', names=names)}")
    return text


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
    title = bold(r.title.title)
    if r.reason_code not in REASON_CODES:
        return t(lang, "reason_other")
    if r.user_id is None:  # someone known by their chat ratings (fold-in)
        return t(lang, f"reason_{r.reason_code}_you", title=title)
    return t(lang, f"reason_{r.reason_code}", user=r.user_id, title=title)


def title_lines(lang: str, items: Sequence[RecommendedTitle], start: int) -> list[str]:
    lines = []
    for i, item in enumerate(items, start=start + 1):
        line = f"{i}. {title_ref(lang, item.title)}"
        if item.predicted is not None:
            line += f" — {figure(lang, item.predicted, item.top_percent)}"
        elif item.estimate is not None:
            line += f" — {number(lang, item.estimate, 1)}★"
        elif item.similarity is not None:
            line += f" — {percent(lang, 100 * item.similarity)}"
        why = because(lang, item)
        if why:
            line += f"\n    <i>{why}</i>"
        lines.append(line)
    return lines


def figure(lang: str, predicted: float, top_percent: float | None) -> str:
    """ "4.8★ · top 0.3%": the expected rating and the share of titles ranked as high."""
    text = f"{number(lang, predicted, 1)}★"
    if top_percent is not None:
        text += f" · {t(lang, 'top_share', share=top_share(lang, top_percent))}"
    return text


def top_share(lang: str, value: float) -> str:
    """A top share with the decimals it needs to tell neighbours apart: 12%, 2.4%, 0.3%,
    0.004% (the best of 23k titles)."""
    if value >= 10:
        return percent(lang, value)
    if value >= 1:
        return percent(lang, value, 1)
    digits = max(1, -math.floor(math.log10(max(value, 1e-6))))
    return percent(lang, value, digits)


def because(lang: str, item: RecommendedTitle) -> Html | None:
    """Why a title is recommended (for_ratings), or None when the catalogue gave no reason."""
    if item.reason_code == "liked" and item.because is not None:
        # Cut like a button label: a page of ten must stay within one Telegram message.
        name = item.because.title
        name = name if len(name) <= 60 else name[:59] + "…"
        return t(lang, "because_liked", title=bold(name))
    if item.reason_code in ("similar_taste", "popular"):
        return t(lang, f"because_{item.reason_code}")
    return None


def page_of(items: Sequence, page: int) -> tuple[Sequence, int, int]:
    """The slice for `page` (clamped), the page used, and the number of pages."""
    pages = max(1, -(-len(items) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    return items[page * PAGE_SIZE : (page + 1) * PAGE_SIZE], page, pages


def where_to_watch(lang: str, text: str, found: WatchPage, pages: int) -> Html:
    """How many titles match, then this page's, numbered like their card buttons."""
    page = found.offset // PAGE_SIZE + 1
    header = t(lang, "where_header", found.total, text=text, page=page, pages=pages)
    lines: list[str] = [header]
    for i, g in enumerate(found.groups, start=found.offset + 1):
        lines.append(f"{i}. {_where_line(lang, g.title, g.type, g.release_year, g.platforms)}")
    return Html("\n".join(lines))


@lru_cache(maxsize=8192, typed=True)
def _where_line(
    lang: str, title: str, kind: str, year: int | None, platforms: tuple[str, ...]
) -> Html:
    """One title of a where-to-watch page, without its number. Cached like `named`."""
    names = ", ".join(platform_name(p) for p in dict.fromkeys(platforms))
    return t(lang, "where_line", title=named(lang, title, None, kind, year), platforms=names)


def kind_and_year(lang: str, kind: str, year: int | None) -> list[str]:
    """["2019", "movie"] for a film; ["show", "latest season 2019"] for a show."""
    if year is None:
        return [kind_name(kind, lang)]
    if kind == "tv show":
        return [kind_name(kind, lang), year_label(lang, kind, year)]
    return [str(year), kind_name(kind, lang)]


def year_label(lang: str, kind: str, year: int | None) -> str:
    """A film's year; a show's release_year is its latest season's, and is labelled so."""
    if year is None:
        return ""
    return t(lang, "show_year", year=year) if kind == "tv show" else str(year)


def title_details(lang: str, info: TitleInfo) -> Html:
    """A line under a title in the rating flow: genres, duration, cast, description start."""
    bits = []
    if info.listed_in:
        bits.append(info.listed_in)
    if info.duration_int:
        key = "n_seasons" if info.duration_type == "season" else "n_minutes"
        bits.append(counted(lang, key, info.duration_int))
    line = esc(" · ".join(bits))
    if info.cast:
        line = Html(f"{line}\n{esc(', '.join(info.cast[:3]))}")
    if info.description:
        desc = info.description if len(info.description) <= 200 else info.description[:197] + "…"
        line = Html(f"{line}\n<i>{esc(desc[:1].upper() + desc[1:])}</i>")
    return line
