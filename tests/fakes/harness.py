"""Run the real bot Application in-process against the fake Bot API server over real HTTP."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.app import build_application, build_commands, set_commands
from bot.settings import Settings
from catalog.holder import CatalogHolder
from chat.commands import Commands
from tests.fakes.telegram_server import FakeTelegramServer

TOKEN = "987654:BOT-TEST-token-abcdef"
ADMIN = 111


@dataclass
class Running:
    server: FakeTelegramServer
    app: Any
    commands: Commands
    settings: Settings

    async def say(self, chat_id: int, text: str, lang: str | None = "es", count: int = 1) -> list:
        """Send a text and wait for `count` new outgoing messages to that chat; returns them."""
        before = len(self.server.outgoing(chat_id))
        self.server.send_text(chat_id, text, lang)
        out = await self.server.wait_outgoing(chat_id, before + count)
        return out[before:]

    async def press(
        self, chat_id: int, message_id: int, data: str, lang: str | None = "es"
    ) -> list:
        before = len(self.server.outgoing(chat_id))
        answers = len(self.server.calls_of("answerCallbackQuery"))
        self.server.press(chat_id, message_id, data, lang)
        await self.server.wait_for(
            lambda: len(self.server.calls_of("answerCallbackQuery")) > answers
        )
        # The press was fetched (it was answered); once nothing fetched is pending its handler
        # has finished, with whatever edit or message it sends (noop presses send none). No
        # fixed wait: a busy machine may take seconds.
        feed = self.app.bot_data["feed"]
        await self.server.wait_for(lambda: feed.pending == 0, poll=0.02)
        return self.server.outgoing(chat_id)[before:]


def settings_for(server: FakeTelegramServer, data_dir: Path, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "telegram_bot_token": server.token,
        "telegram_base_url": server.base_url,
        "data_dir": data_dir,
        "admin_ids": str(ADMIN),
        "log_level": "DEBUG",
    }
    values.update(extra)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@contextlib.asynccontextmanager
async def running_bot(
    data_dir: Path, server: FakeTelegramServer | None = None, **extra: Any
) -> AsyncIterator[Running]:
    """Start fake server (unless given) + real Application polling it; stop both after."""
    own = server is None
    server = server or FakeTelegramServer(TOKEN)
    if own:
        await server.start()
    try:
        settings = settings_for(server, data_dir, **extra)
        holder = CatalogHolder(settings.data_dir, settings.recommend_threshold)
        commands = build_commands(settings, holder)
        app = build_application(settings, holder, commands=commands)
        async with app:
            await set_commands(app)  # what post_init does under run_polling
            await app.start()
            await app.updater.start_polling(timeout=1, poll_interval=0.0)
            try:
                yield Running(server, app, commands, settings)
            finally:
                await app.updater.stop()
                await app.stop()
        commands.store.close()
    finally:
        if own:
            await server.stop()


def last_keyboard(call: Any) -> list[list[dict]]:
    markup = call.params.get("reply_markup") or {}
    return markup.get("inline_keyboard", [])


def button_data(call: Any, label_part: str) -> str:
    """The callback data of the first button whose label contains `label_part`."""
    for row in last_keyboard(call):
        for b in row:
            if label_part in b["text"]:
                return b["callback_data"]
    raise AssertionError(f"no button with {label_part!r} in {last_keyboard(call)}")
