"""What the command logic answers with: plain data, no Telegram types.

`Reply.text` is Telegram-style HTML (only <b>, <i>, <code>) with every piece of data escaped.
The Telegram adapter sends it as is; the console strips the tags.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from .limits import MESSAGE_MAX, prefix_within, utf16_len

MAX_TEXT = MESSAGE_MAX  # Telegram's limit for one message, after entity parsing (chat/limits.py)
SAFE_TEXT = 3800  # what one page of ours aims for, leaving room for a header


class Html(str):
    """A string that is already safe HTML; `esc` leaves it alone."""


def esc(value: object) -> Html:
    """Escape a piece of data for Telegram HTML (already-safe `Html` passes through)."""
    if isinstance(value, Html):
        return value
    return Html(html.escape(str(value), quote=False))


def bold(value: object) -> Html:
    return Html(f"<b>{esc(value)}</b>")


def code(value: object) -> Html:
    return Html(f"<code>{esc(value)}</code>")


@dataclass(frozen=True)
class Button:
    """One inline button: the label people see and the callback data the bot gets back, or a
    link (`url`) that opens outside the chat (a platform's search for a title)."""

    text: str
    data: str
    url: str | None = None
    # The value it stands for when that is a number a person could type as the answer ("3.5"
    # for "> 3.5"): the console presses it by that number rather than by a free one, so
    # typing "4" at "Scored above…?" means 4, as in Telegram (chat/console.py).
    typed: str | None = None


Keyboard = list[list[Button]]


@dataclass(frozen=True)
class Reply:
    """One message to show. `edit` asks to replace the message whose button was pressed."""

    text: str
    keyboard: Keyboard | None = None
    edit: bool = False
    photo: bytes | None = None
    # A short notice shown as the answer to a button press (toast), not as a message
    toast: str | None = None
    # The bot asked a question: Telegram opens a reply to it (ForceReply) with this hint in the
    # input field; the next plain message answers it (chat/pending.py)
    ask: str | None = None
    # Answering a button press: send as a new message below the pressed one instead of
    # replacing it (a title card opened from a list keeps the list)
    below: bool = False


@dataclass(frozen=True)
class Person:
    """Who is talking, as far as the command logic needs to know."""

    user_id: int
    chat_id: int
    lang: str = "es"
    is_admin: bool = False
    first_name: str = ""


def split_html(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split a reply at line boundaries into chunks of at most `limit` UTF-16 units.

    Cuts fall between lines outside any tag (a value with a newline inside <b> keeps its lines
    together). A single line longer than the limit is cut at a space outside any tag as a last
    resort, or, with no such space, stripped of its tags and cut outside an entity (a chunk is
    sent on its own, so it must parse on its own).
    """
    if utf16_len(text) <= limit or utf16_len(plain_text(text)) <= limit:
        return [text]  # Telegram counts what is left after entity parsing (tags, &amp;)
    chunks: list[str] = []
    current = ""
    for line in _lines_outside_tags(text):
        while utf16_len(line) > limit:
            head, line = _cut_line(line, limit)
            if current:
                chunks.append(current)
                current = ""
            chunks.append(head)
        candidate = f"{current}\n{line}" if current else line
        if utf16_len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        chunks.append(current)
    return [c for c in chunks if c.strip()]


_TAG = re.compile(r"</?[a-z][a-z-]*[^>]*>")


def _lines_outside_tags(text: str) -> list[str]:
    """The text's lines, those inside an open tag joined to the line that closes it."""
    out: list[str] = []
    pending: list[str] = []
    depth = 0
    for line in text.split("\n"):
        pending.append(line)
        depth += len(re.findall(r"<[a-z]", line)) - len(re.findall(r"</", line))
        if depth <= 0:
            out.append("\n".join(pending))
            pending, depth = [], 0
    if pending:
        out.append("\n".join(pending))
    return out


def _cut_line(line: str, limit: int) -> tuple[str, str]:
    """Cut an over-long line into (head that fits, rest)."""
    end = prefix_within(line, limit)
    for pos in reversed([m.start() for m in re.finditer(r"[ \n]", line[:end])]):
        before = line[:pos]
        if before.count("<") == before.count(">") and before.rfind("&") <= before.rfind(";"):
            opened = len(re.findall(r"<[a-z]", before))
            closed = len(re.findall(r"</", before))
            if opened == closed:
                return before, line[pos:].lstrip()
    # No space to cut at: drop the line's tags (keeping its text) and never cut an entity.
    bare = _TAG.sub("", line)
    end = prefix_within(bare, limit)
    amp = bare.rfind("&", 0, end)
    if amp != -1 and ";" not in bare[amp:end]:
        end = amp if amp > 0 else bare.find(";") + 1
    return bare[:end], bare[end:]


def plain_text(text: str) -> str:
    """HTML reply -> what a terminal shows."""
    return html.unescape(re.sub(r"</?[a-z][a-z-]*[^>]*>", "", text))
