"""Load with faults: 200 simulated people against the real bot while the Bot API misbehaves.

The real `Application` (built by `bot.app.build_application`, production settings: HTTPX pools,
`AIORateLimiter(max_retries=2)` with Telegram's 30 msg/s overall cap, concurrency 16) polls the
fake Bot API over HTTP on 127.0.0.1. Each simulated person runs a closed loop -- send, wait
until the bot has finished with that update, send the next -- through a mix of commands,
/rate and star presses. While faults are on, the fake server (`Chaos`) fails a share of calls:
429 with retry_after, 500, a delay, a delay past the client's read timeout, and connections
dropped before or after the call is handled (getUpdates included, at a lower rate).

"Answered", precisely. The bot has *finished* with an update when a marker handler in a later
handler group has run (PTB runs groups in order, after the error handler of the earlier group).
The *window* of an update is [pushed, finished]; people of this test are closed loops, so every
sendMessage / editMessageText to that chat arriving at the server inside the window belongs to
that update. An update is
- "content": some call in its window succeeded at the server with a text other than the
  apology. A 429 that AIORateLimiter waited out and retried counts by its successful retry (the
  429 attempt itself is a failed call). A call answered after the client's timeout, or whose
  connection dropped after it was handled, reached the person: it counts, though the bot saw an
  error (and then apologised too);
- "apology": only the error handler's "Sorry, something went wrong" got through;
- "unanswered": nothing got through -- allowed only while faults are on and only when the
  window shows failed attempts (the reply and the apology both hit by faults), never silence.
Once faults stop, every update must be "content", the application and its polling must still be
running, and no call may have failed for any reason but an injected fault or Telegram's "message
is not modified".

Ratings. A rating is acknowledged when an edit saying "Saved:"/"Guardado:" succeeded at the
server. The title is the one on the keyboard that edit replaced (the server keeps each message's
previous state) and the stars are counted in the text; each person gives a fixed number of stars
per title, so a retried press cannot change it. Every acknowledged rating must be in SQLite
with those stars, and `PRAGMA integrity_check` must say ok.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.ext import TypeHandler

from chat.i18n import t
from tests.fakes.botdata import data_copy
from tests.fakes.harness import Running, running_bot
from tests.fakes.ratings_check import check_ratings, star_press
from tests.fakes.telegram_server import Call, Chaos, FakeTelegramServer

pytestmark = pytest.mark.timeout(600)

OUT = ("sendMessage", "editMessageText", "sendPhoto")
APOLOGIES = {t("es", "error"), t("en", "error")}
MIX = [
    "/start", "/help", "/maxduration 2020 netflix", "/maxduration season",
    "/scorecount netflix 3.5 2019", "/platformcount todas", "/platformcount hulu",
    "/actor netflix 2019", "/recommend 1 ns1", "/top 1", "/search the", "/similar ns1",
    "/foryou", "/maxduration", "/scorecount", "/nonsense", "stranger",
]  # fmt: skip
FIRST_CHAT = 50_000
UPDATE_TIMEOUT = 60.0  # the longest one update may take (a read timeout of 15 s + apology)


class Finished:
    """Marks when the Application is done with an update: a handler in a group after ours."""

    GROUP = 99

    def __init__(self, app: Any) -> None:
        self.events: dict[int, asyncio.Event] = {}
        app.add_handler(TypeHandler(Update, self._mark), group=self.GROUP)

    def event(self, update_id: int) -> asyncio.Event:
        return self.events.setdefault(update_id, asyncio.Event())

    async def _mark(self, update: Update, _: Any) -> None:
        self.event(update.update_id).set()


@dataclass
class Step:
    chat: int
    update_id: int
    what: str
    phase: str
    pushed: float
    finished: float | None = None
    window: list[Call] = field(default_factory=list)

    @property
    def category(self) -> str:
        if self.finished is None:
            return "unfinished"
        ok = [c for c in self.window if c.ok]
        if any(c.text_then not in APOLOGIES for c in ok):
            return "content"
        return "apology" if ok else "unanswered"


class Crowd:
    """Simulated people, each a closed loop over the real bot."""

    def __init__(self, bot: Running, finished: Finished) -> None:
        self.bot = bot
        self.server = bot.server
        self.finished = finished
        self.steps: list[Step] = []

    async def act(self, chat: int, lang: str, phase: str, *, text: str = "", star: bool = False):
        server = self.server
        press = star_press(server, chat) if star else None
        pushed = time.monotonic()
        if press is not None:
            mid, data = press
            update_id, what = server.press(chat, mid, data, lang), data
        else:
            text = text or "/rate"
            update_id, what = server.send_text(chat, text, lang), text
        step = Step(chat, update_id, what, phase, pushed)
        self.steps.append(step)
        try:
            await asyncio.wait_for(self.finished.event(update_id).wait(), UPDATE_TIMEOUT)
            step.finished = time.monotonic()
        except TimeoutError:
            pass

    async def person(self, k: int, steps: int, phase: str) -> None:
        chat = FIRST_CHAT + k
        lang = "es" if k % 2 else "en"
        rng = random.Random(f"{phase}:{k}")
        for s in range(steps):
            if phase == "after":  # faults are off: a star press if there is a prompt, then text
                await self.act(chat, lang, phase, star=s == 0, text=rng.choice(MIX))
            elif s == 0:
                await self.act(chat, lang, phase, text=rng.choice(MIX))
            elif s == 1:
                await self.act(chat, lang, phase, text="/rate")
            else:
                roll = rng.random()
                if roll < 0.6:
                    await self.act(chat, lang, phase, star=True)
                else:
                    await self.act(chat, lang, phase, text=rng.choice([*MIX, "/rate"]))

    async def run(self, people: int, steps: int, phase: str, timeout: float) -> None:
        await asyncio.wait_for(
            asyncio.gather(*(self.person(k, steps, phase) for k in range(people))), timeout
        )

    def attribute(self) -> None:
        """Give every outgoing call to the update whose window it arrived in."""
        by_chat: dict[int, list[Call]] = {}
        for call in self.server.calls:
            if call.method in OUT:
                by_chat.setdefault(call.params.get("chat_id"), []).append(call)  # type: ignore[arg-type]
        for step in self.steps:
            end = step.finished if step.finished is not None else float("inf")
            step.window = [c for c in by_chat.get(step.chat, []) if step.pushed <= c.at <= end]


async def wait_quiet(server: FakeTelegramServer, timeout: float = 30.0) -> None:
    """Until no call is being handled (delayed "timeout" calls finish after the client gave up)."""
    deadline = time.monotonic() + timeout
    while server.inflight and time.monotonic() < deadline:
        await asyncio.sleep(0.1)


async def load_with_faults(
    data_dir: Path, people: int, steps: int, after_steps: int, chaos: Chaos
) -> dict[str, Any]:
    """The whole scenario; returns the numbers for the report."""
    async with running_bot(data_dir, log_level="WARNING") as bot:
        server = bot.server
        finished = Finished(bot.app)
        crowd = Crowd(bot, finished)
        started = time.monotonic()
        server.chaos = chaos
        await crowd.run(people, steps, "faults", timeout=people * steps * 2.0)
        server.chaos = None
        faults_s = time.monotonic() - started
        await wait_quiet(server)
        after_from = len(crowd.steps)
        await crowd.run(people, after_steps, "after", timeout=people * after_steps * 2.0)
        await wait_quiet(server)
        total_s = time.monotonic() - started

        # still running: the application, its polling, and it still answers
        assert bot.app.running and bot.app.updater is not None and bot.app.updater.running
        [hello] = await bot.say(FIRST_CHAT - 1, "/start", "en")
        assert hello.text.startswith("Hi")

        crowd.attribute()
        during, after = crowd.steps[:after_from], crowd.steps[after_from:]
        cats = Counter(s.category for s in during)
        assert cats["unfinished"] == 0, [s for s in during if s.category == "unfinished"][:5]
        for step in during:
            if step.category == "unanswered":
                # never silence: the bot tried, and every try was hit by an injected fault
                assert step.window, f"no reply attempted for {step}"
                assert all(not c.ok or c.fault for c in step.window), step
        assert cats["unanswered"] <= 0.1 * len(during), cats
        bad = [s for s in after if s.category != "content"]
        assert not bad, [(s.what, s.category, [(c.method, c.error) for c in s.window]) for s in bad]

        # no call failed for another reason than a fault we injected or "not modified"
        other = [
            (c.method, c.error)
            for c in server.calls
            if not c.ok and c.fault is None and "not modified" not in (c.error or "")
        ]
        assert not other, other[:5]
        assert sum(chaos.counts.values()) > 0
        errors = bot.commands.stats.errors
    acked, stored = check_ratings(data_dir / "state" / "ratings.sqlite3", server.calls)
    assert acked > 0
    return {
        "updates": len(during) + len(after),
        "during": dict(cats),
        "after": len(after),
        "faults": dict(chaos.counts),
        "handler_errors": errors,
        "ratings_acked": acked,
        "ratings_stored": stored,
        "seconds_with_faults": round(faults_s, 1),
        "seconds_total": round(total_s, 1),
    }


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return data_copy(tmp_path / "data")


async def test_200_people_with_faults_then_every_update_answered(data_dir: Path) -> None:
    chaos = Chaos(rate=0.15, poll_rate=0.05, seed=8)
    numbers = await load_with_faults(data_dir, people=200, steps=3, after_steps=1, chaos=chaos)
    print("load with faults:", numbers)
    assert chaos.counts.keys() >= {"429", "500", "drop", "drop_after", "delay"}


@pytest.mark.slow
async def test_500_people_six_steps_with_faults(data_dir: Path) -> None:
    chaos = Chaos(rate=0.2, poll_rate=0.08, seed=9, max_timeouts=5)
    numbers = await load_with_faults(data_dir, people=500, steps=6, after_steps=2, chaos=chaos)
    print("load with faults (slow):", numbers)
    assert chaos.counts.keys() >= {"429", "500", "drop", "drop_after", "delay", "timeout"}
