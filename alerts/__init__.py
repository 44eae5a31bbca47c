"""Watchlist alerts: queueing a release's arrivals, draining the outbox within Telegram's limits
through a `send` the adapter gives, one sender per deployment (docs/alerts.md). Imports domain
and people's state; never telegram, chat, bot or api (tests/bot/test_layers.py)."""
