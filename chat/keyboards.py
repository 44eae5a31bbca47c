"""Inline keyboards as plain data: pickers for platform / year / type / score, pagers, stars."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

from domain.vocabulary import PLATFORM_LETTERS
from locales import short

from .callbacks import ANY, encode
from .i18n import platform_name, t
from .replies import Button, Keyboard

YEARS_PER_PAGE = 15  # 5 rows of 3: fits a phone screen without scrolling
YEAR_COLUMNS = 3
SCORES = ("1", "2", "2.5", "3", "3.5", "4", "4.5")


def rows(buttons: Sequence[Button], columns: int) -> Keyboard:
    return [list(buttons[i : i + columns]) for i in range(0, len(buttons), columns)]


def platforms(lang: str, data: Callable[[str], str], with_any: bool) -> Keyboard:
    """2x2 platform buttons (+ "All" when the filter is optional); data(code) builds each."""
    buttons = [Button(platform_name(p), data(code)) for p, code in PLATFORM_LETTERS.items()]
    keyboard = rows(buttons, 2)
    if with_any:
        keyboard.append([Button(t(lang, "any_platform"), data(ANY))])
    return keyboard


def years(
    lang: str,
    available: Sequence[int],
    page: int,
    data: Callable[[str], str],
    page_data: Callable[[int], str],
    with_any: bool,
) -> Keyboard:
    """Years newest first, YEARS_PER_PAGE per page, with older/newer buttons."""
    ordered = sorted(set(available), reverse=True)
    pages = max(1, -(-len(ordered) // YEARS_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    chunk = ordered[page * YEARS_PER_PAGE : (page + 1) * YEARS_PER_PAGE]
    keyboard = rows([Button(str(y), data(str(y))) for y in chunk], YEAR_COLUMNS)
    nav: list[Button] = []
    if page > 0:
        nav.append(Button(t(lang, "newer"), page_data(page - 1)))
    if page < pages - 1:
        nav.append(Button(t(lang, "older"), page_data(page + 1)))
    if nav:
        keyboard.append(nav)
    if with_any:
        keyboard.append([Button(t(lang, "any_year"), data(ANY))])
    return keyboard


def types(lang: str, data: Callable[[str], str]) -> Keyboard:
    return [[Button(t(lang, "type_min"), data("m")), Button(t(lang, "type_season"), data("s"))]]


def scores(lang: str, data: Callable[[str], str]) -> Keyboard:
    """ "> 3.5" / "> 3,5": the decimal sign of `lang`, as the answers write it."""
    written = [short(lang, float(s)) for s in SCORES]
    buttons = [Button(f"> {w}", data(s), typed=w) for s, w in zip(SCORES, written, strict=True)]
    return rows(buttons, 4)


def pager(page: int, pages: int, data: Callable[[int], str]) -> list[Button]:
    """« 2/5 » row; the middle button only shows where we are."""
    if pages <= 1:
        return []
    row: list[Button] = []
    if page > 0:
        row.append(Button("«", data(page - 1)))
    row.append(Button(f"{page + 1}/{pages}", encode("noop")))
    if page < pages - 1:
        row.append(Button("»", data(page + 1)))
    return row


def stars(lang: str, title_id: str, given: int | None = None, owner: int | None = None) -> Keyboard:
    """1★ … 5★ (the stars given before marked ✓), skip and "enough, show me", for the person
    `owner` (chat/callbacks.py PERSONAL)."""
    return [
        [
            Button(f"{'✓' if n == given else ''}{n}★", encode("rt", title_id, n, owner=owner))
            for n in range(1, 6)
        ],
        [
            Button(t(lang, "skip"), encode("rt", title_id, 0, owner=owner)),
            Button(t(lang, "enough_show"), encode("fy", 0, owner=owner)),
        ],
    ]


@functools.cache
def main_menu(lang: str) -> Keyboard:
    """The /start menu, built once per language (shared: never change the list returned)."""

    def b(key: str, target: str) -> Button:
        return Button(t(lang, key), encode("menu", target))

    return [
        [b("menu_search", "search"), b("menu_rate", "rate"), b("menu_foryou", "fy")],
        [b("menu_md", "md"), b("menu_sc", "sc")],
        [b("menu_pc", "pc"), b("menu_ac", "ac"), b("menu_browse", "br")],
        [b("menu_watchlist", "wl"), b("menu_myplatforms", "mp")],
        [b("menu_chart", "chart"), b("menu_language", "lang"), b("menu_help", "help")],
    ]
