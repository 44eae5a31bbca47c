"""Logging that never shows the token.

httpx logs every request URL at INFO and the Bot API puts the token in the URL path, so
httpx/httpcore are held at WARNING. That is not enough: an exception message or traceback can
carry the URL too, so every record is also redacted — message, args and traceback — once at
creation (a record factory, which covers handlers added later, e.g. pytest's) and again by a
filter on the root handlers (which covers records made before setup). Exceptions nobody caught
(the main thread's, other threads') and warnings go through logging too, so Python's default
printing -- which would show an exception's message in clear -- never runs.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Iterable
from types import TracebackType

REDACTED = "[REDACTED]"
_secrets: list[str] = []
_base_factory = logging.getLogRecordFactory()


def redact(text: str) -> str:
    for secret in _secrets:
        if secret and secret in text:
            text = text.replace(secret, REDACTED)
    return text


def _redact_record(record: logging.LogRecord) -> logging.LogRecord:
    if not _secrets:
        return record
    try:
        message = record.getMessage()
    except Exception:  # a bad format string must not lose the record
        message = f"{record.msg!r} {record.args!r}"
    record.msg, record.args = redact(message), ()
    if record.exc_info and record.exc_info[0] is not None:
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        record.exc_text = redact(text)
        # The formatted, redacted text replaces the live exception object.
        record.exc_info = None
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


class RedactingFilter(logging.Filter):
    """Removes every registered secret from a record before a handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        _redact_record(record)
        return True


def _factory(*args: object, **kwargs: object) -> logging.LogRecord:
    return _redact_record(_base_factory(*args, **kwargs))


def _excepthook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    """sys.excepthook: an uncaught exception, logged (hence redacted) instead of printed."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, value, tb)
        return
    logging.getLogger("bot").critical("uncaught exception", exc_info=(kind, value, tb))


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    logging.getLogger("bot").critical(
        "uncaught exception in thread %s",
        args.thread.name if args.thread else "?",
        exc_info=(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback),
    )


def setup_logging(level: str = "INFO", secrets: Iterable[str] = ()) -> None:
    """Configure root logging once; safe to call again (tests do) with new secrets."""
    _secrets[:] = sorted({s for s in secrets if s}, key=len, reverse=True)
    root = logging.getLogger()
    if not root.handlers:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(stream)
    root.setLevel(level.upper())
    for handler in root.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
    logging.setLogRecordFactory(_factory)
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook
    logging.captureWarnings(True)  # warnings.showwarning would print straight to stderr
    # Request lines carry the token in the URL; keep these loggers quiet at any LOG_LEVEL.
    for name in ("httpx", "httpcore", "hpack"):
        logging.getLogger(name).setLevel(logging.WARNING)
