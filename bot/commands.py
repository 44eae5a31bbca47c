"""The command logic: words or a button press in, replies out. Knows nothing of Telegram.

The Telegram handlers (app.py) and the console chat (console.py) are thin adapters over
`Commands.on_text` and `Commands.on_button`, async generators of `Reply` (async so that
/reload can build a catalogue off the event loop and say so before and after, and so that the
ratings store runs in its own threads: a write waiting on SQLite's lock must not stop other
chats. Every catalogue call is a few milliseconds and runs inline).
"""

from __future__ import annotations

import inspect
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, TypeVar

from catalog.validate import (
    USER_ID_MAX,
    AmbiguousTitle,
    ModelUnavailable,
    QueryError,
    TitleNotFound,
    parse_duration_type,
    parse_platform,
    parse_score,
    parse_user_id,
    parse_year,
)
from domain.vocabulary import DURATION_TYPE_OF_CODE, PLATFORM_LETTERS, PLATFORM_OF_LETTER

from . import keyboards as kb
from . import views
from .admin import Reloader, status_text
from .callbacks import (
    ANY,
    UNSET,
    Callback,
    ExpiredMenu,
    decode,
    encode,
)
from .charts import MAX_CAPTION, ChartService
from .i18n import chart_label, platform_name, t
from .ratings_store import RatingsStore
from .replies import (
    Button,
    Html,
    Keyboard,
    Person,
    Reply,
    bold,
    esc,
    prefix_within,
    utf16_len,
)
from .stats import Stats

log = logging.getLogger(__name__)
T = TypeVar("T")

LIST_SIZE = 50  # results fetched for paged lists (5 pages of views.PAGE_SIZE)
RATE_POOL = 100  # _popular_ids: the first most-voted titles (the catalogue's limit)
FEW_RATINGS = 3  # below this, /foryou says more ratings would help
ECHO_MAX = 50  # characters of a person's text we quote back in an answer
ADMIN_COMMANDS = {"reload", "status"}
ALIASES = {
    "inicio": "start",
    "ayuda": "help",
    "buscar": "search",
    "similares": "similar",
    "grafico": "chart",
    "gráfico": "chart",
}

# Wizard fields per action, in the order they are asked, and whether "any" is allowed.
WIZARDS: dict[str, tuple[tuple[str, bool], ...]] = {
    "md": (("platform", True), ("year", True), ("type", False)),
    "sc": (("platform", False), ("year", False), ("score", False)),
    "ac": (("platform", False), ("year", False)),
}
WIZARD_TITLES = {"md": "menu_md", "sc": "menu_sc", "ac": "menu_ac"}


class StoreUnavailable(Exception):
    """The ratings database failed (locked too long, damaged, disk full): commands that need
    it say so; every other command keeps working."""


class _BadArg(Exception):
    """A word we could not understand; carries the localised message key and the word."""

    def __init__(self, key: str, value: str) -> None:
        super().__init__(value)
        self.key, self.value = key, value


class Commands:
    """Every command of the bot over one catalogue holder and one ratings store."""

    def __init__(
        self,
        holder: Any,
        store: RatingsStore,
        stats: Stats | None = None,
        reloader: Reloader | None = None,
        charts: ChartService | None = None,
    ) -> None:
        self.holder = holder
        self.store = store
        self.stats = stats or Stats()
        self.reloader = reloader
        self.charts = charts or ChartService()
        self._handlers: dict[str, Callable[[Person, list[str], str], Reply | Awaitable[Reply]]] = {
            "start": self.start,
            "help": self.help,
            "maxduration": self.maxduration,
            "scorecount": self.scorecount,
            "platformcount": self.platformcount,
            "actor": self.actor,
            "recommend": self.recommend,
            "top": self.top,
            "search": self.search,
            "similar": self.similar,
            "rate": self.rate,
            "foryou": self.foryou,
        }

    @property
    def catalog(self) -> Any:
        # Read once per use: a /reload may swap it between two updates, never within one.
        return self.holder.current

    # ----- entry points -------------------------------------------------------------------
    async def on_text(self, person: Person, text: str) -> AsyncIterator[Reply]:
        """Answer a typed message: a /command with words, or free text (a title search)."""
        text = text.strip()
        if not text:
            return
        if not text.startswith("/"):
            yield self.search(person, text.split(), text)
            return
        head, _, rest = text.partition(" ")
        name = head[1:].split("@", 1)[0].lower()
        name = ALIASES.get(name, name)
        rest = rest.strip()
        known = name in self._handlers or name in ADMIN_COMMANDS or name == "chart"
        self.stats.commands[name if known else "?"] += 1
        if name in ADMIN_COMMANDS:
            if not person.is_admin:
                # Same answer as for any unknown command: do not reveal admin commands exist.
                self.stats.denied += 1
                log.warning("non-admin user %s tried /%s", person.user_id, name)
                yield Reply(t(person.lang, "unknown_command"))
                return
            async for reply in self._admin(person, name):
                yield reply
            return
        if name == "chart":  # async: the chart is drawn in a worker thread
            yield await self.chart(person, rest)
            return
        handler = self._handlers.get(name)
        if handler is None:
            yield Reply(t(person.lang, "unknown_command"))
            return
        try:
            answer = handler(person, rest.split(), rest)
            # /rate and /foryou are async: they wait for the ratings store's threads
            yield await answer if inspect.isawaitable(answer) else answer
        except StoreUnavailable:
            yield Reply(t(person.lang, "store_unavailable"))

    async def on_button(self, person: Person, data: str | None) -> AsyncIterator[Reply]:
        """Answer a button press; anything forged or stale gets "this menu expired" only."""
        try:
            cb = decode(data)
            if cb.action == "ch" or cb.fields == ("chart",):
                await self.charts.prepare(self.catalog)
            if cb.action == "ch":
                reply = await self._chart_button(person, cb.fields[0])
            else:
                reply = await self._button(person, cb)
        except (ExpiredMenu, QueryError) as e:
            # QueryError: well-formed data with a value we never put on a button (year 9999)
            log.info("expired/forged callback from %s: %s", person.user_id, e)
            reply = Reply(t(person.lang, "expired"), toast=t(person.lang, "expired"))
        except StoreUnavailable:
            # Nothing was saved; say so plainly rather than the generic apology.
            text = t(person.lang, "store_unavailable")
            reply = Reply(text, toast=t(person.lang, "store_unavailable_toast"))
        yield reply

    async def _admin(self, person: Person, name: str) -> AsyncIterator[Reply]:
        lang = person.lang
        if name == "status":
            # The store's own health is part of the answer, so /status works on a broken store.
            store = await self.store.status_async()
            yield Reply(status_text(lang, self.catalog, self.stats, store))
            return
        if self.reloader is None or self.reloader.busy:
            yield Reply(t(lang, "reload_busy"))
            return
        log.info("admin %s asked for /reload", person.user_id)
        yield Reply(t(lang, "reload_start"))
        yield Reply(await self.reloader.reload(lang))

    # ----- simple commands ----------------------------------------------------------------
    def start(self, person: Person, args: list[str], rest: str) -> Reply:
        key = "start" if person.first_name else "start_anon"
        return Reply(t(person.lang, key, name=person.first_name), kb.main_menu(person.lang))

    def help(self, person: Person, args: list[str], rest: str) -> Reply:
        return Reply(t(person.lang, "help"))

    # ----- the four questions -------------------------------------------------------------
    def maxduration(self, person: Person, args: list[str], rest: str) -> Reply:
        if not args:
            return self._wizard(person, "md", 0, [UNSET, UNSET, UNSET])
        try:
            found = _classify(args, allow={"platform", "year", "type"})
        except _BadArg as e:
            return Reply(t(person.lang, e.key, value=_echo(e.value)))
        return self._answer_md(person, found.get("platform"), found.get("year"), found.get("type"))

    def scorecount(self, person: Person, args: list[str], rest: str) -> Reply:
        try:
            found = _classify(args, allow={"platform", "year", "score"})
        except _BadArg as e:
            return Reply(t(person.lang, e.key, value=_echo(e.value)))
        fields = [
            _code(found.get("platform"), PLATFORM_LETTERS),
            str(found.get("year", UNSET)),
            f"{found['score']:g}" if "score" in found else UNSET,
        ]
        if UNSET in fields:
            return self._wizard(person, "sc", 0, fields)
        return self._answer_sc(person, found["platform"], found["year"], found["score"])

    def platformcount(self, person: Person, args: list[str], rest: str) -> Reply:
        lang = person.lang
        if not args:
            keyboard = kb.platforms(lang, lambda c: encode("pc", c), with_any=True)
            return Reply(t(lang, "pick_platform"), keyboard)
        if rest.lower() in ("all", "todas", "todos", "*"):
            return Reply(views.platform_counts(lang, self.catalog.count_platform(None)))
        try:
            platform = parse_platform(rest)
        except QueryError:
            return Reply(t(lang, "bad_platform", value=_echo(rest)))
        return Reply(views.platform_counts(lang, self.catalog.count_platform(platform)))

    def actor(self, person: Person, args: list[str], rest: str) -> Reply:
        try:
            found = _classify(args, allow={"platform", "year"})
        except _BadArg as e:
            return Reply(t(person.lang, e.key, value=_echo(e.value)))
        if "platform" in found and "year" in found:
            return self._answer_ac(person, found["platform"], found["year"])
        fields = [_code(found.get("platform"), PLATFORM_LETTERS), str(found.get("year", UNSET))]
        return self._wizard(person, "ac", 0, fields)

    def _answer_md(
        self, person: Person, platform: str | None, year: int | None, dtype: str | None
    ) -> Reply:
        result = self.catalog.max_duration(year=year, platform=platform, duration_type=dtype)
        return Reply(views.max_duration(person.lang, result))

    def _answer_sc(self, person: Person, platform: str, year: int, score: float) -> Reply:
        result = self.catalog.score_count(platform, score, year)
        return Reply(views.score_count(person.lang, result))

    def _answer_ac(self, person: Person, platform: str, year: int) -> Reply:
        catalog = self.catalog
        result = catalog.actor(platform, year)
        with_cast = catalog.cast_titles(platform) if result.actor is None else None
        return Reply(views.actor(person.lang, result, with_cast))

    # ----- wizards: pick platform -> year -> type/score with buttons ----------------------
    def _wizard(self, person: Person, action: str, page: int, fields: list[str]) -> Reply:
        """Ask for the first field still unset, or answer when every field is chosen."""
        lang = person.lang
        spec = WIZARDS[action]
        step = next((i for i, v in enumerate(fields) if v == UNSET), None)
        if step is None:
            return self._wizard_answer(person, action, fields)

        def choose(value: str) -> str:
            chosen = list(fields)
            chosen[step] = value
            return encode(action, 0, *chosen)

        def turn(to_page: int) -> str:
            return encode(action, to_page, *fields)

        name, optional = spec[step]
        keyboard: Keyboard
        if name == "platform":
            question, keyboard = "pick_platform", kb.platforms(lang, choose, optional)
        elif name == "year":
            platform = PLATFORM_OF_LETTER.get(fields[0])
            years = self.catalog.years(platform)
            question = "pick_year"
            keyboard = kb.years(lang, years, page, choose, turn, optional)
        elif name == "type":
            question, keyboard = "pick_type", kb.types(lang, choose)
        else:
            question, keyboard = "pick_score", kb.scores(choose)
        chosen = _describe(lang, fields)
        header = bold(t(lang, WIZARD_TITLES[action]) + (f" — {chosen}" if chosen else ""))
        return Reply(Html(f"{header}\n{t(lang, question)}"), keyboard)

    def _wizard_answer(self, person: Person, action: str, fields: list[str]) -> Reply:
        platform = PLATFORM_OF_LETTER.get(fields[0])
        year = int(fields[1]) if fields[1].isdigit() else None
        if action == "md":
            return self._answer_md(person, platform, year, DURATION_TYPE_OF_CODE.get(fields[2]))
        if platform is None or year is None:
            raise ExpiredMenu("wizard needs a platform and a year")
        if action == "sc":
            return self._answer_sc(person, platform, year, float(fields[2]))
        return self._answer_ac(person, platform, year)

    # ----- titles: search, similar, recommend, top ----------------------------------------
    def search(self, person: Person, args: list[str], rest: str) -> Reply:
        lang = person.lang
        if not rest:
            return Reply(t(lang, "usage_search"))
        try:
            groups = self.catalog.where_to_watch(rest)
        except QueryError:  # e.g. longer than the catalogue searches (200 characters)
            return Reply(t(lang, "not_found", text=_echo(rest)))
        if not groups:
            return Reply(t(lang, "not_found", text=_echo(rest)))
        return Reply(views.where_to_watch(lang, _echo(rest), groups))

    def similar(self, person: Person, args: list[str], rest: str) -> Reply:
        lang = person.lang
        if not rest:
            return Reply(t(lang, "usage_similar"))
        try:
            match = self.catalog.resolve_title(rest)
        except QueryError:
            return Reply(t(lang, "not_found", text=_echo(rest)))
        if match.title is None:
            if not match.candidates:
                return Reply(t(lang, "not_found", text=_echo(rest)))
            buttons = [
                [Button(label, encode("sim", c.id, 0))]
                for c, label in views.candidate_labels(match.candidates[:8])
            ]
            return Reply(t(lang, "pick_title", text=_echo(rest)), buttons)
        return self._similar_page(person, match.title.id, 0)

    def _similar_page(self, person: Person, title_id: str, page: int) -> Reply:
        lang = person.lang
        info = self.catalog.title(title_id)
        if info is None:
            raise ExpiredMenu(f"title {title_id} no longer in the catalogue")
        try:
            items = self.catalog.similar(title_id, n=LIST_SIZE)
        except ModelUnavailable:
            return Reply(t(lang, "no_model"))
        name = views.title_ref(lang, info.ref)
        if not items:
            return Reply(t(lang, "similar_none", title=name))
        chunk, page, pages = views.page_of(items, page)
        lines = [t(lang, "similar_header", title=name, page=page + 1, pages=pages)]
        lines += views.title_lines(lang, chunk, page * views.PAGE_SIZE)
        nav = kb.pager(page, pages, lambda p: encode("sim", title_id, p))
        return Reply(Html("\n".join(lines)), [nav] if nav else None)

    def recommend(self, person: Person, args: list[str], rest: str) -> Reply:
        lang = person.lang
        if len(args) < 2:
            return Reply(t(lang, "usage_recommend"))
        try:
            user_id = parse_user_id(args[0])
        except QueryError:
            return Reply(t(lang, "bad_user", value=_echo(args[0]), max=USER_ID_MAX))
        text = rest.split(None, 1)[1]
        return self._recommend(person, user_id, text)

    def _recommend(self, person: Person, user_id: int, title: str) -> Reply:
        lang = person.lang
        try:
            result = self.catalog.recommend(user_id, title)
        except AmbiguousTitle as e:
            buttons = [
                [Button(label, encode("rec", user_id, c.id))]
                for c, label in views.candidate_labels(e.candidates[:8])
            ]
            return Reply(t(lang, "pick_title", text=_echo(title)), buttons)
        except TitleNotFound:
            return Reply(t(lang, "not_found", text=_echo(title)))
        except ModelUnavailable:
            return Reply(t(lang, "no_model"))
        except QueryError:  # a title text the catalogue refuses (too long)
            return Reply(t(lang, "not_found", text=_echo(title)))
        return Reply(views.recommendation(lang, result))

    def top(self, person: Person, args: list[str], rest: str) -> Reply:
        lang = person.lang
        if len(args) != 1:
            return Reply(t(lang, "usage_top"))
        try:
            user_id = parse_user_id(args[0])
        except QueryError:
            return Reply(t(lang, "bad_user", value=_echo(args[0]), max=USER_ID_MAX))
        return self._top_page(person, user_id, 0)

    def _top_page(self, person: Person, user_id: int, page: int) -> Reply:
        lang = person.lang
        try:
            items = self.catalog.top(user_id, n=LIST_SIZE)
        except ModelUnavailable:
            return Reply(t(lang, "no_model"))
        if not items:
            return Reply(t(lang, "no_titles"))
        chunk, page, pages = views.page_of(items, page)
        lines = [t(lang, "top_header", user=user_id, page=page + 1, pages=pages)]
        recommender = self.catalog.recommender
        if recommender is not None and not recommender.knows_user(user_id):
            lines.append(t(lang, "top_unknown_user", user=user_id))
        lines += views.title_lines(lang, chunk, page * views.PAGE_SIZE)
        nav = kb.pager(page, pages, lambda p: encode("top", user_id, p))
        return Reply(Html("\n".join(lines)), [nav] if nav else None)

    # ----- ratings in the chat: /rate and /foryou -----------------------------------------
    async def _store(self, call: Awaitable[T]) -> T:
        """Await a ratings-store call; a database that fails is StoreUnavailable (logged)."""
        try:
            return await call
        except sqlite3.DatabaseError as e:  # locked past busy_timeout, damaged file, disk full
            log.error("ratings store unavailable: %s", e)
            raise StoreUnavailable(str(e)) from e

    async def rate(self, person: Person, args: list[str], rest: str) -> Reply:
        return await self._next_to_rate(person, header=None)

    async def _next_to_rate(self, person: Person, header: Html | None, edit: bool = False) -> Reply:
        lang = person.lang
        seen = await self._store(self.store.seen_async(person.user_id))
        catalog = self.catalog
        # The most-voted title this person has neither rated nor skipped.
        offered = catalog.popular(1, exclude=seen)
        info = catalog.title(offered[0].id) if offered else None
        parts = [header] if header else []
        if info is None:
            parts.append(t(lang, "rate_done"))
            return Reply(Html("\n\n".join(parts)), edit=edit)
        details = views.title_details(lang, info)
        parts.append(t(lang, "rate_prompt", title=views.title_ref(lang, info.ref), details=details))
        return Reply(Html("\n\n".join(parts)), kb.stars(lang, info.id), edit=edit)

    async def _rated(self, person: Person, title_id: str, stars: int) -> Reply:
        lang = person.lang
        info = self.catalog.title(title_id)
        if info is None:
            raise ExpiredMenu(f"title {title_id} no longer in the catalogue")
        name = views.title_ref(lang, info.ref)
        if stars == 0:
            await self._store(self.store.skip_async(person.user_id, title_id))
            header = t(lang, "rate_skipped", title=name)
            return await self._next_to_rate(person, header, edit=True)
        # Committed to SQLite (in the writer thread) before the "saved" reply is even built.
        count = await self._store(self.store.add_async(person.user_id, title_id, float(stars)))
        header = t(lang, "rate_saved", title=name, stars="★" * stars, n=count)
        try:
            reply = await self._next_to_rate(person, header, edit=True)
        except StoreUnavailable:  # the rating is saved: say so, whatever the next card does
            reply = Reply(Html(f"{header}\n\n{t(lang, 'store_unavailable')}"), edit=True)
        return Reply(reply.text, reply.keyboard, edit=True, toast=t(lang, "saved_toast"))

    async def foryou(self, person: Person, args: list[str], rest: str) -> Reply:
        return await self._foryou_page(person, 0)

    async def _foryou_page(self, person: Person, page: int, edit: bool = False) -> Reply:
        lang = person.lang
        ratings = await self._store(self.store.ratings_async(person.user_id))
        if not ratings:
            keyboard = [[Button(t(lang, "menu_rate"), encode("menu", "rate"))]]
            return Reply(t(lang, "foryou_none"), keyboard, edit=edit)
        try:
            items = self.catalog.for_ratings(ratings, n=LIST_SIZE)
        except ModelUnavailable:
            return Reply(t(lang, "no_model"), edit=edit)
        if not items:
            return Reply(t(lang, "no_titles"), edit=edit)
        chunk, page, pages = views.page_of(items, page)
        lines = [t(lang, "foryou_header", n=len(ratings), page=page + 1, pages=pages)]
        lines += views.title_lines(lang, chunk, page * views.PAGE_SIZE)
        if len(ratings) < FEW_RATINGS:
            lines.append(t(lang, "foryou_more", n=FEW_RATINGS - len(ratings)))
        keyboard = []
        nav = kb.pager(page, pages, lambda p: encode("fy", p))
        if nav:
            keyboard.append(nav)
        keyboard.append([Button(t(lang, "menu_rate"), encode("menu", "rate"))])
        return Reply(Html("\n".join(lines)), keyboard, edit=edit)

    # ----- /chart: the EDA charts as photos -----------------------------------------------
    def chart_menu(self, person: Person, edit: bool = False) -> Reply:
        """The charts this catalogue can draw, one button each."""
        lang = person.lang
        names = self.charts.available(self.catalog)
        if not names:
            return Reply(t(lang, "chart_none"), edit=edit)
        titles = self.charts.titles()
        keyboard = [
            [Button(chart_label(lang, name, titles.get(name, name)), encode("ch", name))]
            for name in names
        ]
        return Reply(t(lang, "chart_pick"), keyboard, edit=edit)

    async def chart(self, person: Person, rest: str) -> Reply:
        """/chart: the keyboard; /chart <name>: that chart as a photo with its finding."""
        await self.charts.prepare(self.catalog)
        if not rest:
            return self.chart_menu(person)
        return await self._chart_photo(person, rest)

    async def _chart_button(self, person: Person, name: str) -> Reply:
        if self.charts.canonical(name) not in self.charts.available(self.catalog):
            raise ExpiredMenu(f"chart {name!r} not available in this catalogue")
        return await self._chart_photo(person, name)

    async def _chart_photo(self, person: Person, name: str) -> Reply:
        lang = person.lang
        catalog = self.catalog  # one catalogue for the whole answer, even across a /reload
        names = self.charts.available(catalog)
        wanted = self.charts.canonical(name)
        if wanted not in names:
            return Reply(t(lang, "chart_unknown", name=_echo(name), names=", ".join(names)))
        try:
            chart = await self.charts.render(catalog, wanted)
        except Exception as e:  # a chart that cannot be drawn from these data: say so, go on
            log.warning("chart %s failed: %s", wanted, e, exc_info=True)
            return Reply(t(lang, "chart_failed", name=wanted))
        label = chart_label(lang, chart.name, chart.title)
        return Reply(chart_caption(label, chart.finding_in(lang)), photo=chart.png)

    # ----- button presses -----------------------------------------------------------------
    async def _button(self, person: Person, cb: Callback) -> Reply:
        action, f = cb.action, cb.fields
        if action in WIZARDS:
            reply = self._wizard(person, action, int(f[0]), list(f[1:]))
        elif action == "pc":
            platform = PLATFORM_OF_LETTER.get(f[0])
            if f[0] == UNSET:
                raise ExpiredMenu("platform count without a platform")
            reply = Reply(views.platform_counts(person.lang, self.catalog.count_platform(platform)))
        elif action == "w":
            info = self.catalog.title(f[0])
            if info is None:
                raise ExpiredMenu(f"title {f[0]} no longer in the catalogue")
            reply = self.search(person, info.title.split(), info.title)
        elif action == "sim":
            reply = self._similar_page(person, f[0], int(f[1]))
        elif action == "rec":
            if self.catalog.title(f[1]) is None:
                raise ExpiredMenu(f"title {f[1]} no longer in the catalogue")
            reply = self._recommend(person, int(f[0]), f[1])
        elif action == "top":
            reply = self._top_page(person, int(f[0]), int(f[1]))
        elif action == "fy":
            reply = await self._foryou_page(person, int(f[0]))
        elif action == "rt":
            return await self._rated(person, f[0], int(f[1]))
        elif action == "menu":
            reply = await self._menu(person, f[0])
        else:  # noop: the page indicator
            return Reply("", toast="")
        return Reply(reply.text, reply.keyboard, edit=True, toast=reply.toast)

    async def _menu(self, person: Person, target: str) -> Reply:
        if target in WIZARDS:
            return self._wizard(person, target, 0, [UNSET] * len(WIZARDS[target]))
        if target == "pc":
            return self.platformcount(person, [], "")
        if target == "rate":
            return await self.rate(person, [], "")
        if target == "fy":
            return await self.foryou(person, [], "")
        if target == "search":
            return Reply(t(person.lang, "search_hint"))
        if target == "chart":
            return self.chart_menu(person)
        return self.help(person, [], "")


def _popular_ids(catalog: Any) -> list[str]:
    """The titles /rate offers first, most voted first (kept for the tests' callback data)."""
    return [ref.id for ref in catalog.popular(RATE_POOL)]


def chart_caption(label: str, finding: str) -> Html:
    """<b>label</b> + the finding, escaped, within Telegram's 1,024-character caption."""
    room = MAX_CAPTION - utf16_len(label) - 1  # Telegram counts UTF-16 units
    if utf16_len(finding) > room:
        finding = finding[: prefix_within(finding, room - 1)].rstrip() + "…"
    return Html(f"{bold(label)}\n{esc(finding)}")


def _echo(text: str, limit: int = ECHO_MAX) -> str:
    """What we quote back of a person's text: at most `limit` characters, then "…" (4,000
    "<" quoted in full once became four messages)."""
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def _code(value: str | None, codes: Mapping[str, str]) -> str:
    return codes[value] if value is not None else UNSET


def _describe(lang: str, fields: list[str]) -> str:
    """What a wizard has chosen so far, e.g. "Netflix, 2020"."""
    bits = []
    if fields and fields[0] in PLATFORM_OF_LETTER:
        bits.append(platform_name(PLATFORM_OF_LETTER[fields[0]]))
    elif fields and fields[0] == ANY:
        bits.append(t(lang, "any_platform"))
    if len(fields) > 1 and fields[1].isdigit():
        bits.append(fields[1])
    return ", ".join(bits)


def _classify(args: list[str], allow: set[str]) -> dict[str, Any]:
    """Sort loose words into platform / year / score / type, whatever their order.

    A 4-digit number is a year; another number is a score; min/season words are a type; the
    rest (one or two words, "amazon prime") is a platform. Anything left over is an error
    naming the word, in the person's language.
    """
    found: dict[str, Any] = {}
    words = list(args)
    i = 0
    while i < len(words):
        word = words[i]
        low = word.lower()
        if "year" in allow and "year" not in found and low.isdigit() and len(low) == 4:
            try:
                found["year"] = parse_year(low)
            except QueryError as e:
                raise _BadArg("bad_year", word) from e
        elif "score" in allow and "score" not in found and _is_number(low):
            try:
                found["score"] = parse_score(low)
            except QueryError as e:
                raise _BadArg("bad_score", word) from e
        elif _is_number(low) and ("year" in allow or "score" in allow):
            # a number that is neither a 4-digit year nor an allowed score
            raise _BadArg("bad_year" if "year" in allow and low.isdigit() else "bad_score", word)
        elif "type" in allow and "type" not in found and _is_type(low):
            found["type"] = parse_duration_type(low)
        elif "platform" in allow and "platform" not in found:
            pair = f"{low} {words[i + 1].lower()}" if i + 1 < len(words) else None
            if pair and _is_platform(pair):
                found["platform"] = parse_platform(pair)
                i += 1
            elif _is_platform(low):
                found["platform"] = parse_platform(low)
            else:
                raise _BadArg("bad_platform", word)
        else:
            raise _BadArg(_bad_key(allow, found), word)
        i += 1
    return found


def _bad_key(allow: set[str], found: dict[str, Any]) -> str:
    for name in ("platform", "year", "score", "type"):
        if name in allow and name not in found:
            return f"bad_{name}"
    return "bad_platform"


def _is_number(word: str) -> bool:
    try:
        float(word.replace(",", "."))
    except ValueError:
        return False
    return True


def _is_type(word: str) -> bool:
    try:
        parse_duration_type(word)
    except QueryError:
        return False
    return True


def _is_platform(word: str) -> bool:
    try:
        parse_platform(word)
    except QueryError:
        return False
    return True
