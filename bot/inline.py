"""Inline mode: `@bot title` in any chat offers title cards to share, each with where to watch
it and a link to every platform's search for it (InlineQueryResultArticle).

A card shared this way is a message of the chat it was sent in, not of a chat with the bot, so
it carries only link buttons: a Rate or Similar press there would come back without a chat to
answer in. Needs inline mode switched on for the bot (BotFather: /setinline; docs/bot.md)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from catalog.errors import QueryError
from chat import cards
from chat.i18n import lang_of, platform_name
from chat.provenance import demo_ratings
from chat.replies import Keyboard
from chat.views import kind_and_year, shared_meaning

from .delivery import markup

if TYPE_CHECKING:
    from chat.commands import Commands

log = logging.getLogger(__name__)
RESULTS = 10  # cards offered per query (Telegram shows a short scrolling list)
CACHE_SECONDS = 300  # Telegram may reuse an answer this long: the catalogue changes rarely


@dataclass(frozen=True)
class InlineCard:
    """One result: what the list shows (title, description) and the card it sends."""

    id: str
    title: str
    description: str
    text: str  # HTML
    keyboard: Keyboard


def inline_cards(commands: Commands, query: str, lang: str) -> list[InlineCard]:
    """The cards for a typed query: the best matches, one per film or show (every platform)."""
    query = query.strip()
    if not query:
        return []
    catalog = commands.catalog
    try:
        groups = catalog.where_to_watch(query, limit=RESULTS)
    except QueryError:  # too long, or nothing searchable: no results, as Telegram expects
        return []
    out = []
    for group in groups:
        info = catalog.title(group.offers[0].id)
        if info is None:
            continue
        platforms = ", ".join(platform_name(p, lang) for p in dict.fromkeys(group.platforms))
        meaning = shared_meaning(group.type, group.platforms)
        about = ", ".join(kind_and_year(lang, group.type, group.release_year, meaning))
        links = [row for row in cards.card_keyboard(lang, info, group.offers) if row[0].url]
        out.append(
            InlineCard(
                info.id,
                info.title,
                f"{about} · {platforms}",
                cards.card_text(lang, info, group.offers, demo=demo_ratings(catalog)),
                links,
            )
        )
    return out


async def answer_inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The PTB callback of InlineQueryHandler."""
    query = update.inline_query
    if query is None:
        return
    commands: Commands = context.application.bot_data["commands"]
    commands.stats.updates += 1
    lang = lang_of(query.from_user.language_code if query.from_user else None)
    chosen = commands.languages.get(query.from_user.id) if query.from_user else None
    found = inline_cards(commands, query.query, chosen or lang)
    results: list[Any] = [
        InlineQueryResultArticle(
            id=card.id,
            title=card.title,
            description=card.description,
            input_message_content=InputTextMessageContent(card.text, parse_mode=ParseMode.HTML),
            reply_markup=markup(card.keyboard),
        )
        for card in found
    ]
    try:
        await query.answer(results, cache_time=CACHE_SECONDS, is_personal=False)
    except TelegramError as e:  # a query answered too late: the person typed on; nothing to do
        log.info("inline query %s not answered: %s", query.id, e)
