"""Text that stays on one line: control characters (newline, carriage return, escape, ...),
format characters and line or paragraph separators shown as escapes (`\\n`, `\\x1b`).

A file name, a CSV cell or an exception message can carry a newline; written into a log as it
is, it starts a line of its own, and a crafted name once forged a "published" line in a run's
log. The offline tools (etl, refresh) log through `OneLineFormatter` and print their error
lines through `one_line`; the inbox rule (domain/inputfiles.py) refuses such names outright.
A leaf: standard library only.
"""

from __future__ import annotations

import logging
import unicodedata

_BREAKING = frozenset({"Cc", "Cf", "Zl", "Zp"})


def _escape(ch: str) -> str:
    return ch.encode("unicode_escape").decode("ascii")


def unsafe_characters(text: str) -> list[str]:
    """The distinct control and format characters in `text`, as escapes; [] when none."""
    return [_escape(ch) for ch in dict.fromkeys(text) if unicodedata.category(ch) in _BREAKING]


def one_line(text: str) -> str:
    """`text` with every control or format character escaped."""
    if text.isprintable():  # the common case, in C
        return text
    return "".join(_escape(ch) if unicodedata.category(ch) in _BREAKING else ch for ch in text)


class OneLineFormatter(logging.Formatter):
    """Escapes the message part of every record (its arguments included); a traceback, added
    after it, keeps its own lines."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return one_line(super().formatMessage(record))


def setup_logging(level: int | str, fmt: str) -> None:
    """logging.basicConfig with OneLineFormatter on the root handler (stderr)."""
    handler = logging.StreamHandler()
    handler.setFormatter(OneLineFormatter(fmt))
    logging.basicConfig(level=level, handlers=[handler])
