"""End to end: the real Application polls the fake Bot API over HTTP; real catalogue and model
built from demo data by the real ETL and training."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from chat.callbacks import encode
from tests.fakes.botdata import data_copy
from tests.fakes.harness import ADMIN, button_data, last_keyboard, running_bot
from tests.fakes.telegram_server import Fault

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return data_copy(tmp_path / "data")


# (command, a fragment of the Spanish reply, a fragment of the English reply)
WITH_ARGS = [
    ("/start", "¡Hola", "Hi"),
    ("/help", "Qué puedo hacer", "What I can do"),
    ("/maxduration 2020 netflix", "La película más larga en Netflix de 2020", "longest movie"),
    ("/maxduration season", "La serie con más temporadas", "show with most seasons"),
    ("/scorecount netflix 3.5 2019", "películas de Netflix de 2019", "Netflix movies from 2019"),
    ("/platformcount prime", "Amazon Prime Video:", "Amazon Prime Video:"),
    ("/platformcount todas", "Todas:", "All:"),
    ("/actor netflix 2019", "El actor más frecuente en Netflix", "most frequent actor on Netflix"),
    ("/recommend 1 ns1", "Usuario 1", "User 1"),
    ("/top 1", "No conozco ese comando", "I don't know that command"),  # admins only
    ("/search the", "títulos coinciden con «the»", "titles match “the”"),
    ("/similar ns1", "Parecidos a", "Similar to"),
    ("/rate", "¿Qué nota le das?", "How would you rate it?"),
    ("/foryou", "Aún no has puntuado", "You haven't rated"),
    ("/browse netflix comedy", "Comedia · Netflix:", "Comedy · Netflix:"),
    ("/explorar series 90s", "Series · los años 1990:", "Shows · the 1990s:"),
    ("/browse all 2010s 3.5+", "los años 2010 · 3,5★ o más: ", "the 2010s · 3.5★ or more: "),
    ("/explorar todas", " votos)", " votes)"),  # each score says how many votes it stands on
]
WITHOUT_ARGS = [
    ("/maxduration", "¿Qué plataforma?", "Which platform?"),
    ("/scorecount", "¿Qué plataforma?", "Which platform?"),
    ("/platformcount", "¿Qué plataforma?", "Which platform?"),
    ("/actor", "¿Qué plataforma?", "Which platform?"),
    # commands tapped in the menu arrive bare: they ask back (the next message answers)
    ("/recommend", "¿Qué título? Te digo si te gustaría", "Which title? I'll tell you whether"),
    ("/search", "¿Qué título buscas?", "Which title are you looking for?"),
    ("/similar", "¿Parecidos a qué título?", "Titles similar to which one?"),
    ("/rate", "¿Qué nota le das?", "How would you rate it?"),
    ("/chart", "¿Cuál quieres ver?", "Which one would you like to see?"),
    ("/browse", "¿Qué plataforma?", "Which platform?"),
    ("/language", "¿En qué idioma te hablo?", "Which language should I speak?"),
    ("/mydata", "No guardo nada de ti", "I store nothing about you"),
    ("/deletemydata", "No guardo nada de ti", "I store nothing about you"),
    ("/nonsense", "No conozco ese comando", "I don't know that command"),
]


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_every_command_with_and_without_arguments(data_dir: Path, lang: str) -> None:
    async with running_bot(data_dir) as bot:
        for chat, (command, es, en) in enumerate(WITH_ARGS + WITHOUT_ARGS, start=500):
            [reply] = await bot.say(chat, command, lang)
            assert reply.ok
            expected = es if lang == "es" else en
            assert expected in reply.text, (command, reply.text)
            assert len(reply.text) <= 4096
        assert bot.commands.stats.errors == 0


async def test_full_keyboard_path_edits_in_place(data_dir: Path) -> None:
    async with running_bot(data_dir) as bot:
        chat = 700
        [menu] = await bot.say(chat, "/maxduration", "en")
        mid = menu.message_id
        [step] = await bot.press(chat, mid, button_data(menu, "Netflix"), "en")
        assert step.method == "editMessageText" and "Which year?" in step.text
        # turn the year page, then pick the first year shown
        [older] = await bot.press(chat, mid, button_data(step, "Older"), "en")
        assert "Which year?" in older.text
        year_button = last_keyboard(older)[0][0]
        [typ] = await bot.press(chat, mid, year_button["callback_data"], "en")
        assert "Movie or show?" in typ.text
        [answer] = await bot.press(chat, mid, button_data(typ, "Movie"), "en")
        assert answer.method == "editMessageText"
        assert f"on Netflix from {year_button['text']}" in answer.text
        assert all(c.ok for c in bot.server.outgoing(chat))
        # main menu -> rating wizard for score count
        [start] = await bot.say(chat, "/start", "en")
        [sc] = await bot.press(chat, start.message_id, button_data(start, "By score"), "en")
        [sc] = await bot.press(chat, start.message_id, button_data(sc, "Hulu"), "en")
        sc_year = last_keyboard(sc)[0][0]
        [sc] = await bot.press(chat, start.message_id, sc_year["callback_data"], "en")
        [sc] = await bot.press(chat, start.message_id, button_data(sc, "> 3.5"), "en")
        assert f"Hulu movies from {sc_year['text']} are scored above 3.5" in sc.text


@pytest.mark.parametrize(
    "data",
    [
        "v1|md|0|x|_|_",  # unknown platform code
        "v2|md|0|n|_|_",  # another version
        "v1|rt|zz999999|4",  # a title that does not exist
        "v1|sim|ns1|999|extra",
        "hello",
        "v1|menu|../../etc/passwd",
    ],
)
async def test_forged_or_stale_button_gets_menu_expired_only(data_dir: Path, data: str) -> None:
    async with running_bot(data_dir) as bot:
        chat = 800
        [menu] = await bot.say(chat, "/start", "en")
        out = await bot.press(chat, menu.message_id, data, "en")
        answer = bot.server.calls_of("answerCallbackQuery")[-1]
        assert "expired" in (answer.params.get("text") or "")
        assert [c.text for c in out] == ["This menu has expired. Please ask again."]
        assert bot.commands.store.count() == 0
        assert bot.commands.stats.errors == 0


async def test_non_admin_reload_is_an_unknown_command_and_logged(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with running_bot(data_dir) as bot:
        for command in ("/reload", "/status"):
            [reply] = await bot.say(42, command, "en")
            assert reply.text == "I don't know that command. /help shows what I can do."
        assert bot.commands.stats.denied == 2
    assert "non-admin user 42 tried /reload" in caplog.text


async def test_admin_reload_with_corrupt_model_keeps_serving_the_old(data_dir: Path) -> None:
    async with running_bot(data_dir) as bot:
        [before] = await bot.say(ADMIN, "/recommend 1 ns1", "en")
        [status] = await bot.say(ADMIN, "/status", "en")
        assert "Model:" in status.text
        (data_dir / "models" / "svd.pkl").write_bytes(b"\x80\x04 this is not a model")
        started, done = await bot.say(ADMIN, "/reload", "en", count=2)
        assert "Reloading" in started.text
        assert "The reload failed; still serving the previous data" in done.text
        [after] = await bot.say(ADMIN, "/recommend 1 ns1", "en")
        assert after.text == before.text
        # a good reload afterwards swaps in a new catalogue object
        old = bot.commands.holder.current
        (data_dir / "models" / "svd.pkl").unlink()
        data_copy_model(data_dir)
        _, ok = await bot.say(ADMIN, "/reload", "en", count=2)
        assert "Reload done" in ok.text
        assert bot.commands.holder.current is not old


def data_copy_model(data_dir: Path) -> None:
    from tests.fakes.botdata import demo_data

    src = demo_data() / "models" / "svd.pkl"
    (data_dir / "models" / "svd.pkl").write_bytes(src.read_bytes())


async def test_ratings_survive_a_restart(data_dir: Path) -> None:
    chat = 900
    async with running_bot(data_dir) as bot:
        [prompt] = await bot.say(chat, "/rate", "es")
        data = button_data(prompt, "4★")
        [saved] = await bot.press(chat, prompt.message_id, data, "es")
        assert "Guardado" in saved.text and "Llevas 1 puntuación" in saved.text
        [saved2] = await bot.press(chat, prompt.message_id, button_data(saved, "5★"), "es")
        assert "Llevas 2 puntuaciones" in saved2.text
    assert (data_dir / "state" / "ratings.sqlite3").exists()
    async with running_bot(data_dir) as bot:
        [mine] = await bot.say(chat, "/foryou", "es")
        assert "según tus 2 puntuaciones" in mine.text
        assert "Con 1 puntuación más" in mine.text
        [prompt] = await bot.say(chat, "/rate", "es")
        assert data.split("|")[2] not in str(last_keyboard(prompt))  # not offered again


@pytest.mark.parametrize(
    ("code", "greeting"),
    [("es", "¡Hola"), ("en", "Hi"), ("en-GB", "Hi"), (None, "¡Hola"), ("de", "¡Hola")],
)
async def test_language_follows_telegram(data_dir: Path, code: str | None, greeting: str) -> None:
    async with running_bot(data_dir) as bot:
        [reply] = await bot.say(1000, "/start", code)
        assert reply.text.startswith(greeting)
        assert bot.server.commands.keys() >= {"", "es", "en"}
        assert bot.server.commands["en"][0]["description"] == "Main menu"
        assert bot.server.commands[""][0]["description"] == "Menú principal"


async def test_error_handler_apologises_and_keeps_going(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(data_dir) as bot:
        catalog = bot.commands.holder.current

        def boom(*a: object, **k: object) -> None:
            raise RuntimeError("kaboom in the catalogue")

        catalog.max_duration = boom  # type: ignore[method-assign]
        [sorry] = await bot.say(1100, "/maxduration 2020", "en")
        assert sorry.text.startswith("Sorry, something went wrong")
        del catalog.max_duration
        [fine] = await bot.say(1100, "/maxduration 2020", "en")
        assert "longest movie" in fine.text
        # the same through a button press: the query is answered and the person told
        catalog.count_platform = boom  # type: ignore[method-assign]
        [menu] = await bot.say(1100, "/platformcount", "en")
        out = await bot.press(1100, menu.message_id, encode("pc", "n"), "en")
        assert out[-1].text.startswith("Sorry, something went wrong")
        del catalog.count_platform
        assert bot.commands.stats.errors == 2
    assert "kaboom in the catalogue" in caplog.text
    assert "update " in caplog.text


async def test_retry_after_is_honoured_and_not_modified_is_not_an_error(data_dir: Path) -> None:
    async with running_bot(data_dir) as bot:
        bot.server.faults.append(Fault(method="sendMessage", code=429, retry_after=1))
        [reply] = await bot.say(1200, "/help", "en")
        assert "What I can do" in reply.text
        failed = [c for c in bot.server.calls if not c.ok and c.method == "sendMessage"]
        assert failed and "Too Many Requests" in failed[0].error
        # the same page twice: Telegram says "message is not modified"; not an error for us
        [similar] = await bot.say(1200, "/similar ns1", "en")
        page = encode("sim", "ns1", 0)
        await bot.press(1200, similar.message_id, page, "en")
        await bot.press(1200, similar.message_id, page, "en")
        assert any("not modified" in (c.error or "") for c in bot.server.calls)
        assert bot.commands.stats.errors == 0


async def test_long_replies_are_split_and_photos_go_multipart(data_dir: Path) -> None:
    from bot.delivery import deliver
    from chat.replies import Button, Reply

    async with running_bot(data_dir) as bot:
        chat = 1300
        lines = [f"<b>line {i}</b> {'é' * 60} &amp; more" for i in range(200)]
        reply = Reply("\n".join(lines), [[Button("ok", encode("noop"))]])
        await deliver(bot.app.bot, chat, reply)
        sent = bot.server.outgoing(chat)
        assert len(sent) >= 3 and all(c.ok for c in sent)
        assert "reply_markup" in sent[-1].params and "reply_markup" not in sent[0].params
        assert sum(c.text.count("line ") for c in sent) == 200
        png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
        await deliver(bot.app.bot, chat, Reply("<b>chart</b>", photo=png))
        [photo] = bot.server.calls_of("sendPhoto")
        assert photo.ok and photo.params["photo"]["size"] == len(png)
        assert photo.text == "chart"


async def test_webhook_mode_checks_the_secret(data_dir: Path) -> None:
    import socket

    import aiohttp

    from bot.app import build_application, set_commands
    from bot.runner import webhook_options
    from catalog.holder import CatalogHolder
    from tests.fakes.harness import TOKEN, settings_for
    from tests.fakes.telegram_server import FakeTelegramServer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    async with FakeTelegramServer(TOKEN) as server:
        settings = settings_for(
            server,
            data_dir,
            webhook_url=f"http://127.0.0.1:{port}/telegram/hook",
            webhook_port=port,
            webhook_secret="s3cret-value",
        )
        app = build_application(settings, CatalogHolder(data_dir))
        options = webhook_options(settings, listen="127.0.0.1")
        assert options["url_path"] == "telegram/hook" and TOKEN not in str(options)
        async with app:
            await set_commands(app)
            await app.start()
            await app.updater.start_webhook(**options)
            try:
                assert server.webhook and server.webhook["secret_token"] == "s3cret-value"
                update = {
                    "update_id": 1,
                    "message": {
                        "message_id": 1,
                        "date": 0,
                        "chat": {"id": 1400, "type": "private"},
                        "from": {"id": 1400, "is_bot": False, "first_name": "W"},
                        "text": "/help",
                    },
                }
                url = f"http://127.0.0.1:{port}/telegram/hook"
                async with aiohttp.ClientSession() as http:
                    async with http.post(url, json=update) as resp:
                        assert resp.status == 403  # no secret header
                    headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-value"}
                    async with http.post(url, json=update, headers=headers) as resp:
                        assert resp.status == 200
                [reply] = await server.wait_outgoing(1400, 1)
                assert "Qué puedo hacer" in reply.text
            finally:
                await app.updater.stop()
                await app.stop()
