"""Issue 22 items 10 and 6 (console): link buttons print their URL, page 2's list numbers are the
numbers to type, a reader that goes away (`| head`) ends the chat quietly, and --lang wins over a
language stored with /language."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from catalog.core import Catalog
from chat.commands import Commands
from chat.console import run_console
from tests.chat.conftest import EN, console
from tests.fakes.botdata import data_copy

ROOT = Path(__file__).resolve().parents[2]


async def test_a_link_button_prints_its_url(commands: Commands, catalog: Catalog) -> None:
    name = catalog.title(catalog.popular(1)[0].id).title
    out = await console(commands, "en", f"/search {name}", "1")
    card = out[1]
    links = [line for line in card.splitlines() if "https://" in line]
    assert links and all("▶" in line and "[" not in line.split("https://")[0] for line in links)


async def test_page_two_numbers_are_the_numbers_to_type(commands: Commands) -> None:
    first = await console(commands, "en", "/search midnight")
    pager = next(line for line in first[0].splitlines() if "»" in line)
    forward = pager.split("»")[0].rsplit("[", 1)[1].split("]")[0]
    out = await console(commands, "en", "/search midnight", forward, "12")
    page2 = out[1]
    line12 = next(line for line in page2.splitlines() if line.startswith("12. "))
    assert "[12]" in page2 and "[2] " not in page2.split("\n11. ")[0]
    name = line12.removeprefix("12. ").split(" (")[0]
    assert out[2].startswith("12\n" + name) or name in out[2].splitlines()[1], out[2]


class ClosedPipe(io.StringIO):
    """stdout of `| head` once head has gone: every write fails."""

    def __init__(self, ok_writes: int) -> None:
        super().__init__()
        self.left = ok_writes

    def write(self, s: str) -> int:
        if self.left <= 0:
            raise BrokenPipeError(32, "Broken pipe")
        self.left -= 1
        return super().write(s)


async def test_a_closed_output_ends_the_chat_quietly(commands: Commands) -> None:
    stdin = io.StringIO("/help\n/start\n/help\n")
    assert await run_console(commands, EN, stdin, ClosedPipe(ok_writes=2)) == 0


@pytest.mark.timeout(180)
def test_piping_into_head_ends_quietly_and_lang_wins(tmp_path: Path) -> None:
    data_dir = data_copy(tmp_path / "data")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATA_DIR": str(data_dir), "LANG": "C"}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    run = [sys.executable, "-m", "bot", "--console"]
    # the stored choice is Spanish; an explicit --lang en then wins
    chosen = subprocess.run(
        [*run, "--lang", "en"], input="/language es\n/help\n", capture_output=True, text=True,
        cwd=tmp_path, env=env, timeout=120,
    )  # fmt: skip
    assert chosen.returncode == 0, chosen.stderr
    again = subprocess.run(
        [*run, "--lang", "en"], input="/help\n", capture_output=True, text=True, cwd=tmp_path,
        env=env, timeout=120,
    )  # fmt: skip
    assert "What I can do" in again.stdout, again.stdout
    stored = subprocess.run(
        run, input="/help\n", capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120
    )
    assert "Qué puedo hacer" in stored.stdout  # no flag: the stored choice
    # | head -n 1: the reader leaves after one line while the bot has plenty more to say
    lines = "/help\n" * 200
    with subprocess.Popen(
        [*run, "--lang", "en"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, cwd=tmp_path, env=env,
    ) as bot:  # fmt: skip
        assert bot.stdout is not None and bot.stdin is not None
        bot.stdin.write(lines.encode())
        bot.stdin.flush()
        bot.stdout.readline()
        bot.stdout.close()
        _, err = bot.communicate(timeout=120)
    assert bot.returncode == 0, err
    assert b"Traceback" not in err and b"BrokenPipe" not in err, err.decode()
