"""Unit tests of the bot's pure parts: callbacks, HTML splitting, i18n, logging redaction,
settings, the ratings store."""

from __future__ import annotations

import csv
import logging
import re
import sqlite3
import string
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import locales
from bot.logging_setup import REDACTED, setup_logging
from bot.settings import Settings
from chat.callbacks import SCHEMA, ExpiredMenu, decode, encode, id_field, tokens_of
from chat.i18n import lang_of, t
from chat.registry import REGISTRY
from chat.replies import Html, esc, plain_text, split_html
from locales import number, percent
from people import sqlite_store
from tests.fakes.telegram_server import ApiError, parse_html

# ----- callbacks -------------------------------------------------------------------------


def test_callbacks_round_trip() -> None:
    for action, fields in [
        ("md", (0, "n", "2020", "m")),
        ("sc", (3, "h", "_", "_")),
        ("rt", ("ns8807", 5)),
        ("rec", (123456789012, "as1")),
        ("noop", ()),
    ]:
        data = encode(action, *fields)
        cb = decode(data)
        assert cb.action == action and cb.fields == tuple(str(f) for f in fields)
        assert len(data.encode()) <= 64


def test_encode_refuses_our_own_mistakes() -> None:
    with pytest.raises(ValueError):
        encode("md", 0, "netflix", "_", "_")  # a full name where a code belongs
    with pytest.raises(ValueError):
        encode("nope")
    with pytest.raises(ValueError):
        encode("md", 0, "n", "2020", "m", owner=5)  # not a personal button: no owner


@pytest.mark.parametrize("title_id", ["ns-dash1", "nsé|2", "n" + "1" * 41, "a" + "x" * 300, "n|v1"])
def test_any_id_makes_bounded_callback_data_that_finds_it_again(title_id: str) -> None:
    """Issue 23.1: an id of any shape (it came from a CSV) is written as a token of fixed
    length, and the token leads back to that id and no other."""
    for action, fields in [("card", (title_id,)), ("rt", (title_id, 5)), ("sim", (title_id, 3)),
                           ("rec", (123456789012, title_id)), ("wr", (title_id, 2))]:  # fmt: skip
        data = encode(action, *fields, owner=99 if action in ("rt", "wr") else None)
        assert 1 <= len(data.encode()) <= 64 and data.isascii()
        cb = decode(data)
        assert title_id not in cb.fields  # never carried as it is
        if action == "wr":  # a watchlist's id: its handler looks it up on the watchlist
            assert cb.fields[0] == id_field(title_id) != id_field("nsé|3")
            continue
        cb = cb.with_titles(tokens_of([title_id, "as1", "nsé|3"]).get)
        assert title_id in cb.fields
    with pytest.raises(ExpiredMenu):  # a token no title of this catalogue has
        decode(encode("card", title_id)).with_titles(tokens_of(["as1"]).get)


def test_personal_buttons_carry_their_owner() -> None:
    cb = decode(encode("forget", "yes", owner=123456789))
    assert cb.owner == 123456789 and cb.fields == ("yes",)
    assert decode("v1|forget|yes").owner is None  # made before owners: still understood
    with pytest.raises(ExpiredMenu):
        decode("v1|card|as1|u5")  # a card is nobody's: no owner field


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=80), st.binary(max_size=80).map(lambda b: b.decode("latin-1"))))
def test_decode_accepts_only_what_encode_makes(data: str) -> None:
    try:
        cb = decode(data)
    except ExpiredMenu:
        return
    assert encode(cb.action, *cb.fields, owner=cb.owner) == data


@given(st.sampled_from(sorted(SCHEMA)), st.lists(st.text("|v1_*0123456789adhnms.", max_size=6)))
def test_decode_fuzz_structured(action: str, fields: list[str]) -> None:
    data = "|".join(["v1", action, *fields])
    try:
        cb = decode(data)
    except ExpiredMenu:
        return
    assert cb.action == action


# ----- HTML ------------------------------------------------------------------------------


def test_esc_and_t_escape_values_but_not_templates() -> None:
    text = t("en", "not_found", text="<script>&")
    assert "&lt;script&gt;&amp;" in text
    parse_html(text)  # Telegram would accept it
    assert esc(Html("<b>x</b>")) == "<b>x</b>"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(string.printable + "áé€😀", max_size=300), max_size=60))
def test_split_html_chunks_fit_and_keep_every_line(lines: list[str]) -> None:
    text = "\n".join(f"<b>{esc(line)}</b>" for line in lines)
    chunks = split_html(text, limit=500)
    for chunk in chunks:
        assert len(chunk) <= 500
        parse_html(chunk)  # each chunk is still well-formed
    assert plain_text("\n".join(chunks)).split() == plain_text(text).split()


def test_fake_server_rejects_what_telegram_rejects() -> None:
    for bad in ["<b>open", "a < b", "fish & chips", "<div>x</div>"]:
        with pytest.raises(ApiError):
            parse_html(bad)
    assert parse_html("<b>a</b> &lt; &amp; <i>c</i>") == "a < & c"


# ----- i18n ------------------------------------------------------------------------------


def test_every_string_in_both_languages_with_the_same_placeholders() -> None:
    en, es = locales.messages("bot", "en"), locales.messages("bot", "es")
    assert en.names() == es.names() and len(en.names()) > 100
    assert set(en.plurals) == set(es.plurals)
    for key in en.names():
        templates = [form for m in (en, es) for form in (m.plurals.get(key) or (m.singular[key],))]
        fields = {
            tuple(sorted(f for _, f, _, _ in string.Formatter().parse(x) if f)) for x in templates
        }
        assert len(fields) == 1, key
        for x in templates:
            if not key.startswith("cmd_"):  # command syntax is plain text ("<platform>")
                parse_html(x.replace("{", "").replace("}", ""))
    for lang in ("es", "en"):
        menu = REGISTRY.menu(lang)
        assert len(menu) == len(REGISTRY.menu("en"))
        for name, desc in menu:
            assert re.fullmatch(r"[a-z0-9_]{1,32}", name) and 1 <= len(desc) <= 256


@pytest.mark.parametrize(
    ("code", "lang"),
    [("en", "en"), ("en-US", "en"), ("EN", "en"), ("es", "es"), ("pt-br", "es"), (None, "es")],
)
def test_lang_of(code: str | None, lang: str) -> None:
    assert lang_of(code) == lang


def test_numbers_per_language() -> None:
    assert number("en", 12345.5, 1) == "12,345.5"
    assert number("es", 12345.5, 1) == "12.345,5"


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(st.integers(-(10**12), 10**12), st.floats(-1e9, 1e9, allow_nan=False)),
    st.integers(0, 3),
    st.sampled_from(["en", "es"]),
)
def test_numbers_are_babels(value: float, digits: int, lang: str) -> None:
    """locales.number is Babel's `#,##0.0…` pattern in the person's locale, only faster."""
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    assert number(lang, value, digits) == format_decimal(value, format=pattern, locale=lang)


def test_percent_per_language() -> None:
    # Spanish puts a no-break space before the sign (CLDR, RAE), as the chart findings do.
    assert percent("en", 85.4) == "85%"
    assert percent("es", 85.4) == "85\u00a0%"
    assert percent("es", 1234.0) == "1.234\u00a0%"


# ----- logging ---------------------------------------------------------------------------

SECRET = "555:REDACT-ME-please-0123456789"


def test_redaction_covers_message_args_and_traceback(capsys: pytest.CaptureFixture) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level, logging.getLogRecordFactory()
    for h in root.handlers[:]:
        root.removeHandler(h)
    try:
        handler = logging.StreamHandler(sys.stderr)
        root.addHandler(handler)
        setup_logging("DEBUG", [SECRET])
        log = logging.getLogger("anything")
        log.info("url https://api.telegram.org/bot%s/getMe", SECRET)
        log.info(f"inline {SECRET}")
        try:
            raise RuntimeError(f"failed calling /bot{SECRET}/sendMessage")
        except RuntimeError:
            log.exception("with traceback")
        logging.getLogger("httpx").info("POST /bot%s/getUpdates", SECRET)
        err = capsys.readouterr().err
        assert SECRET not in err and "REDACT-ME" not in err
        assert err.count(REDACTED) >= 3 and "Traceback" in err
        assert logging.getLogger("httpx").level == logging.WARNING
    finally:
        setup_logging("WARNING", [])
        for h in root.handlers[:]:
            root.removeHandler(h)
        for h in saved[0]:
            root.addHandler(h)
        root.setLevel(saved[1])
        logging.setLogRecordFactory(saved[2])


# ----- settings --------------------------------------------------------------------------


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_IDS", "1, 2 3")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    monkeypatch.setenv("BOT_CONCURRENCY", "8")
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert s.admin_ids == {1, 2, 3}
    assert s.token is None and s.bot_concurrency == 8
    assert s.ratings_db == Path("data/state/ratings.sqlite3")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", SECRET)
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert s.token == SECRET and SECRET in s.secrets()
    assert SECRET not in repr(s)


# ----- ratings store ---------------------------------------------------------------------


def test_ratings_store_persists_and_exports(tmp_path: Path) -> None:
    db = tmp_path / "state" / "r.sqlite3"
    store = sqlite_store(db)
    big_id = 7_000_000_000  # Telegram ids outgrow int32
    assert store.add(big_id, "ns1", 4) == 1
    assert store.add(big_id, "ns1", 5) == 1  # re-rating replaces
    assert store.add(big_id, "as2", 3) == 2
    store.skip(big_id, "hs3")
    store.add(12, "ns1", 2)
    store.close()
    store = sqlite_store(db)  # a restart
    assert store.ratings(big_id) == {"ns1": 5.0, "as2": 3.0}
    assert store.seen(big_id) == {"ns1", "as2", "hs3"}
    assert store.count() == 3 and store.people() == 2
    store.close()
    wal = sqlite3.connect(db)  # a connection of its own: WAL is the file's mode
    assert wal.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    wal.close()
    out = tmp_path / "export" / "ratings.csv"
    assert store.export_csv(out) == 3
    rows = list(csv.DictReader(out.open()))
    assert list(rows[0]) == ["userId", "rating", "timestamp", "movieId"]
    assert {int(r["userId"]) for r in rows} == {1_000_000_001, 1_000_000_002}
    assert all(int(r["userId"]) < 2**31 for r in rows)
    with pytest.raises(Exception, match="CHECK"):
        store.add(1, "x1", 9)


# ----- what the bot remembers per person (chat/pending.py) ------------------------------------


def test_a_question_is_answered_once_and_forgotten_after_its_time() -> None:
    from chat.pending import PendingQuestions, Question

    now = [0.0]
    pending = PendingQuestions(ttl=60, max_people=2, clock=lambda: now[0])
    pending.ask(1, Question("similar"))
    assert pending.take(1) == Question("similar") and pending.take(1) is None  # once
    pending.ask(1, Question("search"))
    now[0] = 61.0
    assert pending.take(1) is None  # too old
    for person in (1, 2, 3):  # the oldest goes past the bound
        pending.ask(person, Question("watch"))
    assert len(pending) == 2 and pending.take(1) is None and pending.take(3) is not None
