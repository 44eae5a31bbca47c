"""What the command logic answers with: plain data, no Telegram types.

`Reply.text` is Telegram-style HTML (only <b>, <i>, <code>) with every piece of data escaped.
The Telegram adapter sends it as is; the console strips the tags.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

MAX_TEXT = 4096  # Telegram's limit for one message, after entity parsing
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
    """One inline button: the label people see and the callback data the bot gets back."""

    text: str
    data: str


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


@dataclass(frozen=True)
class Person:
    """Who is talking, as far as the command logic needs to know."""

    user_id: int
    chat_id: int
    lang: str = "es"
    is_admin: bool = False
    first_name: str = ""


def split_html(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split a reply at line boundaries into chunks of at most `limit` characters.

    Our replies never open a tag on one line and close it on another, so cutting between lines
    keeps every chunk well-formed. A single line longer than the limit is cut at a space outside
    any tag as a last resort.
    """
    if len(text) <= limit:
        return [text]
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            cut = _safe_cut(line, limit)
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:cut])
            line = line[cut:].lstrip()
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        chunks.append(current)
    return [c for c in chunks if c.strip()]


def _safe_cut(line: str, limit: int) -> int:
    """Index <= limit to cut a long line at: a space outside tags/entities, else drop tags."""
    depth_ok = [m.start() for m in re.finditer(r" ", line[:limit])]
    for pos in reversed(depth_ok):
        before = line[:pos]
        if before.count("<") == before.count(">") and before.rfind("&") <= before.rfind(";"):
            opened = len(re.findall(r"<[a-z]", before))
            closed = len(re.findall(r"</", before))
            if opened == closed:
                return pos
    return limit


def plain_text(text: str) -> str:
    """HTML reply -> what a terminal shows."""
    return html.unescape(re.sub(r"</?[a-z][a-z-]*[^>]*>", "", text))
