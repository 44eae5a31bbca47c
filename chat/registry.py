"""The command registry: each command declared once, with its names in both languages, whether
it is for admins, and its handler. Telegram's command menu, /help and the console's help are
generated from it; the words (description, argument syntax) come from the catalogues under
the keys `cmd_<name>` and `cmd_<name>_args`.

Button presses are registered the same way, by callback action (chat/callbacks.py SCHEMA).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import locales

from .i18n import DOMAIN, t
from .replies import Html, Reply, esc

if TYPE_CHECKING:
    from .callbacks import Callback
    from .context import Context
    from .replies import Person

# A command: the context, who asks and the words after the command -> one reply, or several in
# order (an async iterator: /reload says "reloading…" before it is done).
CommandHandler = Callable[["Context", "Person", str], Awaitable[Reply]]
StreamingHandler = Callable[["Context", "Person", str], AsyncIterator[Reply]]
ButtonHandler = Callable[["Context", "Person", "Callback"], Awaitable[Reply]]
# A typed answer to a question asked with buttons: the state the question was asked in (as its
# buttons carry it) and the words typed -> the reply a press of the matching button gives.
AnswerHandler = Callable[["Context", "Person", "Callback", str], Awaitable[Reply]]


@dataclass(frozen=True)
class Command:
    name: str  # the English name: the one in Telegram's menu
    aliases: tuple[str, ...]  # other names it answers to (Spanish, accented spellings)
    handler: CommandHandler | None  # one reply
    stream: StreamingHandler | None = None  # or several, in order
    admin: bool = False  # admins only; to anyone else it does not exist

    def name_in(self, lang: str) -> str:
        """The name shown to a person: the Spanish one (the first alias) in Spanish."""
        return self.aliases[0] if lang == "es" and self.aliases else self.name

    def description(self, lang: str) -> str:
        """Plain text, e.g. "The most frequent actor"."""
        return locales.text(DOMAIN, lang, f"cmd_{self.name}")

    def syntax(self, lang: str) -> str:
        """Plain text, e.g. "<platform> <year>"; "" for a command without arguments."""
        return locales.messages(DOMAIN, lang).get(f"cmd_{self.name}_args") or ""


@dataclass
class Registry:
    commands: dict[str, Command] = field(default_factory=dict)  # by every name
    ordered: list[Command] = field(default_factory=list)  # declaration order: menu and /help
    buttons: dict[str, ButtonHandler] = field(default_factory=dict)  # by callback action
    answers: dict[str, AnswerHandler] = field(default_factory=dict)  # typed, by callback action
    # /help by (language, admin): the same text until a command is declared
    _helps: dict[tuple[str, bool], Html] = field(default_factory=dict, repr=False)

    def command(
        self, name: str, *aliases: str, admin: bool = False
    ) -> Callable[[CommandHandler], CommandHandler]:
        """Declare a command answered with one reply; its names must be new."""

        def add(handler: CommandHandler) -> CommandHandler:
            self._add(Command(name, aliases, handler, None, admin))
            return handler

        return add

    def streaming_command(
        self, name: str, *aliases: str, admin: bool = False
    ) -> Callable[[StreamingHandler], StreamingHandler]:
        """Declare a command answered with several replies in order (an async generator)."""

        def add(stream: StreamingHandler) -> StreamingHandler:
            self._add(Command(name, aliases, None, stream, admin))
            return stream

        return add

    def _add(self, command: Command) -> None:
        for word in (command.name, *command.aliases):
            if word in self.commands:
                raise ValueError(f"command name /{word} declared twice")
            self.commands[word] = command
        self.ordered.append(command)
        self._helps.clear()

    def button(self, *actions: str) -> Callable[[ButtonHandler], ButtonHandler]:
        """Declare the handler of callback actions ("md", "rt", ...)."""

        def add(handler: ButtonHandler) -> ButtonHandler:
            for action in actions:
                if action in self.buttons:
                    raise ValueError(f"button action {action!r} declared twice")
                self.buttons[action] = handler
            return handler

        return add

    def answer(self, *actions: str) -> Callable[[AnswerHandler], AnswerHandler]:
        """Declare how a typed value answers the button question of callback actions ("md"):
        "2020" typed after "Which year?" does what the 2020 button does."""

        def add(handler: AnswerHandler) -> AnswerHandler:
            for action in actions:
                if action in self.answers:
                    raise ValueError(f"answer to {action!r} declared twice")
                self.answers[action] = handler
            return handler

        return add

    def lookup(self, name: str) -> Command | None:
        return self.commands.get(name)

    def menu(self, lang: str) -> list[tuple[str, str]]:
        """(name, description) for Telegram's command menu: public commands, in order."""
        out = []
        for c in self.ordered:
            if c.admin:
                continue
            syntax = c.syntax(lang)
            name = c.name_in(lang)
            text = f"{c.description(lang)}: /{name} {syntax}" if syntax else c.description(lang)
            out.append((name, text))
        return out

    def help(self, lang: str, admin: bool = False) -> Html:
        """/help: one line per command (admin ones for admins only) and how to give values."""
        known = self._helps.get((lang, admin))
        if known is None:
            known = self._helps[lang, admin] = self._help(lang, admin)
        return known

    def _help(self, lang: str, admin: bool) -> Html:
        lines: list[str] = [t(lang, "help")]
        for c in self.ordered:
            if c.admin and not admin:
                continue
            syntax = c.syntax(lang)
            lines.append(
                f"/{c.name_in(lang)}{' ' if syntax else ''}{esc(syntax)}"
                f" — {esc(c.description(lang))}"
            )
        lines += ["", t(lang, "help_footer")]
        return Html("\n".join(lines))


REGISTRY = Registry()
