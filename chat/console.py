"""Console chat: the same command logic in a terminal, no token and no network.

Replies are printed as plain text; buttons are numbered, and typing a number presses one of the
buttons of the last reply. Reads stdin line by line, so it works just as well with piped input
(`printf '/start\n1\n' | python -m bot`).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from .commands import Commands
from .i18n import as_of, platforms, t
from .replies import Button, Person, Reply, plain_text

QUIT = {"/quit", "/exit", "quit", "exit", "salir"}


def save_photo(png: bytes) -> Path:
    """A photo reply (a /chart) as a PNG file in the temp folder; the console prints its path."""
    with tempfile.NamedTemporaryFile(prefix="streamrec-chart-", suffix=".png", delete=False) as f:
        f.write(png)
    return Path(f.name)


def render(reply: Reply, lang: str = "es") -> tuple[str, dict[str, str]]:
    """A reply as terminal text with numbered buttons, and the data of each key typed.

    A button labelled with a number ("11", a card on page 2) keeps that number, so the list's
    numbers and the numbers typed agree; a button standing for a number a person would type
    as the answer (`Button.typed`: "> 3,5", "4★ or more") is pressed by that number, so "4"
    at "Scored above…?" means 4 as it does in Telegram, not the fourth button; the other
    buttons take the free numbers from 1. A link button has no number: its URL is printed
    beside it (a terminal opens no links)."""
    lines = [plain_text(reply.text)] if reply.text else []
    if reply.photo is not None:
        saved = save_photo(reply.photo)
        lines.append(f"[{plain_text(t(lang, 'photo_saved', path=str(saved)))}]")
    if reply.toast and not reply.text:
        lines.append(f"({reply.toast})")
    buttons = [b for row in reply.keyboard or [] for b in row if b.url is None]
    keys = [_own_key(b) for b in buttons]
    own = {k for k in keys if k is not None and keys.count(k) == 1}
    free = (str(n) for n in itertools.count(1) if str(n) not in own)
    data: dict[str, str] = {}
    for row in reply.keyboard or []:
        cells = []
        for button in row:
            if button.url is not None:
                cells.append(f"{button.text}: {button.url}")
                continue
            key = _own_key(button)
            shown = button.typed or button.text
            if key is None or key not in own:
                key = shown = next(free)
            cells.append(f"[{shown}]" if shown == button.text else f"[{shown}] {button.text}")
            data[key] = button.data
        lines.append("  ".join(cells))
    return "\n".join(lines), data


def _own_key(button: Button) -> str | None:
    """The key a button keeps: the number it stands for, or its label when that is a number."""
    if button.typed is not None:
        return key_of(button.typed)
    return key_of(button.text) if button.text.isdigit() and int(button.text) > 0 else None


def key_of(typed: str) -> str:
    """A typed key as compared: "3,5" and "3.5" are one key, "04" is "4"."""
    text = typed.strip().replace(",", ".")
    try:
        return format(float(text), "g") if text[:1].isdigit() else text
    except ValueError:
        return text


async def run_console(
    commands: Commands,
    person: Person,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Chat until EOF, /quit or a closed output; returns the exit status."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty()
    try:
        await _chat(commands, person, stdin, stdout, interactive)
    except BrokenPipeError:
        # the reader went away (`| head`): stop quietly, and keep Python's own flush at exit
        # from failing on the closed pipe again
        if stdout is sys.stdout:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
    return 0


async def _chat(
    commands: Commands, person: Person, stdin: TextIO, stdout: TextIO, interactive: bool
) -> None:
    buttons: dict[str, str] = {}

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
        if key_of(line) in buttons:
            replies = commands.on_button(person, buttons[key_of(line)])
        else:
            replies = commands.on_text(person, line)
        try:
            async for reply in replies:
                show(reply)
        except BrokenPipeError:
            raise
        except Exception as e:  # the console must survive a bad line just like the bot
            print(plain_text(t(person.lang, "error")) + f" ({type(e).__name__}: {e})", file=stdout)
