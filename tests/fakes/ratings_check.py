"""Which ratings the bot acknowledged (as the fake Bot API saw it) and whether SQLite has them.

A rating is acknowledged when an edit saying "Saved:"/"Guardado:" succeeded at the server. The
title is the one on the keyboard that edit replaced (`Call.previous`) and the stars are counted
in the first line of the text as that call left it (`Call.text_then`). Simulated people give a
fixed number of stars per title (`stars_for`), so a press retried after a fault or a crash can
never change a rating.
"""

from __future__ import annotations

import sqlite3
import zlib
from pathlib import Path
from typing import Any

from .telegram_server import Call, FakeTelegramServer

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


def acknowledged(calls: list[Call]) -> dict[tuple[int, str], int]:
    """(chat, title_id) -> stars for every "saved" edit that succeeded at the server."""
    acks: dict[tuple[int, str], int] = {}
    for call in calls:
        text = call.text_then or ""
        if not (call.ok and call.method == "editMessageText" and text.startswith(SAVED)):
            continue
        previous: dict[str, Any] = (call.previous or {}).get("reply_markup") or {}
        titles = {
            b["callback_data"].split("|")[2]
            for row in previous.get("inline_keyboard", [])
            for b in row
            if b.get("callback_data", "").startswith("v1|rt|")
        }
        assert len(titles) == 1, (text, previous)
        acks[(call.params["chat_id"], titles.pop())] = text.split("\n", 1)[0].count("★")
    return acks


def check_ratings(db: Path, calls: list[Call]) -> tuple[int, int]:
    """Every acknowledged rating is in SQLite with its stars, nothing else is, and the database
    passes `PRAGMA integrity_check`. Returns (acknowledged, stored)."""
    acks = acknowledged(calls)
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
