"""/chart: the EDA charts as photos — command logic, console, and end to end through the fake
Bot API (a real sendPhoto with a real PNG and its finding as caption)."""

from __future__ import annotations

import asyncio
import io
import re
import shutil
import struct
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from aiohttp import web

from catalog.core import Catalog
from catalog.holder import CatalogHolder
from charts import ratings_summary_to_json, summarize_ratings
from chat.commands import Commands
from chat.console import render, run_console
from chat.features.charts import chart_caption
from chat.replies import Person, Reply, utf16_len
from locales import number
from people import sqlite_store
from tests.fakes.botdata import data_copy, demo_data
from tests.fakes.harness import ADMIN, TOKEN, button_data, last_keyboard, running_bot
from tests.fakes.telegram_server import FakeTelegramServer, parse_html

pytestmark = pytest.mark.timeout(120)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EN = Person(user_id=6, chat_id=6, lang="en")
ES = Person(user_id=5, chat_id=5, lang="es")
ADMIN_PERSON = Person(user_id=1, chat_id=1, lang="en", is_admin=True)


def with_reports(dest: Path) -> Path:
    """A private demo data dir with reports/etl.json and the EDA's ratings summary."""
    data = data_copy(dest)
    shutil.copytree(demo_data() / "reports", data / "reports", dirs_exist_ok=True)
    ratings = pd.read_parquet(data / "processed" / "ratings.parquet", columns=["userId", "rating"])
    text = ratings_summary_to_json(*summarize_ratings(ratings))
    (data / "reports" / "eda_ratings.json").write_text(text, encoding="utf-8")
    return data


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR, which must be its first chunk."""
    assert png[:8] == PNG_SIGNATURE
    assert png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return with_reports(tmp_path_factory.mktemp("chart") / "data")


@pytest.fixture
def commands(data_dir: Path, tmp_path: Path) -> Commands:
    return Commands(CatalogHolder(data_dir), sqlite_store(tmp_path / "r.sqlite3"))


async def text(commands: Commands, person: Person, line: str) -> list[Reply]:
    return [r async for r in commands.on_text(person, line)]


async def press(commands: Commands, person: Person, data: str) -> Reply:
    [reply] = [r async for r in commands.on_button(person, data)]
    return reply


# ----- the command logic ----------------------------------------------------------------------


async def test_chart_without_a_name_offers_every_available_chart(commands: Commands) -> None:
    [menu] = await text(commands, EN, "/chart")
    parse_html(menu.text)
    data = [b.data for row in menu.keyboard or [] for b in row]
    names = [d.split("|")[2] for d in data]
    # every chart of the report, the ratings ones too (eda_ratings.json); the data-quality
    # ones (missing values, ETL anomalies) only for admins
    assert names[:2] == ["platforms", "release_years"]
    assert {"ratings", "votes_per_user", "score_vs_votes"} <= set(names)
    assert not {"anomalies", "missing"} & set(names)
    assert all(len(d.encode()) <= 64 for d in data)
    [admin] = await text(commands, ADMIN_PERSON, "/chart")
    assert {"anomalies", "missing"} <= {b.data.split("|")[2] for row in admin.keyboard for b in row}
    [hidden] = await text(commands, EN, "/chart anomalies")
    assert hidden.photo is None and "I have no chart" in hidden.text
    assert (await press(commands, EN, "v1|ch|missing")).text.startswith("This menu has expired")
    [es] = await text(commands, ES, "/grafico")
    assert es.keyboard[0][0].text == "📊 Títulos por plataforma y tipo"


async def test_chart_by_name_is_a_photo_with_its_finding(commands: Commands) -> None:
    [reply] = await text(commands, EN, "/chart Release-Years")
    assert reply.photo is not None
    width, height = png_size(reply.photo)
    assert width > 500 and height > 300 and len(reply.photo) > 10_000
    parse_html(reply.text)
    assert reply.text.startswith("<b>📊 Release years per platform</b>\n")
    assert "median release year" in reply.text
    assert utf16_len(reply.text) <= 1024


async def test_the_finding_is_in_the_person_s_language(commands: Commands) -> None:
    """Spanish people get the Spanish finding, English people the English one: same numbers,
    same photo, one render."""
    [es] = await text(commands, ES, "/grafico platforms")
    [en] = await text(commands, EN, "/chart platforms")
    assert es.photo is not None and es.photo == en.photo
    assert commands.charts.renders == 1
    for reply in (es, en):
        parse_html(reply.text)
        assert utf16_len(reply.text) <= 1024
    assert es.text.startswith("<b>📊 Títulos por plataforma y tipo</b>\n")
    assert " reúne el " in es.text and "\u00a0%" in es.text and "800 títulos" in es.text
    assert "carries" not in es.text
    assert en.text.startswith("<b>📊 Titles per platform and type</b>\n")
    assert " carries " in en.text and "of all 800 titles" in en.text and "títulos" not in en.text
    rendered = await commands.charts.render(commands.catalog, "platforms")
    assert es.text.endswith(rendered.findings["es"]) and en.text.endswith(rendered.findings["en"])

    # every chart: the Spanish caption is Spanish (and within Telegram's limits)
    for name in commands.charts.available(commands.catalog):  # as admins: every chart
        [es] = await text(commands, replace(ADMIN_PERSON, lang="es"), f"/chart {name}")
        [en] = await text(commands, ADMIN_PERSON, f"/chart {name}")
        assert es.photo == en.photo and es.text != en.text, name
        parse_html(es.text)
        assert utf16_len(es.text) <= 1024
        finding = es.text.split("\n", 1)[1]
        english = r"\b(carries|median|longest|average|appears|additions|emptiest|counted)\b"
        assert not re.search(english, finding), (name, finding)
        assert not re.search(r"\d\.\d\d?(?!\d)|\d%", finding), (name, finding)
    [menu] = await text(commands, ES, "/chart")
    assert "inglés" not in menu.text


def test_charts_write_numbers_like_the_bot() -> None:
    """charts cannot import bot: its Spanish number format is a copy of i18n.number's."""
    from charts.findings import Numbers

    for lang in ("es", "en"):
        for value, digits in [(0, 0), (7, 0), (1500, 0), (22998, 0), (1234567, 0), (3.456, 2)]:
            assert Numbers(lang).num(value, digits) == number(lang, value, digits)
        assert Numbers(lang).count(22998.9) == number(lang, 22998)


async def test_unknown_chart_lists_the_names(commands: Commands) -> None:
    [reply] = await text(commands, EN, "/chart <b>pie</b>")
    assert reply.photo is None
    assert "I have no chart “&lt;b&gt;pie&lt;/b&gt;”" in reply.text
    assert "platforms, release_years" in reply.text
    parse_html(reply.text)
    [es] = await text(commands, ES, "/chart tarta")
    assert "No tengo el gráfico «tarta»" in es.text
    assert "plataformas, estrenos, duraciones" in es.text and "/grafico" in es.text
    # Spanish names, with or without accents, draw the same chart
    for name in ("plataformas", "Géneros", "generos", "países"):
        [photo] = await text(commands, ES, f"/grafico {name}")
        assert photo.photo is not None, name


async def test_charts_are_cached_and_drawn_one_at_a_time(commands: Commands) -> None:
    first, second = await asyncio.gather(
        text(commands, EN, "/chart platforms"), text(commands, ES, "/chart platforms")
    )
    assert first[0].photo == second[0].photo
    await text(commands, EN, "/chart platforms")
    assert commands.charts.renders == 1
    commands.holder.current = Catalog.load(commands.holder.data_dir)  # same data, same version
    await text(commands, EN, "/chart platforms")
    assert commands.charts.renders == 1


async def test_chart_buttons_and_forged_ones(commands: Commands) -> None:
    [menu] = await text(commands, EN, "/start")
    chart_menu = await press(commands, EN, "v1|menu|chart")
    assert chart_menu.edit and chart_menu.keyboard
    assert any(b.data == "v1|menu|chart" for row in menu.keyboard or [] for b in row)
    photo = await press(commands, EN, "v1|ch|maturity")
    assert photo.photo is not None and "Maturity ratings" in photo.text
    for forged in ("v1|ch|nonexistent", "v1|ch|Platforms", "v1|ch|"):
        reply = await press(commands, EN, forged)
        assert reply.photo is None and "expired" in reply.text


def test_caption_is_escaped_and_cut_to_telegram_s_limit() -> None:
    caption = chart_caption("📊 Title <x>", "a < b & " + "é😀" * 800)
    parse_html(caption)
    assert "&lt;" in caption and "&amp;" in caption and caption.endswith("…")
    visible = caption.replace("<b>", "").replace("</b>", "")
    visible = visible.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert utf16_len(visible) <= 1024


async def test_console_saves_the_photo_and_prints_its_path(commands: Commands) -> None:
    out = io.StringIO()
    await run_console(commands, EN, io.StringIO("/chart platforms\n"), out)
    line = next(x for x in out.getvalue().splitlines() if x.startswith("[image saved to "))
    path = Path(line.removeprefix("[image saved to ").rstrip("]"))
    try:
        assert path.read_bytes().startswith(PNG_SIGNATURE)
    finally:
        path.unlink()
    text_only, _ = render(Reply("hi"))
    assert text_only == "hi"


# ----- end to end: the real Application against the fake Bot API ------------------------------


class PhotoKeepingServer(FakeTelegramServer):
    """The fake server, also keeping the bytes of every uploaded photo (by message order)."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.photos: list[bytes] = []

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params = await super()._params(request)
        if request.method == "POST" and request.content_type.startswith("multipart/"):
            form = await request.post()  # aiohttp caches the parsed form
            field = form.get("photo")
            if isinstance(field, web.FileField):
                field.file.seek(0)
                self.photos.append(field.file.read())
        return params


@pytest.mark.parametrize("lang", ["en", "es"])
async def test_chart_end_to_end_sends_a_png_photo_with_the_caption(
    tmp_path: Path, lang: str
) -> None:
    data = with_reports(tmp_path / "data")
    server = PhotoKeepingServer(TOKEN)
    await server.start()
    try:
        async with running_bot(data, server=server) as bot:
            chat = 700
            # /chart <name>: straight to the photo
            [sent] = await bot.say(chat, "/chart platforms", lang)
            assert sent.method == "sendPhoto" and sent.ok
            assert sent.params["photo"]["size"] == len(server.photos[-1])
            width, height = png_size(server.photos[-1])
            assert width > 500 and height > 300
            label = "Titles per platform and type" if lang == "en" else "Títulos por plataforma"
            finding = "of all 800 titles" if lang == "en" else "de los 800 títulos"
            assert label in sent.text and finding in sent.text
            assert sent.params["parse_mode"] == "HTML"

            # while it is drawn the chat shows "sending a photo…"
            actions = bot.server.calls_of("sendChatAction", chat)
            assert actions and actions[-1].params["action"] == "upload_photo"
            # the data-quality charts are for admins: not in a person's keyboard
            [menu] = await bot.say(chat, "/chart", lang)
            assert menu.method == "sendMessage" and len(last_keyboard(menu)) >= 8
            assert "Anomal" not in str(last_keyboard(menu))
            # an admin's keyboard has them; a press sends the photo
            chat = ADMIN
            [menu] = await bot.say(chat, "/chart", lang)
            data_ = button_data(menu, "Anomal")
            out = await bot.press(chat, menu.message_id, data_, lang)
            photos = [c for c in out if c.method == "sendPhoto"]
            assert len(photos) == 1 and photos[0].ok
            assert server.photos[-1].startswith(PNG_SIGNATURE)
            assert "anomal" in photos[0].text.lower()
            # the finding in the person's language, with a real plural (not "1 kind(s)")
            one_kind = "of 1 kind," if lang == "en" else "de 1 tipo,"
            assert one_kind in photos[0].text and "(s)" not in photos[0].text
            assert bot.commands.stats.errors == 0
    finally:
        await server.stop()


async def test_chart_is_in_the_command_menus(tmp_path: Path) -> None:
    async with running_bot(data_copy(tmp_path / "data")) as bot:
        menus = bot.server.calls_of("setMyCommands")
        # each menu names it in its language: /chart in English, /grafico in Spanish
        named = {"en": "chart", "es": "grafico", None: "grafico"}
        assert menus and all(
            any(
                c["command"] == named[call.params.get("language_code")]
                for c in call.params["commands"]
            )
            for call in menus
        )
        [help_] = await bot.say(800, "/help", "en")
        assert "/chart [name]" in help_.text
