"""Console chat: the same command logic in a terminal, no token and no network.

Replies are printed as plain text; buttons are numbered, and typing a number presses one of the
buttons of the last reply. Reads stdin line by line, so it works just as well with piped input
(`printf '/start\n1\n' | python -m bot`).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from .commands import Commands
from .i18n import as_of, platforms, t
from .replies import Person, Reply, plain_text

QUIT = {"/quit", "/exit", "quit", "exit", "salir"}


def save_photo(png: bytes) -> Path:
    """A photo reply (a /chart) as a PNG file in the temp folder; the console prints its path."""
    with tempfile.NamedTemporaryFile(prefix="streamrec-chart-", suffix=".png", delete=False) as f:
        f.write(png)
    return Path(f.name)


def render(reply: Reply, first_number: int = 1, lang: str = "es") -> tuple[str, list[str]]:
    """A reply as terminal text with numbered buttons, and the data of those buttons."""
    lines = [plain_text(reply.text)] if reply.text else []
    if reply.photo is not None:
        saved = save_photo(reply.photo)
        lines.append(f"[{plain_text(t(lang, 'photo_saved', path=str(saved)))}]")
    if reply.toast and not reply.text:
        lines.append(f"({reply.toast})")
    data: list[str] = []
    for row in reply.keyboard or []:
        cells = []
        for button in row:
            data.append(button.data)
            cells.append(f"[{first_number + len(data) - 1}] {button.text}")
        lines.append("  ".join(cells))
    return "\n".join(lines), data


async def run_console(
    commands: Commands,
    person: Person,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Chat until EOF or /quit; returns the exit status."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty()
    buttons: list[str] = []

    def show(reply: Reply) -> None:
        nonlocal buttons
        text, data = render(reply, lang=person.lang)
        if data:  # a reply without buttons keeps the previous ones pressable
            buttons = data
        if text:
            print(text, file=stdout, flush=True)
            print("", file=stdout, flush=True)

    if interactive:
        lang, day = person.lang, commands.catalog.info.as_of
        hello = t(lang, "start_anon", platforms=platforms(lang), as_of=as_of(lang, day))
        print(plain_text(hello).split("\n")[0], file=stdout)
        print("(/help, /quit)", file=stdout, flush=True)
    while True:
        if interactive:
            print("> ", end="", file=stdout, flush=True)
        line = await asyncio.to_thread(stdin.readline)
        if not line:  # EOF
            break
        line = line.strip()
        if not line:
            continue
        if line.lower() in QUIT:
            break
        if not interactive:
            print(f"> {line}", file=stdout, flush=True)
        if line.isdigit() and buttons and 1 <= int(line) <= len(buttons):
            replies = commands.on_button(person, buttons[int(line) - 1])
        else:
            replies = commands.on_text(person, line)
        try:
            async for reply in replies:
                show(reply)
        except Exception as e:  # the console must survive a bad line just like the bot
            print(plain_text(t(person.lang, "error")) + f" ({type(e).__name__}: {e})", file=stdout)
    return 0
