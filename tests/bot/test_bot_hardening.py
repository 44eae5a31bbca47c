"""Issue 11, the bot's handler side: failed callback answers, long user ids, SQLite off the
event loop, a corrupt ratings database, capped echoes and group chats.

Through the real PTB Application polling the fake Bot API over HTTP (tests/fakes), with the
faults injected there, on the real demo catalogue and model, and real SQLite files.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from catalog.holder import CatalogHolder
from catalog.validate import USER_ID_MAX
from chat.callbacks import ExpiredMenu, decode, encode
from chat.commands import Commands
from chat.context import ECHO_MAX
from chat.i18n import t
from chat.replies import Person, Reply, plain_text, split_html
from people import StoreError, sqlite_store
from people.databases import SqliteDatabase
from tests.fakes.botdata import data_copy, demo_data
from tests.fakes.harness import ADMIN, Running, button_data, last_keyboard, running_bot
from tests.fakes.telegram_server import BOT_USER, Chaos, FakeTelegramServer, Fault

pytestmark = pytest.mark.timeout(180)

ROOT = Path(__file__).resolve().parents[2]
APOLOGY = {t("es", "error"), t("en", "error")}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return data_copy(tmp_path / "data")


def no_apology(bot: Running, chat: int) -> None:
    texts = [c.text for c in bot.server.outgoing(chat)]
    assert not APOLOGY & set(texts), texts
    assert bot.commands.stats.errors == 0


async def rate_card(bot: Running, chat: int, lang: str = "en") -> tuple[Any, str, str]:
    """/rate: the card's call, the title offered and the 4-star callback data."""
    [card] = await bot.say(chat, "/rate", lang)
    data = button_data(card, "4★")
    return card, decode(data).fields[0], data


async def press_and_wait(bot: Running, chat: int, message_id: int, data: str) -> list[Any]:
    """Press a button and wait (generously: the machine may be busy) for one new outgoing."""
    before = len(bot.server.outgoing(chat))
    bot.server.press(chat, message_id, data, "en")
    out = await bot.server.wait_outgoing(chat, before + 1, timeout=60)
    return out[before:]


# ----- 5: a failed callback answer never drops the press -------------------------------------

ANSWER_FAULTS = {
    "too_old": Fault(
        "answerCallbackQuery",
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    ),
    "bad_request": Fault("answerCallbackQuery", 400, "Bad Request: QUERY_ID_INVALID"),
    "server_error": Fault("answerCallbackQuery", 500, "Internal Server Error"),
}


@pytest.mark.parametrize("fault", [*ANSWER_FAULTS, "dropped_connection"])
async def test_failed_callback_answer_still_saves_and_replies(data_dir: Path, fault: str) -> None:
    async with running_bot(data_dir) as bot:
        chat = 9100
        card, title, data = await rate_card(bot, chat)
        if fault == "dropped_connection":  # a network error on the answer
            bot.server.chaos = Chaos(
                rate=1.0, weights={"drop": 1.0}, methods=frozenset({"answerCallbackQuery"})
            )
        else:
            bot.server.faults.append(ANSWER_FAULTS[fault])
        [saved] = await press_and_wait(bot, chat, card.message_id, data)
        bot.server.chaos = None
        answers = bot.server.calls_of("answerCallbackQuery")
        assert answers and not answers[-1].ok  # the fault really hit the answer
        assert saved.method == "editMessageText" and saved.text.startswith("Saved:"), saved.text
        assert bot.commands.store.ratings(chat) == {title: 4.0}
        no_apology(bot, chat)


@pytest.mark.parametrize(
    "gone",
    ["missing", "Bad Request: message can't be edited", "Bad Request: MESSAGE_ID_INVALID"],
)
async def test_reply_to_a_gone_message_goes_as_a_new_message(data_dir: Path, gone: str) -> None:
    async with running_bot(data_dir) as bot:
        chat = 9200
        card, title, data = await rate_card(bot, chat)
        message_id = card.message_id
        if gone == "missing":  # deleted: the fake answers "message to edit not found"
            del bot.server.messages[chat][message_id]
        else:
            bot.server.faults.append(Fault("editMessageText", 400, gone))
        [saved] = await press_and_wait(bot, chat, message_id, data)
        edits = bot.server.calls_of("editMessageText", chat)
        assert edits and not edits[-1].ok  # the edit was tried and refused
        assert saved.method == "sendMessage" and saved.text.startswith("Saved:"), saved.text
        assert last_keyboard(saved)  # the next card's stars come with it
        assert bot.commands.store.ratings(chat) == {title: 4.0}
        no_apology(bot, chat)


async def test_old_press_with_too_old_answer_and_gone_message(data_dir: Path) -> None:
    """A press made while the bot was down: the answer is refused and the message is gone."""
    async with running_bot(data_dir) as bot:
        chat = 9300
        card, title, data = await rate_card(bot, chat)
        bot.server.faults.append(ANSWER_FAULTS["too_old"])
        bot.server.faults.append(
            Fault("editMessageText", 400, "Bad Request: message can't be edited")
        )
        [saved] = await press_and_wait(bot, chat, card.message_id, data)
        assert saved.method == "sendMessage" and saved.text.startswith("Saved:")
        assert bot.commands.store.ratings(chat) == {title: 4.0}
        no_apology(bot, chat)


async def test_edit_network_error_after_saving_is_not_an_apology(data_dir: Path) -> None:
    async with running_bot(data_dir) as bot:
        chat = 9400
        card, title, data = await rate_card(bot, chat)
        bot.server.chaos = Chaos(
            rate=1.0, weights={"drop": 1.0}, methods=frozenset({"editMessageText"})
        )
        [saved] = await press_and_wait(bot, chat, card.message_id, data)
        bot.server.chaos = None
        assert saved.method == "sendMessage" and saved.text.startswith("Saved:")
        assert bot.commands.store.ratings(chat) == {title: 4.0}
        no_apology(bot, chat)


# ----- 8: one rule for user ids -------------------------------------------------------------


@pytest.fixture(scope="module")
def commands(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Commands]:
    store = sqlite_store(tmp_path_factory.mktemp("store") / "r.sqlite3")
    yield Commands(CatalogHolder(demo_data()), store)
    store.close()


EN = Person(user_id=6, chat_id=6, lang="en")
ANALYST = Person(user_id=1, chat_id=1, lang="en", is_admin=True)  # /top is for admins


async def text(commands: Commands, line: str, person: Person = EN) -> list[Reply]:
    return [r async for r in commands.on_text(person, line)]


async def press(commands: Commands, data: str, person: Person = EN) -> Reply:
    [reply] = [r async for r in commands.on_button(person, data)]
    return reply


@pytest.mark.parametrize("user", ["1234567890123", str(2**53 + 1), str(USER_ID_MAX)])
async def test_long_user_ids_within_the_rule_are_answered(commands: Commands, user: str) -> None:
    [top] = await text(commands, f"/top {user}", ANALYST)
    assert f"user {user}" in top.text and "Sorry" not in top.text
    # the pager carries the id: it must fit the callback schema
    pages = [b.data for row in top.keyboard or [] for b in row if b.data.startswith("v1|top")]
    assert pages and all(decode(data).fields[0] == user for data in pages), top.keyboard
    turned = await press(commands, pages[-1], ANALYST)
    assert f"user {user}" in turned.text
    [rec] = await text(commands, f"/recommend {user} ns1")
    assert f"User {user}" in rec.text or "could be several" in rec.text, rec.text


@pytest.mark.parametrize("user", [str(USER_ID_MAX + 1), "9" * 25, "1" * 5000, "-1", "12abc"])
async def test_user_ids_beyond_the_rule_get_a_clear_message(commands: Commands, user: str) -> None:
    # a leading number is a user of the ratings data; "-1 ns1" or "12abc ns1" is a title
    lines = [f"/top {user}", f"/recommend {user} ns1"] if user.isdigit() else [f"/top {user}"]
    for line in lines:
        [reply] = await text(commands, line, ANALYST)
        assert "is not a user id" in reply.text and str(USER_ID_MAX) in reply.text, reply.text
        assert len(reply.text) < 300  # the id is quoted capped, not in full


def test_one_user_id_rule_for_callbacks_and_api() -> None:
    from api.app import USER_ID_MAX as API_MAX

    assert API_MAX == USER_ID_MAX
    assert decode(encode("top", USER_ID_MAX, 0)).fields[0] == str(USER_ID_MAX)
    with pytest.raises(ExpiredMenu):
        decode(f"v1|top|{USER_ID_MAX + 1}|0")  # 19 digits, yet beyond the rule
    with pytest.raises(ExpiredMenu):
        decode(f"v1|rec|{'9' * 20}|ns1")


async def test_long_user_id_through_telegram(data_dir: Path) -> None:
    async with running_bot(data_dir) as bot:
        [reply] = await bot.say(ADMIN, "/top 1234567890123", "en")  # /top: admins only
        assert reply.ok and "Best picks for user 1234567890123" in reply.text
        [bad] = await bot.say(ADMIN, "/top 12345678901234567890", "en")
        assert "is not a user id" in bad.text
        no_apology(bot, ADMIN)


# ----- 13: capped echoes; groups answer only what is addressed to this bot -------------------


@pytest.mark.parametrize(
    "line",
    [
        "/platformcount " + "<" * 4000,
        "/maxduration " + "&" * 3000,
        "/scorecount " + "x" * 3000,
        "/search " + "<" * 4000,
        "/similar " + "a" * 4000,
        "/recommend 1 " + "<" * 4000,
        "/chart " + "<" * 4000,
        "<" * 4000,
    ],
)
async def test_unknown_words_are_echoed_capped(commands: Commands, line: str) -> None:
    [reply] = await text(commands, line)
    quoted = reply.text.split("“", 1)[1].split("”", 1)[0]
    assert len(plain_text(quoted)) == ECHO_MAX + 1 and quoted.endswith("…"), quoted
    assert len(split_html(reply.text)) == 1 and len(reply.text) < 800


def group_text(
    server: FakeTelegramServer, chat: int, text: str, user: int, reply_to: dict | None = None
) -> int:
    """Someone types in a supergroup (privacy mode off: the bot sees every message)."""
    message: dict[str, Any] = {
        "message_id": 50_000 + len(server.calls) + len(server.messages.get(chat, {})),
        "date": int(time.time()),
        "chat": {"id": chat, "type": "supergroup", "title": "Cine"},
        "from": server.user(user, "en"),
        "text": text,
    }
    if text.startswith("/"):
        command = text.split()[0]
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    if reply_to is not None:
        message["reply_to_message"] = reply_to
    return server.push_update({"message": message})


async def test_group_answers_only_what_is_addressed_to_this_bot(data_dir: Path) -> None:
    async with running_bot(data_dir) as bot:
        server, group, me = bot.server, -100123, BOT_USER["username"]
        ignored = ["/help@otherbot", "/top@OtherBot 1", "the office", "ns1", "/start@other_bot"]
        for words in ignored:
            group_text(server, group, words, user=77)
        group_text(server, group, f"/help@{me}", user=77)
        [help_reply] = await server.wait_outgoing(group, 1, timeout=60)
        # every update was handled (counted) before we look for replies that must not exist
        await server.wait_for(lambda: bot.commands.stats.updates >= len(ignored) + 1, 60)
        assert len(server.outgoing(group)) == 1 and "What I can do" in help_reply.text
        # a plain /command (Telegram sends it to every bot of the group) is answered
        group_text(server, group, "/platformcount netflix", user=77)
        await server.wait_outgoing(group, 2, timeout=60)
        # free text replying to one of our messages is a search
        ours = server.messages[group][help_reply.message_id]
        group_text(server, group, "the", user=77, reply_to=ours)
        [*_, found] = await server.wait_outgoing(group, 3, timeout=60)
        assert "titles match “the”" in found.text
        # free text replying to someone else is not
        other = {"message_id": 1, "date": 0, "chat": {"id": group, "type": "supergroup"},
                 "from": server.user(78, "en"), "text": "hi"}  # fmt: skip
        group_text(server, group, "the", user=77, reply_to=other)
        group_text(server, group, f"/help@{me.upper()}", user=77)
        await server.wait_outgoing(group, 4, timeout=60)
        await server.wait_for(lambda: bot.commands.stats.updates >= len(ignored) + 5, 60)
        assert len(server.outgoing(group)) == 4
        # a private chat still takes free text and /help@otherbot stays someone else's
        [private] = await bot.say(9600, "the", "en")
        assert "titles match “the”" in private.text
        server.send_text(9600, "/help@otherbot", "en")
        await bot.say(9600, "/start", "en")
        await server.wait_for(lambda: bot.commands.stats.updates >= len(ignored) + 8, 60)
        assert len(server.outgoing(9600)) == 2
        no_apology(bot, group)


# ----- 9: SQLite off the event loop ---------------------------------------------------------


async def test_a_write_waiting_on_the_lock_blocks_no_other_chat(data_dir: Path) -> None:
    """Another connection holds SQLite's write lock while one chat rates; another chat's
    /platformcount is answered while the lock is still held and the rating still waits; once
    the lock goes, the rating is committed and only then acknowledged."""
    async with running_bot(data_dir) as bot:
        store = bot.commands.store
        # A long wait, so the rating is still waiting whenever the other chat is answered,
        # however busy the machine (worker connections are opened on first use with it).
        store.busy_timeout = 600
        rater, other = 9700, 9701
        card, title, data = await rate_card(bot, rater)
        holder = sqlite3.connect(store.path, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")  # the write lock, as another process would
            before = len(bot.server.outgoing(rater))
            bot.server.press(rater, card.message_id, data, "en")
            await bot.server.wait_for(lambda: store.pending_writes == 1, timeout=60)
            [count] = await bot.say(other, "/platformcount netflix", "en")
            assert "Netflix" in count.text
            # answered while the write was still waiting for the lock: nothing said to the rater
            assert store.pending_writes == 1
            assert len(bot.server.outgoing(rater)) == before
            assert holder.in_transaction
        finally:
            holder.rollback()
            holder.close()
        [saved] = (await bot.server.wait_outgoing(rater, before + 1, timeout=60))[before:]
        assert saved.text.startswith("Saved:")
        assert store.ratings(rater) == {title: 4.0}
        no_apology(bot, rater)


async def test_store_async_calls_run_in_worker_threads(tmp_path: Path) -> None:
    store = sqlite_store(tmp_path / "r.sqlite3")
    try:
        loop_thread = threading.get_ident()
        seen: list[int] = []

        def spy(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
            if statement.lstrip().upper().startswith("INSERT"):
                seen.append(threading.get_ident())

        assert isinstance(store.db, SqliteDatabase)
        event.listen(store.db.engine, "before_cursor_execute", spy)
        event.listen(store.db.loop_engine, "before_cursor_execute", spy)
        assert await store.add_async(1, "ns1", 4.0) == 1
        assert seen and seen[0] != loop_thread
        # committed when add_async returned: a fresh connection sees it
        other = sqlite3.connect(store.path)
        assert other.execute("SELECT rating FROM ratings").fetchall() == [(4.0,)]
        other.close()
        assert await store.ratings_async(1) == {"ns1": 4.0}
    finally:
        store.close()


# ----- 10: a corrupt ratings database -------------------------------------------------------


def ratings_db(path: Path, people: int = 40, per_person: int = 60) -> Path:
    """A real ratings database spanning many pages, closed (WAL checkpointed away)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    store = sqlite_store(path)
    for person in range(people):
        for k in range(per_person):
            store.add(10_000 + person, f"ns{k}", 1 + k % 5)
    store.close()
    assert not Path(f"{path}-wal").exists()
    assert path.stat().st_size > 20 * 4096 or people * per_person < 1000
    return path


def damage_header(path: Path) -> None:
    with path.open("r+b") as f:
        f.write(b"this is not SQLite at all")  # over the 16-byte magic string


def damage_inner_pages(path: Path) -> None:
    """Keep page 1 (the header and the schema), overwrite every page after it."""
    size = path.stat().st_size
    with path.open("r+b") as f:
        f.seek(4096)
        f.write(bytes((i * 37 + 11) % 256 for i in range(size - 4096)))


def test_damaged_header_is_a_clear_error_naming_the_file(tmp_path: Path) -> None:
    db = ratings_db(tmp_path / "state" / "ratings.sqlite3")
    damage_header(db)
    with pytest.raises(StoreError) as caught:
        sqlite_store(db)
    assert str(db) in str(caught.value) and "mv " in str(caught.value)


@pytest.mark.parametrize("mode", ["telegram", "console"])
def test_damaged_header_stops_the_bot_with_one_clear_line(tmp_path: Path, mode: str) -> None:
    data_dir = data_copy(tmp_path / "data")
    db = ratings_db(data_dir / "state" / "ratings.sqlite3", people=5)
    damage_header(db)
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "TELEGRAM_BOT_TOKEN": "123:abc" if mode == "telegram" else "",
        # nothing listens there: the store must be refused before any network call
        "TELEGRAM_BASE_URL": "http://127.0.0.1:9/bot",
        "LOG_LEVEL": "WARNING",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=ROOT,
        env=env,
        input="",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    assert str(db) in done.stderr and "move the file aside" in done.stderr, done.stderr


async def test_damaged_pages_status_works_and_store_commands_say_unavailable(
    data_dir: Path,
) -> None:
    db = ratings_db(data_dir / "state" / "ratings.sqlite3")
    damage_inner_pages(db)
    async with running_bot(data_dir) as bot:
        chat = 9800
        [status] = await bot.say(ADMIN, "/status", "en")
        assert "Ratings store: UNAVAILABLE — quick_check:" in status.text, status.text
        assert "Data:" in status.text  # the rest of /status is there too
        unavailable = t("en", "store_unavailable")
        for command in ("/rate", "/foryou"):
            [reply] = await bot.say(chat, command, "en")
            assert reply.text == plain_text(unavailable), (command, reply.text)
        # a star press from an older card: nothing saved, and said so
        before = len(bot.server.outgoing(chat))
        bot.server.press(chat, 424242, "v1|rt|ns1|4", "en")
        [pressed] = (await bot.server.wait_outgoing(chat, before + 1, timeout=60))[before:]
        assert pressed.text == plain_text(unavailable)
        # commands that do not need the store keep working
        for command, expected in [
            ("/platformcount netflix", "Netflix"),
            ("/similar ns1", "Similar to"),
            ("/search the", "titles match “the”"),
            ("/help", "What I can do"),
        ]:
            [reply] = await bot.say(chat, command, "en")
            assert expected in reply.text, (command, reply.text)
        no_apology(bot, chat)


async def test_healthy_store_status_says_ok(data_dir: Path) -> None:
    ratings_db(data_dir / "state" / "ratings.sqlite3", people=3, per_person=5)
    async with running_bot(data_dir) as bot:
        [status] = await bot.say(ADMIN, "/status", "en")
        assert "Chat ratings: 15 (from 3 people)" in status.text
        assert "Ratings store: ok" in status.text


@pytest.mark.parametrize("score", [".1", "0,25", "0.00001", "4.99", "3.14159265"])
async def test_any_typed_score_finishes_the_wizard_like_the_full_command(
    commands: Commands, score: str
) -> None:
    """A score off the half-star grid rides in the wizard's callback data and gives the same
    count as the whole command typed at once."""
    [ask] = await text(commands, f"/scorecount {score}")
    netflix = next(b.data for row in ask.keyboard or [] for b in row if b.text == "Netflix")
    [years] = [r async for r in commands.on_button(EN, netflix)]
    year = next(b.data for row in years.keyboard or [] for b in row if b.text == "2020")
    done = await press(commands, year)
    [direct] = await text(commands, f"/scorecount netflix 2020 {score}")
    assert done.text == direct.text and "Sorry" not in done.text, (done.text, direct.text)
