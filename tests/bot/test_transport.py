"""bot/transport.py: Bot API requests as JSON bodies over real HTTP (a local aiohttp server),
the same parameters PTB's form encoding would send, files still multipart, and httpx's errors
mapped as PTB's HTTPXRequest maps them."""

from __future__ import annotations

import asyncio
import datetime
import socket
import warnings
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot, Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import NetworkError, TimedOut

from bot.transport import JsonRequest

TOKEN = "1:transport-test"


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    seen: list[dict[str, Any]] = []

    async def api(request: web.Request) -> web.Response:
        entry: dict[str, Any] = {"type": request.content_type, "method": request.match_info["m"]}
        if request.content_type == "application/json":
            entry["params"] = await request.json()
        else:
            form = await request.post()
            entry["params"] = {k: getattr(v, "filename", v) for k, v in form.items()}
        seen.append(entry)
        if request.match_info["m"] == "slow":
            await asyncio.sleep(2)
        if request.match_info["m"] == "getMe":
            me = {"id": 1, "is_bot": True, "first_name": "T", "username": "t_bot"}
            return web.json_response({"ok": True, "result": me})
        message = {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}}
        return web.json_response({"ok": True, "result": message})

    app = web.Application()
    app.router.add_post(f"/bot{TOKEN}/{{m}}", api)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}/bot", seen
    await runner.cleanup()


async def test_text_goes_as_json_with_the_parameters_ptb_sends(server: Any) -> None:
    url, seen = server
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Año ★", callback_data="v1|x")]])
    async with Bot(TOKEN, base_url=url, request=JsonRequest()) as bot:
        await bot.send_message(5, "<b>¿Qué?</b> «ñ»", parse_mode="HTML", reply_markup=keyboard)
        await bot.send_photo(5, b"\x89PNG fake", caption="c")
    message, photo = [e for e in seen if e["method"] in ("sendMessage", "sendPhoto")]
    assert message["type"] == "application/json"
    assert message["params"] == {
        "chat_id": 5,
        "text": "<b>¿Qué?</b> «ñ»",
        "parse_mode": "HTML",
        "reply_markup": keyboard.to_dict(),
    }
    assert photo["type"] == "multipart/form-data"  # a file: PTB's own encoding
    assert photo["params"]["caption"] == "c" and photo["params"]["photo"]


async def test_errors_map_like_httpxrequest(server: Any) -> None:
    url, _ = server
    request = JsonRequest(read_timeout=0.3)
    async with Bot(TOKEN, base_url=url, request=request) as bot:
        with pytest.raises(TimedOut):
            await bot.do_api_request("slow", api_kwargs={"x": 1})
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        free = s.getsockname()[1]
    closed = JsonRequest(connect_timeout=2)
    await closed.initialize()
    try:
        with pytest.raises(NetworkError):
            await closed.do_request(f"http://127.0.0.1:{free}/bot{TOKEN}/getMe", "POST")
        with pytest.raises(NetworkError):
            await closed.post(f"http://127.0.0.1:{free}/bot{TOKEN}/getMe")
    finally:
        await closed.shutdown()


async def test_pool_timeout_and_a_second_start(server: Any) -> None:
    """A full pool gives PTB's pool-timeout TimedOut (nothing sent); a Bot shut down and started
    again gets a fresh client (PTB's Application does that on restart)."""
    url, seen = server
    request = JsonRequest(connection_pool_size=1, pool_timeout=0.2, read_timeout=5)
    bot = Bot(TOKEN, base_url=url, request=request)
    async with bot:
        slow = asyncio.create_task(bot.do_api_request("slow", api_kwargs={"x": 1}))
        await asyncio.sleep(0.3)  # the only connection is taken
        with pytest.raises(TimedOut, match="Pool timeout"):
            await bot.do_api_request("slow", api_kwargs={"x": 2})
        await slow
    assert [e["params"]["x"] for e in seen if e["method"] == "slow"] == [1]
    async with bot:
        await bot.send_message(5, "again")
    assert seen[-1]["method"] == "sendMessage" and seen[-1]["params"]["text"] == "again"


async def test_plain_sends_go_through_do_api_request_without_ptbs_advice(server: Any) -> None:
    """send_html/edit_html use Bot.do_api_request, which for a method PTB has warns "Please use
    'Bot.send_message'"; quiet_plain_sends silences that for our two methods only."""
    from telegram.warnings import PTBUserWarning

    from bot.delivery import edit_html, quiet_plain_sends, send_html

    url, seen = server
    buttons = {"inline_keyboard": [[{"text": "A", "callback_data": "v1|x"}]]}
    async with Bot(TOKEN, base_url=url, request=JsonRequest()) as bot:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            quiet_plain_sends()
            await send_html(bot, 5, "<b>hi</b>", buttons)
            message = Message(1, datetime.datetime.now(), Chat(5, "private"))
            await edit_html(bot, message, "edited")
            await bot.do_api_request("getChat", {"chat_id": 5})  # any other: PTB's warning
    advice = [str(w.message) for w in caught if issubclass(w.category, PTBUserWarning)]
    assert advice == ["Please use 'Bot.getChat' instead of 'Bot.do_api_request(\"getChat\", ...)'"]
    sent, edited = [e for e in seen if e["method"] in ("sendMessage", "editMessageText")]
    assert sent["params"] == {
        "chat_id": 5, "text": "<b>hi</b>", "parse_mode": "HTML", "reply_markup": buttons,
    }  # fmt: skip
    assert edited["params"] == {
        "chat_id": 5, "message_id": 1, "text": "edited", "parse_mode": "HTML",
    }  # fmt: skip
