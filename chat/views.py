"""Catalogue results -> reply text (HTML, escaped), in the person's language."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import TypeVar

from catalog.results import (
    ActorResult,
    MaxDuration,
    PlatformCount,
    ScoreCount,
    SearchHit,
    TitleInfo,
    TitleRef,
    WatchPage,
)
from domain.genres import genre_keys, genre_name
from domain.vocabulary import YearMeaning, kind_name, year_meaning
from locales import number, short

from .i18n import counted, platform_name, t
from .limits import BUTTON_TEXT_MAX, CARD_FIELD_MAX, LIST_TITLE_MAX, clip
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
    meaning = year_meaning(ref.platform, ref.type)
    return named(lang, ref.title, platform, ref.type, ref.release_year, meaning)


@lru_cache(maxsize=8192, typed=True)
def named(
    lang: str,
    title: str,
    platform: str | None,
    kind: str,
    year: int | None,
    meaning: YearMeaning = "release",
) -> Html:
    """<b>Name</b> (Netflix, 2019, movie), or without the platform when None; a show's year
    worded by what it means on its platform (`meaning`). Cached: a pure function of its
    arguments and of the message catalogues, which are read once (locales); every list reply
    (similar, recommendations, search) writes ten of these (issue 13)."""
    bits = [platform_name(platform)] if platform is not None else []
    bits += kind_and_year(lang, kind, year, meaning)
    return Html(f"{bold(clip(title, LIST_TITLE_MAX))} ({esc(', '.join(bits))})")


def button_label(
    ref: TitleRef | TitleInfo | SearchHit, with_platform: bool = True, with_id: bool = False
) -> str:
    """A title as a button label (plain text: buttons are not HTML). A long name is cut, never
    its "(Platform, year)" nor the id asked for: they tell the candidates of a "Which one?"
    apart."""
    bits = [platform_name(ref.platform)] if with_platform else []
    if ref.release_year:
        bits.append(str(ref.release_year))
    tail = (f" ({', '.join(bits)})" if bits else "") + (f" · {ref.id}" if with_id else "")
    return clip(ref.title, BUTTON_TEXT_MAX - len(tail)) + tail


Listed = TypeVar("Listed", SearchHit, TitleRef, TitleInfo)
Item = TypeVar("Item")  # what a page of page_of() holds


def candidate_labels(candidates: Sequence[Listed]) -> list[tuple[Listed, str]]:
    """Button labels for a disambiguation list; the id is added where two labels collide."""
    labels = [button_label(c) for c in candidates]
    seen = Counter(labels)
    return [
        (c, button_label(c, with_id=True) if seen[label] > 1 else label)
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
        score=short(lang, r.scored),  # as typed: "4", "3,75" (one decimal would say 3,8)
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
        actor=clip(r.actor, LIST_TITLE_MAX),
        n=r.count,
        titles=counted(lang, "n_titles", r.titles),
        with_cast=number(lang, r.titles_with_cast),
    )
    others = [name for name in r.tied if name != r.actor]  # the top one is named above
    if others:
        names = ", ".join(clip(name, LIST_TITLE_MAX) for name in others[:MAX_TIED_SHOWN])
        if len(others) > MAX_TIED_SHOWN:
            names += f" (+{len(others) - MAX_TIED_SHOWN})"
        text = Html(f"{text}\n{t(lang, 'actor_tied', names=names)}")
    return text


def page_of(items: Sequence[Item], page: int) -> tuple[Sequence[Item], int, int]:
    """The slice for `page` (clamped), the page used, and the number of pages."""
    pages = max(1, -(-len(items) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    return items[page * PAGE_SIZE : (page + 1) * PAGE_SIZE], page, pages


def where_to_watch(lang: str, text: str, found: WatchPage, pages: int, loose: bool = False) -> Html:
    """How many titles match (or, when none is named by the text, that none is and these are
    the closest), then this page's, numbered like their card buttons."""
    page = found.offset // PAGE_SIZE + 1
    if loose:
        header = t(lang, "where_loose", text=text, page=page, pages=pages)
    else:
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
    name = named(lang, title, None, kind, year, shared_meaning(kind, platforms))
    return t(lang, "where_line", title=name, platforms=names)


def shared_meaning(kind: str, platforms: Sequence[str]) -> YearMeaning:
    """What the year of a title carried by several platforms means: theirs when they agree,
    else a plain year (Hulu counts a show's first season, Netflix its latest)."""
    meanings = {year_meaning(p, kind) for p in platforms}
    return meanings.pop() if len(meanings) == 1 else "release"


def kind_and_year(
    lang: str, kind: str, year: int | None, meaning: YearMeaning = "release"
) -> list[str]:
    """["2019", "movie"] for a film; ["show", "since 1989"] or ["show", "latest season 2019"]
    for a show, by what its platform's release_year counts (docs/data.md)."""
    if year is None:
        return [kind_name(kind, lang)]
    if kind == "tv show":
        return [kind_name(kind, lang), year_label(lang, year, meaning)]
    return [str(year), kind_name(kind, lang)]


def year_label(lang: str, year: int | None, meaning: YearMeaning) -> str:
    """A film's year; a show's first season ("since 1989") or latest ("latest season 2019"),
    as `meaning` (domain.vocabulary.year_meaning) says its platform counts it."""
    if year is None:
        return ""
    if meaning == "first_season":
        return str(t(lang, "show_since", year=year))
    if meaning == "latest_season":
        return str(t(lang, "show_year", year=year))
    return str(year)


def genres(lang: str, listed_in: str) -> str:
    """A title's genres in `lang` ("Comedia, Drama"), from the shared genre table; the
    platform's own labels when none of them is in the table."""
    keys = genre_keys(listed_in)
    return ", ".join(genre_name(k, lang) for k in keys) if keys else listed_in


def title_details(lang: str, info: TitleInfo) -> Html:
    """A line under a title in the rating flow: genres, duration, cast, description start."""
    bits = []
    if info.listed_in:
        bits.append(clip(genres(lang, info.listed_in), CARD_FIELD_MAX))
    if info.duration_int:
        key = "n_seasons" if info.duration_type == "season" else "n_minutes"
        bits.append(counted(lang, key, info.duration_int))
    line = esc(" · ".join(bits))
    if info.cast:
        line = Html(f"{line}\n{esc(clip(', '.join(info.cast[:3]), CARD_FIELD_MAX))}")
    if info.description:
        desc = info.description if len(info.description) <= 200 else info.description[:197] + "…"
        line = Html(f"{line}\n<i>{esc(desc[:1].upper() + desc[1:])}</i>")
    return line
