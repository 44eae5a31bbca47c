"""The conversation, with no Telegram in it: words or button data in, `Reply` objects out
(docs/bot.md). Imports domain, config, locales, catalog, charts, people's state and alerts;
never telegram, bot or api (tests/bot/test_layers.py)."""
