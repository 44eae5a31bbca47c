"""A watchlist alert in words (docs/alerts.md): which of the person's platforms has the title
now, then its title card. Telegram-free, like the rest of chat/: bot/alerting.py delivers it.

Language: the one the person chose (/language), else the one their Telegram app reported in
their last message to this process, else Spanish (the default)."""

from __future__ import annotations

from people import Alert

from . import cards
from .commands import Commands
from .i18n import platform_name, t
from .provenance import demo_ratings
from .replies import Html, Reply

DEFAULT_LANG = "es"


async def language(commands: Commands, telegram_id: int) -> str:
    chosen = await commands.store.language_async(telegram_id)
    return chosen or commands.seen_langs.get(telegram_id) or DEFAULT_LANG


def render(commands: Commands, lang: str, alert: Alert) -> Reply:
    """The alert: which of the person's platforms has it now, then the title card."""
    catalog = commands.catalog
    info = catalog.title(alert.title_id)
    names = ", ".join(platform_name(p, lang) for p in sorted(alert.platforms))
    head = t(lang, "alert", platforms=names)
    if info is None:  # gone again since the release was queued: say it plainly
        return Reply(Html(f"{head}\n{alert.title_id}"))
    carried = cards.offers(catalog, info)
    card = cards.card_text(lang, info, carried, demo=demo_ratings(catalog))
    text = Html(f"{head}\n\n{card}")
    return Reply(text, cards.card_keyboard(lang, info, carried))


async def alert_reply(commands: Commands, alert: Alert) -> Reply:
    """The alert in the words of the person it is for."""
    return render(commands, await language(commands, alert.telegram_id), alert)
