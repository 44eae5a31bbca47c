"""The command logic without Telegram: real catalogue on demo data, Commands called directly."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from catalog.core import Catalog
from catalog.holder import CatalogHolder
from chat.callbacks import decode
from chat.commands import Commands
from chat.console import render, run_console
from chat.operations import Reloader
from chat.replies import MAX_TEXT, Person, Reply
from people import sqlite_store
from tests.fakes.botdata import demo_data
from tests.fakes.telegram_server import parse_html


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(demo_data())


@pytest.fixture
def commands(catalog: Catalog, tmp_path: Path) -> Commands:
    holder = CatalogHolder(demo_data(), catalog=catalog)
    return Commands(holder, sqlite_store(tmp_path / "r.sqlite3"), reloader=None)


ES = Person(user_id=5, chat_id=5, lang="es")
EN = Person(user_id=6, chat_id=6, lang="en")
ADMIN = Person(user_id=1, chat_id=1, lang="en", is_admin=True)


async def text(commands: Commands, person: Person, line: str) -> list[Reply]:
    return [r async for r in commands.on_text(person, line)]


async def press(commands: Commands, person: Person, data: str) -> Reply:
    [reply] = [r async for r in commands.on_button(person, data)]
    return reply


def check(reply: Reply) -> None:
    """What Telegram would demand of any reply."""
    assert len(reply.text) <= MAX_TEXT
    if reply.text:
        parse_html(reply.text)
    for row in reply.keyboard or []:
        for button in row:
            if button.url is not None:
                assert button.url.startswith("https://")
                continue
            assert len(button.data.encode()) <= 64
            decode(button.data)
            assert button.text and "&amp;" not in button.text


async def test_every_button_of_every_wizard_is_valid_and_answers(commands: Commands) -> None:
    """Walk every menu breadth-first (bounded) and press every button once."""
    [start] = await text(commands, EN, "/start")
    queue = [b.data for row in start.keyboard or [] for b in row]
    seen: set[str] = set()
    while queue and len(seen) < 400:
        data = queue.pop(0)
        if data in seen or data.startswith(("v1|rt|", "v1|ch|")):  # charts: test_bot_chart
            continue
        seen.add(data)
        reply = await press(commands, EN, data)
        check(reply)
        assert "expired" not in reply.text, data
        queue += [b.data for row in reply.keyboard or [] for b in row]
    assert len(seen) > 50
    assert commands.stats.errors == 0


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("/maxduration netflix 2020 min", "on Netflix from 2020"),
        ("/maxduration 2020 amazon prime", "on Amazon Prime Video from 2020"),
        ("/maxduration disney+ seasons", "with most seasons on Disney+"),
        ("/maxduration 1850", "No title matches"),
        ("/maxduration 12345", "is not a valid year"),
        ("/maxduration netflix netflix", "You gave two platforms: “netflix” and “netflix”"),
        ("/maxduration 2019 2020", "You gave two years: “2019” and “2020”"),
        ("/maxduration 2020.5", "“2020.5” is not a valid year"),
        ("/maxduration 2020 movie", "The longest movie from 2020"),
        ("/maxduration 2020 series", "with most seasons from 2020"),
        ("/maxduration all 2020 película", "The longest movie from 2020"),
        ("/maxduration 3", "“3” doesn't fit here. It goes like this: /maxduration [year]"),
        ("/platformcount hulu 2020", "“2020” doesn't fit here"),
        ("/platformcount any", "All:"),
        ("/actor all 2020", "“all” doesn't fit here"),
        ("/scorecount Netflix 3,5 2019", "scored above 3.5"),
        ("/scorecount netflix 7 2019", "is not a valid score"),
        ("/scorecount hbo 3 2019", "I don't know the platform “hbo”"),
        ("/scorecount netflix 2019", "Scored above…?"),
        ("/actor h 2018", "on Hulu in 2018"),
        ("/actor 2018", "Which platform?"),
        ("/actor netflix", "Which year?"),
        ("/platformcount N", "Netflix:"),
        ("/platformcount all", "All:"),
        ("/recommend 1 ns1", "User 1 and"),
        ("/recommend 99999999 ns1", "user 99999999 has no ratings in the model"),
        ("/recommend ns1", "I need a few of your ratings first"),
        # no title is called that: said first, before asking for ratings (issue 22)
        ("/recommend abc ns1", "I can't find any title like “abc ns1”"),
        ("/recommend 1 qqqqzzzzxxxx", "I can't find any title"),
        ("/top 1", "I don't know that command"),  # an analyst's tool: admins only
        ("/similar ns1", "Similar to"),
        ("/search <b>&amp;", "I can't find any title like “<b>&amp;”"),
        ("/START@streamrec_test_bot", "Hi!"),
        ("/ayuda", "What I can do"),
    ],
)
async def test_commands_answer(commands: Commands, line: str, fragment: str) -> None:
    from chat.replies import plain_text

    replies = await text(commands, EN, line)
    assert len(replies) == 1
    check(replies[0])
    assert fragment in plain_text(replies[0].text), replies[0].text


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("/top 1", "Best picks for user 1"),
        ("/top 1 2", "/top <user>"),
        ("/top x1", "“x1” is not a user id"),
        ("/top", "Best picks for which user of the ratings data?"),
    ],
)
async def test_admin_analyst_commands(commands: Commands, line: str, fragment: str) -> None:
    from chat.replies import plain_text

    [reply] = await text(commands, ADMIN, line)
    check(reply)
    assert fragment in plain_text(reply.text), reply.text


async def test_ambiguous_title_offers_buttons(commands: Commands, catalog: Catalog) -> None:
    [reply] = await text(commands, EN, "/recommend 1 the")
    assert "could be several titles" in reply.text and reply.keyboard
    check(reply)
    chosen = await press(commands, EN, reply.keyboard[0][0].data)
    assert "User 1 and" in chosen.text and chosen.edit


async def test_rating_flow_and_foryou(commands: Commands) -> None:
    [first] = await text(commands, ES, "/rate")
    assert first.keyboard
    offered = first.keyboard[0][0].data.split("|")[2]
    saved = await press(commands, ES, first.keyboard[0][3].data)  # 4 stars
    assert "Guardado" in saved.text and saved.toast == "Guardado"
    assert commands.store.ratings(ES.user_id) == {offered: 4.0}
    assert offered not in saved.keyboard[0][0].data  # next title is another one
    skipped = await press(commands, ES, saved.keyboard[1][0].data)
    assert "Saltado" in skipped.text
    [mine] = await text(commands, ES, "/foryou")
    assert "según tu 1 puntuación (" in mine.text and "Con 2 puntuaciones más" in mine.text
    [pager] = [row for row in mine.keyboard if row[-1].text == "»"]
    nxt = await press(commands, ES, pager[-1].data)
    assert "(2/" in nxt.text


async def test_rate_offers_the_most_informative_title_not_yet_seen(
    commands: Commands, catalog: Catalog
) -> None:
    # the model's onboarding order (well known, what fold-in learns most from; model/onboarding.py)
    first, second, third = (ref.id for ref in catalog.to_rate(3))
    [reply] = await text(commands, EN, "/rate")
    assert reply.keyboard[0][0].data == f"v1|rt|{first}|1|u{EN.user_id}"
    reply = await press(commands, EN, reply.keyboard[0][4].data)  # 5 stars for the first
    assert reply.keyboard[0][0].data == f"v1|rt|{second}|1|u{EN.user_id}"
    reply = await press(commands, EN, reply.keyboard[1][0].data)  # skip the second
    assert reply.keyboard[0][0].data == f"v1|rt|{third}|1|u{EN.user_id}"
    [reply] = await text(commands, EN, "/rate")  # a new /rate continues where it was
    assert reply.keyboard[0][0].data == f"v1|rt|{third}|1|u{EN.user_id}"


async def test_admin_commands(commands: Commands, catalog: Catalog) -> None:
    [denied] = await text(commands, EN, "/reload")
    assert denied.text == "I don't know that command. /help shows what I can do."
    [status] = await text(commands, ADMIN, "/status")
    assert "Data:" in status.text and "Uptime" in status.text
    # what training chose and why, from svd.json (issue 12)
    assert "Algorithm: surprise.SVD" in status.text
    assert "Chosen: no search (--no-search)" in status.text

    def broken() -> Catalog:
        raise RuntimeError("processed/titles.parquet is corrupt")

    commands.reloader = Reloader(commands.holder, broken)
    start, done = await text(commands, ADMIN, "/reload")
    assert "Reloading" in start.text
    assert "The reload failed" in done.text and "corrupt" in done.text
    assert commands.holder.current is catalog

    def no_model() -> Catalog:
        return Catalog.load(demo_data(), recommender_loader=_no_model)

    commands.reloader = Reloader(commands.holder, no_model)
    _, done = await text(commands, ADMIN, "/reload")
    assert "The reload failed" in done.text and "broken model" in done.text
    assert commands.holder.current is catalog

    commands.reloader = Reloader(commands.holder, lambda: Catalog.load(demo_data()))
    _, done = await text(commands, ADMIN, "/reload")
    assert "Reload done" in done.text and commands.holder.current is not catalog


def _no_model(*args: object) -> object:
    raise RuntimeError("broken model")


async def test_console_numbers_press_buttons(commands: Commands) -> None:
    stdin = io.StringIO("/start\n4\n4\n/help\n\n/quit\n/never-read\n")
    stdout = io.StringIO()
    assert await run_console(commands, ES, stdin, stdout) == 0
    out = stdout.getvalue()
    assert "[4] ⏱ Más largo" in out
    assert "¿Qué plataforma?" in out and "¿De qué año?" in out  # 4 = Más largo, 4 = Netflix
    assert "Qué puedo hacer" in out and "never-read" not in out


def test_render_numbers_buttons_across_rows() -> None:
    from chat.replies import Button

    text, data = render(Reply("<b>x</b> &amp; y", [[Button("a", "1")], [Button("b", "2")]]))
    assert text == "x & y\n[1] a\n[2] b" and data == {"1": "1", "2": "2"}


def test_render_keys_a_button_standing_for_a_number_by_that_number() -> None:
    """Issue 22 (console parity): "4" typed at "Scored above…?" is 4, as in Telegram, not the
    fourth button ("> 3")."""
    from chat.replies import Button

    scores = [Button(f"> {s}", f"d{s}", typed=s) for s in ("2", "2,5", "3", "3,5", "4")]
    text, data = render(Reply("?", [scores, [Button("Any", "any")]]))
    assert text == "?\n[2] > 2  [2,5] > 2,5  [3] > 3  [3,5] > 3,5  [4] > 4\n[1] Any"
    assert data == {"2": "d2", "2.5": "d2,5", "3": "d3", "3.5": "d3,5", "4": "d4", "1": "any"}
