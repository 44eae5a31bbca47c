"""bot/transport.py: Bot API requests as JSON bodies over real HTTP (a local aiohttp server),
the same parameters PTB's form encoding would send, files still multipart, and httpx's errors
mapped as PTB's HTTPXRequest maps them."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
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
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
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
