"""Issue 23.1 and 23.2 end to end: titles whose ids hold any characters (`s-dash1`, `sé|2`, 41
digits, 90 characters) and whose fields are far too long for one message go through the real
ETL into a catalogue, and the real bot over the fake Bot API answers every path that shows them
-- search, card, Similar, inline, watch (and remove), rate, an alert -- with no error and within
Telegram's limits (the fake refuses what Telegram refuses)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.alerting import alert_service
from chat.limits import URL_MAX
from people import Alert
from tests.etl_helpers import title_row, write_ratings, write_titles
from tests.fakes.harness import button_data, last_keyboard, running_bot
from tests.fakes.telegram_server import utf16_len

pytestmark = pytest.mark.timeout(300)

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ["s-dash1", "sé|2", "1" * 41, "s" + "x" * 89]  # show_ids as a CSV may hold them
LONG = "Ångström 🎬 " * 2000  # 24,000 characters, 26,000 UTF-16 units
CHAT = 4700


def hostile_raw(raw: Path) -> None:
    """Netflix: four "Dash" films with hostile ids (the last one with every field huge) and a
    plain one; one plain title on each other platform; a few ratings."""
    netflix = [
        title_row(sid, title=f"Dash Story {i}", listed_in="Action, Thrillers",
                  description="A courier races across the city.")
        for i, sid in enumerate(HOSTILE[:3], start=1)
    ]  # fmt: skip
    netflix.append(
        title_row(HOSTILE[3], title="Dash Story " + LONG, director=LONG, cast=LONG,
                  country=LONG, listed_in="Action, " + LONG, rating="R" + LONG,
                  description=LONG)
    )  # fmt: skip
    netflix.append(title_row("s5", title="Dash Story Plain", listed_in="Action, Thrillers"))
    write_titles(raw / "titles" / "netflix_titles.csv", netflix)
    for platform, name in (
        ("amazon", "amazon_prime_titles.csv"),
        ("disney", "disney_plus_titles.csv"),
        ("hulu", "hulu_titles.csv"),
    ):
        write_titles(raw / "titles" / name, [title_row("s1", title=f"{platform} film")])
    write_ratings(
        raw / "ratings" / "1.csv",
        ["1,4.5,1425941529,ns5", "2,3.0,1425941530,as1", "3,5.0,1425941531,ns5"],
    )


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    hostile_raw(root / "raw")
    done = subprocess.run(
        [sys.executable, "-m", "etl", "--raw", str(root / "raw"),
         "--out", str(root / "processed"), "-q"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return root


def callbacks(call: object) -> list[str]:
    return [b["callback_data"] for row in last_keyboard(call) for b in row if "callback_data" in b]


def urls(call: object) -> list[str]:
    return [b["url"] for row in last_keyboard(call) for b in row if "url" in b]


async def test_hostile_ids_search_card_similar_inline_watch_rate_alert(data_dir: Path) -> None:
    async with running_bot(data_dir) as bot:
        catalog = bot.commands.catalog
        ids = {f"n{sid.lower()}" for sid in HOSTILE}
        assert ids <= set(catalog.index.rows.ids)  # the ETL kept them as they are

        # search: one list with a card button per title, every one of them bounded
        [found] = await bot.say(CHAT, "dash story", "en")
        assert found.ok and "Dash Story 1" in found.text, found.text
        cards = [d for d in callbacks(found) if d.startswith("v1|card|")]
        assert len(cards) == 5
        assert all(len(d.encode()) <= 64 for d in callbacks(found))

        # each card opens, in one message within Telegram's limit, with short links
        opened = []
        for data in cards:
            [card] = await bot.press(CHAT, found.message_id, data, "en")
            assert card.ok and card.method == "sendMessage", card.error
            assert "Where to watch:" in card.text or "Dónde" in card.text
            assert all(len(u) <= URL_MAX for u in urls(card))
            opened.append(card)
        huge = next(c for c in opened if "Ångström" in c.text)
        assert utf16_len(huge.text) <= 4096  # one message, not eleven
        assert len(bot.server.outgoing(CHAT)) == 1 + len(cards)

        # Similar from a hostile card lists the other hostile titles, whose cards open too
        first = next(c for c in opened if "Dash Story 1" in c.text)
        [similar] = await bot.press(CHAT, first.message_id, button_data(first, "Similar"), "en")
        assert similar.ok and "Similar to" in similar.text, similar.text
        listed = [d for d in callbacks(similar) if d.startswith("v1|card|")]
        assert len(listed) >= 3
        for data in listed:
            [card] = await bot.press(CHAT, similar.message_id, data, "en")
            assert card.ok and "Where to watch:" in card.text

        # watch later from the card, then the watchlist, then remove it by its button
        [added] = await bot.press(CHAT, first.message_id, button_data(first, "Watch later"), "en")
        assert "Added to your watchlist" in added.text and "Dash Story 1" in added.text
        [listed_w] = await bot.say(CHAT, "/watchlist", "en")
        assert "Dash Story 1" in listed_w.text
        [removed] = await bot.press(CHAT, listed_w.message_id, button_data(listed_w, "✖"), "en")
        assert "Your watchlist is empty" in removed.text or "Dash Story 1" not in removed.text
        assert await bot.commands.store.watchlist_async(CHAT) == []

        # rate it from the card: the stars, then a saved rating under the hostile id
        [stars] = await bot.press(CHAT, first.message_id, button_data(first, "Rate"), "en")
        [saved] = await bot.press(CHAT, stars.message_id, button_data(stars, "4★"), "en")
        assert saved.ok and "★★★★" in saved.text
        assert await bot.commands.store.ratings_async(CHAT) == {"ns-dash1": 4.0}
        # the huge title's stars come in one message too (its genres and cast are clipped)
        [stars] = await bot.press(CHAT, huge.message_id, button_data(huge, "Rate"), "en")
        assert stars.ok and "How would you rate it?" in stars.text
        assert utf16_len(stars.text) <= 4096

        # inline: every hostile title is offered, each answer within Telegram's checks
        server = bot.server
        before = len(server.calls_of("answerInlineQuery"))
        server.inline_query(CHAT, "dash story", "en")
        await server.wait_for(lambda: len(server.calls_of("answerInlineQuery")) > before)
        [answer] = server.calls_of("answerInlineQuery")[before:]
        assert answer.ok, answer.error
        assert len(answer.params["results"]) == 5

        # an alert for each hostile title is delivered (not stuck pending)
        await bot.commands.store.enqueue_alerts_async(
            [Alert(CHAT, tid, "r-hostile", ("netflix",), due_at=time.time() - 1) for tid in ids]
        )
        service = alert_service(bot.commands, bot.app.bot)
        assert service.sender is not None
        stats = await service.sender.drain()
        assert stats.sent == len(ids) and stats.retried == 0 and stats.gave_up == 0
        counts = await bot.commands.store.outbox_counts_async()
        assert counts.get("sent") == len(ids) and not counts.get("pending")
        alerts = [c for c in server.outgoing(CHAT) if "🔔" in c.text]
        assert len(alerts) == len(ids) and all(utf16_len(a.text) <= 4096 for a in alerts)
        assert bot.commands.stats.errors == 0
