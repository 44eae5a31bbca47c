"""Issue 23.6 and 23.7 through the real python-telegram-bot stack and the fake Bot API.

6: in a group, personal buttons (erase my data, rate, watch, my platforms) answer only the person
they were made for; anyone else gets a short notice and nothing changes. A search's pager works
in the chat it was made in, and nowhere else.
7: a person whose alert was refused as blocked (403) and who then writes to the bot is unblocked:
the held alert and later ones reach them."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.alerting import alert_service
from people import Alert
from tests.fakes.botdata import data_copy
from tests.fakes.harness import Running, button_data, running_bot
from tests.fakes.telegram_server import Fault

pytestmark = pytest.mark.timeout(300)

GROUP = -100_777  # Telegram's group ids are negative
ANA, BEA = 6101, 6102  # A and B


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return data_copy(tmp_path / "data")


async def say(bot: Running, who: int, text: str) -> object:
    """`who` writes `text` in the group; the bot's one answer there."""
    before = len(bot.server.outgoing(GROUP))
    bot.server.send_text(GROUP, text, "en", user_id=who)
    out = await bot.server.wait_outgoing(GROUP, before + 1)
    return out[before]


async def press(bot: Running, who: int, message: object, label: str) -> tuple[list, str | None]:
    """`who` presses the button labelled `label` under `message` in the group: what the bot
    sent or edited there, and the notice it answered the press with."""
    data = button_data(message, label)
    answers = len(bot.server.calls_of("answerCallbackQuery"))
    before = len(bot.server.outgoing(GROUP))
    bot.server.press(GROUP, message.message_id, data, "en", user_id=who)  # type: ignore[attr-defined]
    await bot.server.wait_for(lambda: len(bot.server.calls_of("answerCallbackQuery")) > answers)
    feed = bot.app.bot_data["feed"]
    await bot.server.wait_for(lambda: feed.pending == 0, poll=0.02)
    answer = bot.server.calls_of("answerCallbackQuery")[answers]
    return bot.server.outgoing(GROUP)[before:], answer.params.get("text")


async def rate_something(bot: Running, who: int) -> None:
    [card] = await bot.say(who, "/rate", "en")
    await bot.press(who, card.message_id, button_data(card, "4★"), "en")
    assert len(await bot.commands.store.ratings_async(who)) == 1


NOT_YOURS = "This button is for the person who asked."


async def test_group_buttons_answer_only_the_person_who_asked(data_dir: Path) -> None:
    async with running_bot(data_dir) as bot:
        store = bot.commands.store
        await rate_something(bot, ANA)
        await rate_something(bot, BEA)

        # B asks to erase their data; A presses "Yes": nothing is erased, A is told it is not theirs
        confirm = await say(bot, BEA, "/deletemydata")
        sent, notice = await press(bot, ANA, confirm, "Yes")
        assert sent == [] and notice == NOT_YOURS
        assert len(await store.ratings_async(ANA)) == 1 and len(await store.ratings_async(BEA)) == 1
        # B's own press erases B's data only
        sent, _ = await press(bot, BEA, confirm, "Yes")
        assert sent and "erased everything" in sent[0].text
        assert await store.ratings_async(BEA) == {} and len(await store.ratings_async(ANA)) == 1

        # B's platforms menu: A's press changes neither's platforms
        menu = await say(bot, BEA, "/myplatforms")
        sent, notice = await press(bot, ANA, menu, "Disney")
        assert sent == [] and notice == NOT_YOURS
        assert await store.platforms_async(ANA) == set() == await store.platforms_async(BEA)

        # B's rating card: A's star press rates nothing
        stars = await say(bot, BEA, "/rate")
        sent, notice = await press(bot, ANA, stars, "5★")
        assert sent == [] and notice == NOT_YOURS
        assert len(await store.ratings_async(ANA)) == 1 and await store.ratings_async(BEA) == {}

        # a card B opened: A's "Watch later" adds nothing to anyone's watchlist
        found = await say(bot, BEA, "/search frozen")
        [card], _ = await press(bot, BEA, found, "1")
        sent, notice = await press(bot, ANA, card, "Watch later")
        assert sent == [] and notice == NOT_YOURS
        assert await store.watchlist_async(ANA) == [] == await store.watchlist_async(BEA)
        # ... while anyone may turn the pages of a search in the group it was made in
        sent, notice = await press(bot, ANA, found, "»")
        assert sent and "(2/" in sent[0].text and notice is None

        # the same pager pressed in another chat (forged there) is an expired menu
        page = button_data(found, "»")
        [expired] = await bot.press(ANA, 9999, page, "en")
        assert "expired" in expired.text
        assert bot.commands.stats.errors == 0


async def test_writing_to_the_bot_after_a_block_resumes_alerts(data_dir: Path) -> None:
    async with running_bot(data_dir) as bot:
        store, server = bot.commands.store, bot.server
        person = 6201
        await bot.say(person, "/start", "en")
        first, second = (ref.id for ref in bot.commands.catalog.popular(2))
        service = alert_service(bot.commands, bot.app.bot)
        assert service.sender is not None

        def alert(title_id: str, release: str) -> Alert:
            return Alert(person, title_id, release, ("netflix",), due_at=time.time() - 1)

        # the alert is refused: the person blocked the bot
        await store.enqueue_alerts_async([alert(first, "r1")])
        server.faults.append(
            Fault("sendMessage", 403, "Forbidden: bot was blocked by the user", times=1)
        )
        stats = await service.sender.drain()
        assert stats.blocked == 1 and stats.sent == 0
        assert (await store.describe_async(person)).blocked
        assert await store.enqueue_alerts_async([alert(second, "r2")]) == 0  # not even queued

        # they write to the bot again (not /start: any message will do)
        await bot.say(person, "/help", "en")
        assert not (await store.describe_async(person)).blocked
        stats = await service.sender.drain()
        assert stats.sent == 1  # the held alert goes out after all
        assert await store.enqueue_alerts_async([alert(second, "r2")]) == 1
        stats = await service.sender.drain()
        assert stats.sent == 2
        alerts = [c for c in server.outgoing(person) if "🔔" in c.text]
        assert len(alerts) == 2
        assert await store.outbox_counts_async() == {"sent": 2}
