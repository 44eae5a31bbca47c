"""Which ratings the bot acknowledged (as the fake Bot API saw it) and whether SQLite has them.

A rating is acknowledged when a message or edit saying "Saved: <title> ★★★…" succeeded at the
server: what the person was told. Title and stars are read from that first line
(`Call.text_then`), the title matched against the display names of the titles this chat was
offered. (Not from the keyboard the edit replaced: a press Telegram delivers again after a
crash -- or two presses processed out of order -- edits a message that already shows the
*next* card, so the replaced keyboard names another title than the one saved; that made
tests/e2e/test_crash_recovery.py fail at random on a busy machine.) Simulated people give a fixed
number of stars per title (`stars_for`), so a press retried after a fault or a crash can never
change a rating.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import zlib
from pathlib import Path
from typing import Any

from tests.fakes.telegram_server import Call, FakeTelegramServer, parse_html

SAVED = ("Guardado:", "Saved:")


def stars_for(chat: int, title_id: str) -> int:
    """The stars a simulated person always gives a title."""
    return zlib.crc32(f"{chat}:{title_id}".encode()) % 5 + 1


def rate_prompt(server: FakeTelegramServer, chat: int) -> tuple[int, str] | None:
    """The newest bot message in the chat carrying star buttons: (message_id, title_id)."""
    for mid in sorted(server.messages.get(chat, {}), reverse=True):
        message = server.messages[chat][mid]
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data") or ""
                if data.startswith("v1|rt|"):
                    return mid, data.split("|")[2]
    return None


def star_press(server: FakeTelegramServer, chat: int) -> tuple[int, str] | None:
    """(message_id, callback data) of the star button this person presses next, if any."""
    prompt = rate_prompt(server, chat)
    if prompt is None:
        return None
    mid, title_id = prompt
    return mid, f"v1|rt|{title_id}|{stars_for(chat, title_id)}"


_SAVED_LINE = re.compile(r"^(?:Guardado|Saved): (.+) (★{1,5})\. ")


@functools.cache
def _catalog(data_dir: Path) -> Any:  # a catalog.core.Catalog
    from catalog.holder import CatalogHolder

    return CatalogHolder(data_dir).current


@functools.cache
def _names(data_dir: Path, title_id: str) -> frozenset[str]:
    """How the bot names a title in "Saved: …", in both languages (visible text)."""
    from chat.views import title_ref

    info = _catalog(data_dir).title(title_id)
    if info is None:
        return frozenset()
    return frozenset(parse_html(title_ref(lang, info.ref)) for lang in ("es", "en"))


def offered(calls: list[Call]) -> dict[int, set[str]]:
    """chat -> every title id a star keyboard was shown for (successful calls)."""
    shown: dict[int, set[str]] = {}
    for call in calls:
        if not call.ok or call.method not in ("sendMessage", "editMessageText"):
            continue
        for row in (call.params.get("reply_markup") or {}).get("inline_keyboard", []):
            for b in row:
                data = b.get("callback_data") or ""
                if data.startswith("v1|rt|"):
                    shown.setdefault(call.params["chat_id"], set()).add(data.split("|")[2])
    return shown


def acknowledged(calls: list[Call], data_dir: Path) -> dict[tuple[int, str], int]:
    """(chat, title_id) -> stars for every "Saved" message or edit the server accepted."""
    data_dir = Path(data_dir)
    shown = offered(calls)
    acks: dict[tuple[int, str], int] = {}
    for call in calls:
        text = call.text_then or ""
        if not (call.ok and call.method in ("editMessageText", "sendMessage")):
            continue
        if not text.startswith(SAVED):
            continue
        match = _SAVED_LINE.match(text.split("\n", 1)[0])
        assert match, text
        name, stars = match.group(1), len(match.group(2))
        chat = call.params["chat_id"]
        titles = {tid for tid in shown.get(chat, ()) if name in _names(data_dir, tid)}
        assert len(titles) == 1, (text, titles)
        acks[(chat, titles.pop())] = stars
    return acks


def saved_over_another_card(calls: list[Call], data_dir: Path) -> int:
    """How many "Saved" edits replaced the star keyboard of a title other than the one saved
    (a redelivered or out-of-order press: the message had moved on to the next card)."""
    count = 0
    for call in calls:
        text = call.text_then or ""
        if not (call.ok and call.method == "editMessageText" and text.startswith(SAVED)):
            continue
        match = _SAVED_LINE.match(text.split("\n", 1)[0])
        previous = (call.previous or {}).get("reply_markup") or {}
        replaced = {
            b["callback_data"].split("|")[2]
            for row in previous.get("inline_keyboard", [])
            for b in row
            if b.get("callback_data", "").startswith("v1|rt|")
        }
        if (
            match
            and replaced
            and not any(match.group(1) in _names(Path(data_dir), tid) for tid in replaced)
        ):
            count += 1
    return count


def check_ratings(db: Path, calls: list[Call]) -> tuple[int, int]:
    """Every acknowledged rating is in SQLite with its stars, nothing else is, and the database
    passes `PRAGMA integrity_check`. Returns (acknowledged, stored)."""
    acks = acknowledged(calls, db.parent.parent)
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {
            (int(tid), title): rating
            for tid, title, rating in conn.execute(
                "SELECT telegram_id, title_id, rating FROM ratings"
            )
        }
    finally:
        conn.close()
    missing = {k: (s, stored.get(k)) for k, s in acks.items() if stored.get(k) != s}
    assert not missing, f"acknowledged but not in SQLite (acked, stored): {missing}"
    for (chat, title), rating in stored.items():
        assert rating == stars_for(chat, title), "a rating nobody gave"
    return len(acks), len(stored)
