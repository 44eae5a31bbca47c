"""The real `python -m bot` process against the fake Bot API (TELEGRAM_BASE_URL), and a capture of
everything it logs at DEBUG with a recognisable token: the token must appear nowhere."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.fakes.botdata import ROOT, data_copy
from tests.fakes.harness import button_data
from tests.fakes.processes import ADMIN, TOKEN, bot_process, press, say
from tests.fakes.telegram_server import FakeTelegramServer, Fault

pytestmark = pytest.mark.timeout(300)


async def test_real_process_end_to_end_and_token_never_logged(tmp_path: Path) -> None:
    data_dir = data_copy(tmp_path / "data")
    log = tmp_path / "bot.log"
    async with FakeTelegramServer(TOKEN) as server:
        async with bot_process(server, data_dir, tmp_path, log):
            # post_init registered the menus in Spanish (default), Spanish and English
            await server.wait_for(lambda: len(server.commands) == 3, timeout=60)
            [hello] = await say(server, 1, "/start", "es")
            assert hello.text.startswith("¡Hola")
            [menu] = await press(server, 1, hello.message_id, button_data(hello, "Más largo"))
            assert "¿Qué plataforma?" in menu.text
            [helped] = await say(server, 2, "/help", "en")
            assert "What I can do" in helped.text
            [prompt] = await say(server, 3, "/rate", "es")
            [saved] = await press(server, 3, prompt.message_id, button_data(prompt, "5★"))
            assert "Guardado" in saved.text
            # an API error whose text carries the token: it reaches the error handler's
            # traceback, which must be redacted
            server.faults.append(
                Fault(method="sendMessage", code=400, description=f"Bad Request: odd {TOKEN}")
            )
            [sorry] = await say(server, 4, "/help", "en")
            assert sorry.text.startswith("Sorry")
            [status] = await say(server, ADMIN, "/status", "en")
            assert "Updates:" in status.text and "errors: 1" in status.text
            [denied] = await say(server, 5, "/status", "en")
            assert "I don't know that command" in denied.text
        # a restart: the rating given above is still there
        async with bot_process(server, data_dir, tmp_path, log):
            [mine] = await say(server, 3, "/foryou", "es")
            assert "según tu 1 puntuación" in mine.text
    text = log.read_text(errors="replace")
    assert "starting bot: polling" in text
    assert "update " in text and "failed" in text and "Traceback" in text
    assert "non-admin user 5 tried /status" in text
    assert "[REDACTED]" in text
    secret = TOKEN.split(":", 1)[1]
    assert TOKEN not in text and secret not in text


def test_console_with_piped_stdin(tmp_path: Path) -> None:
    import subprocess

    data_dir = data_copy(tmp_path / "data")
    lines = "/start\n5\n1\n/platformcount netflix\n/maxduration\n4\n/nonsense\n/quit\n"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATA_DIR": str(data_dir), "LANG": "C"}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    done = subprocess.run(
        [sys.executable, "-m", "bot"], input=lines, capture_output=True, text=True,
        cwd=tmp_path, env=env, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "¡Hola!" in out and "[1] 🔎 Dónde ver" in out
    assert "¿Qué plataforma?" in out  # button 5 (score count) pressed by number
    assert "¿De qué año?" in out  # then button 1 (Amazon)
    assert "Netflix:" in out and "películas" in out
    assert "No conozco ese comando" in out
    assert "<b>" not in out  # HTML stripped for the terminal
