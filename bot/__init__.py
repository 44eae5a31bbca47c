"""The Telegram adapter: python-telegram-bot's Application, handlers, inline mode, polling,
delivery and transport over the conversation in chat/ and the alerts in alerts/ (docs/bot.md).
Nothing imports it (tests/bot/test_layers.py); people's state in bot/store/ is moving out."""
