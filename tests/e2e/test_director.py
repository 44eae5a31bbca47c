"""/director through the real python-telegram-bot stack and the fake Bot API, in both
languages: typed with its name, and tapped bare in the menu (it asks back, the next message
answers). The walk of docs/architecture.md "How to add a command"."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from domain.text import fold
from tests.fakes.botdata import data_copy
from tests.fakes.harness import running_bot

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return data_copy(tmp_path / "data")


def busiest_director(data_dir: Path) -> tuple[str, int]:
    """The name display.parquet gives most often as a director, and on how many titles."""
    rows = pq.read_table(data_dir / "processed" / "display.parquet", columns=["director"])
    names = Counter(
        n.strip() for d in rows.column("director").to_pylist() for n in (d or "").split(",")
    )
    del names[""]
    return names.most_common(1)[0]


@pytest.mark.parametrize("lang", ["en", "es"])
async def test_director_in_telegram(data_dir: Path, lang: str) -> None:
    name, _ = busiest_director(data_dir)
    header = (f"{name} directed ", f"{name} dirigió ")[lang == "es"]
    async with running_bot(data_dir) as bot:
        chat = 3900
        [typed] = await bot.say(chat, f"/director {fold(name)}", lang)
        assert typed.ok and typed.text.startswith(header), typed.text
        assert typed.params["text"].startswith(f"<b>{name}</b>")  # HTML Telegram accepted
        [question] = await bot.say(chat, "/director", lang)
        markup = question.params.get("reply_markup") or {}
        assert markup.get("force_reply") is True, question.params
        [answer] = await bot.say(chat, name, lang)
        assert answer.text == typed.text
        assert bot.commands.stats.errors == 0
