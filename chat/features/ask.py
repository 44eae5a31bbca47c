"""Asking back: a command that needs words and got none (tapped in Telegram's command menu)
asks for them, and the person's next plain message answers (chat/pending.py)."""

from __future__ import annotations

from ..context import Context
from ..i18n import t
from ..pending import Question
from ..replies import Person, Reply


def ask(ctx: Context, person: Person, command: str, key: str, **values: object) -> Reply:
    """Ask the question `key` and keep it open: the next plain message goes to `command`."""
    ctx.pending.ask(person.user_id, Question(command))
    hint = str(t(person.lang, f"{key}_hint"))
    return Reply(t(person.lang, key, None, **values), ask=hint)
