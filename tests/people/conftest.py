"""The people's-state tests share tests/bot/conftest.py's fixtures: a real PostgreSQL server
(`pg`) and a store URL of each kind (`url`)."""

from tests.bot.conftest import pg, url

__all__ = ["pg", "url"]
