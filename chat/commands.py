"""The router: words or a button press in, replies out. Knows nothing of Telegram.

The Telegram handlers (app.py) and the console chat (console.py) are thin adapters over
`Commands.on_text` and `Commands.on_button`, async generators of `Reply` (async so that
/reload can build a catalogue off the event loop and say so before and after, and so that the
ratings store runs in its own threads: a write waiting on its lock must not stop other
chats. Every catalogue call is a few milliseconds and runs inline).

What each command does lives in chat/features/, declared in chat/registry.py's REGISTRY; the
catalogue's errors become sentences in one place, chat/errors.py.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import TYPE_CHECKING

from catalog.errors import CatalogError, ModelUnavailable, QueryError
from people import StoreFailure

from . import features  # noqa: F401  (registers every command and button)
from .args import Misplaced
from .callbacks import PERSONAL, Callback, ExpiredMenu, decode
from .chart_service import ChartService
from .choices import chosen
from .context import ECHO_MAX, Context, Holder, StoreUnavailable
from .errors import explain, misplaced
from .features.charts import chart_caption
from .features.general import is_small_talk, small_talk
from .i18n import t
from .operations import Reloader
from .registry import REGISTRY
from .replies import Person, Reply
from .stats import Stats

if TYPE_CHECKING:
    from people import PeopleStore

__all__ = ["ECHO_MAX", "REGISTRY", "Commands", "StoreUnavailable", "chart_caption"]
log = logging.getLogger(__name__)


class Commands(Context):
    """Every command of the bot over one catalogue holder and one ratings store."""

    def __init__(
        self,
        holder: Holder,
        store: PeopleStore,
        stats: Stats | None = None,
        reloader: Reloader | None = None,
        charts: ChartService | None = None,
    ) -> None:
        super().__init__(holder, store, stats or Stats(), reloader, charts or ChartService())

    async def on_text(self, person: Person, text: str) -> AsyncIterator[Reply]:
        """Answer a typed message: a /command with words, or free text (a title search)."""
        text = text.strip()
        if not text:
            return
        person = await self.in_chosen_language(person)
        if person.chat_id == person.user_id:  # their private chat: they do not block the bot
            await self.wrote(person.user_id, always=restarts(text))
        if not text.startswith("/"):
            if is_small_talk(text):  # "hola", "thanks", "ayuda": no title search
                self.pending.drop(person.user_id)
                yield await small_talk(self, person, text)
                return
            # the answer to the question we asked last (a command tapped with no arguments,
            # or a menu's question answered by typing), else a title search
            question = self.pending.take(person.user_id)
            if question is not None and question.state:
                yield await self.typed_answer(person, question.state, text)
                return
            if question is not None and question.choices:
                labels = [label for label, _ in question.choices]
                index = chosen(labels, text)
                if index is not None:  # "2", "the U.K. one": that button, pressed
                    async for reply in self.on_button(person, question.choices[index][1]):
                        yield replace(reply, edit=False)  # typed: a message of its own
                    return
            asked = REGISTRY.commands.get(question.command) if question else None
            if question is not None and asked is not None:
                command, rest = asked, text
            else:
                command, rest = REGISTRY.commands["search"], text
        else:
            self.pending.drop(person.user_id)  # a new command: the open question is dropped
            head, _, rest = text.partition(" ")
            name = head[1:].split("@", 1)[0].lower()
            rest = rest.strip()
            found = REGISTRY.lookup(name)
            self.stats.commands[found.name if found else "?"] += 1
            if found is None or (found.admin and not person.is_admin):
                if found is not None:
                    # Same answer as for any unknown command: do not reveal admin commands exist.
                    self.stats.denied += 1
                    log.warning("non-admin user %s tried /%s", person.user_id, name)
                yield Reply(t(person.lang, "unknown_command"))
                return
            command = found
        try:
            if command.stream is not None:
                async for reply in command.stream(self, person, rest):
                    yield reply
                return
            assert command.handler is not None
            answer = await command.handler(self, person, rest)
        except CatalogError as e:
            answer = Reply(explain(person.lang, e))
        except Misplaced as e:
            answer = Reply(misplaced(person.lang, e, command))
        except StoreUnavailable:
            answer = Reply(t(person.lang, "store_unavailable"))
        yield answer

    async def typed_answer(self, person: Person, state: str, text: str) -> Reply:
        """A typed value answering a menu's question (state: the menu's callback data), as the
        matching button would; a value that fits nothing says why (the handler asks again)."""
        lang = person.lang
        try:
            cb = decode(state).with_titles(self.title_of_token)
            return await REGISTRY.answers[cb.action](self, person, cb, text)
        except (ExpiredMenu, KeyError):  # our own state: only a changed catalogue gets here
            return Reply(t(lang, "expired"))
        except CatalogError as e:
            return Reply(explain(lang, e))
        except StoreUnavailable:
            return Reply(t(lang, "store_unavailable"))

    def prefer_language(self, user_id: int, lang: str) -> None:
        """Speak `lang` to this person from now on, over a stored choice (the console's
        explicit --lang); /language still changes it."""
        self.languages.put(user_id, lang)

    async def in_chosen_language(self, person: Person) -> Person:
        """The person in the language they chose with /language, if they chose one (read from
        the store once per person and process; a store that fails leaves Telegram's)."""
        if self.seen_langs.get(person.user_id) != person.lang:
            self.seen_langs.put(person.user_id, person.lang)
        if person.user_id not in self.languages:
            try:
                chosen = await self.store.language_async(person.user_id)
            except StoreFailure as e:
                log.warning("language of %s not read: %s", person.user_id, e)
                return person
            self.languages.put(person.user_id, chosen)
        chosen = self.languages[person.user_id]
        return person if chosen is None or chosen == person.lang else replace(person, lang=chosen)

    async def on_button(self, person: Person, data: str | None) -> AsyncIterator[Reply]:
        """Answer a button press; anything forged or stale gets "this menu expired" only."""
        person = await self.in_chosen_language(person)
        lang = person.lang
        # A press moves on from whatever was asked before; a menu asking again re-opens it.
        self.pending.drop(person.user_id)
        try:
            cb = decode(data)
            if not made_for(cb, person):
                # Someone else's button (a group): a notice to the presser, nothing done
                log.info("user %s pressed a %s button of %s", person.user_id, cb.action, cb.owner)
                yield Reply("", toast=t(lang, "not_your_button"))
                return
            cb = cb.with_titles(self.title_of_token)
            reply = await REGISTRY.buttons[cb.action](self, person, cb)
            if reply.photo is None and not reply.below:
                reply = replace(reply, edit=True)  # a photo or a card goes below; the rest edits
        except ModelUnavailable:
            reply = Reply(t(lang, "no_model"), edit=True)
        except (ExpiredMenu, QueryError) as e:
            # QueryError: well-formed data with a value we never put on a button (year 9999)
            log.info("expired/forged callback from %s: %s", person.user_id, e)
            reply = Reply(t(lang, "expired"), toast=t(lang, "expired"))
        except StoreUnavailable:
            # Nothing was saved; say so plainly rather than the generic apology.
            text = t(lang, "store_unavailable")
            reply = Reply(text, toast=t(lang, "store_unavailable_toast"))
        yield reply


def restarts(text: str) -> bool:
    """/start (in any of its names): what Telegram sends when a person restarts the bot, after
    blocking it for instance."""
    head = text.split(maxsplit=1)[0] if text.startswith("/") else ""
    found = REGISTRY.lookup(head[1:].split("@", 1)[0].lower()) if head else None
    return found is not None and found.name == "start"


def made_for(cb: Callback, person: Person) -> bool:
    """Whether `person` may press this button: anyone, unless it is PERSONAL; then only the
    person it was made for (one made before buttons carried their owner: in a private chat
    only, whose one person it was made for)."""
    if cb.action not in PERSONAL:
        return True
    if cb.owner is None:
        return person.chat_id == person.user_id
    return cb.owner == person.user_id
