"""Configuration from the environment (and `.env` when present); see `.env.example`."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import unquote, urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode

from config import ServiceSettings, blank_is_none
from people.settings import StoreSettings


class Settings(ServiceSettings, StoreSettings):
    """Every knob of the bot. Field names are the environment variables, upper-cased; DATA_DIR,
    RECOMMEND_THRESHOLD and LOG_LEVEL come from config.ServiceSettings, DATABASE_URL and the
    pool's knobs from people.settings.StoreSettings."""

    telegram_bot_token: SecretStr | None = None
    # A self-hosted Bot API server (or the tests' fake): "http://host:port/bot"
    telegram_base_url: str | None = None
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    webhook_url: str | None = None
    webhook_port: int = 8443
    # Where the webhook server listens: loopback unless set (a reverse proxy on the same host
    # forwards to it); 0.0.0.0 only when the proxy runs elsewhere, e.g. another container.
    webhook_listen: str = "127.0.0.1"
    # Required in webhook mode: Telegram sends it back in X-Telegram-Bot-Api-Secret-Token and
    # every request without it is refused. 1-256 of A-Z a-z 0-9 _ - (Telegram's rule).
    webhook_secret: SecretStr | None = None
    # `python -m bot --check` fails when no getUpdates succeeded (or no webhook update came)
    # for longer than this many seconds; also caps the long-poll timeout at a third of it.
    health_max_fetch_age: float = Field(default=60.0, ge=5.0)
    # At start, how long to keep trying a Bot API that cannot be reached (refused, DNS, timed
    # out), 1, 2, 4 ... 30 s apart, before stopping with one line and exit code 69 (0: try once).
    bot_start_retry_seconds: float = Field(default=120.0, ge=0.0, le=86400.0)
    # Updates processed at once; the HTTP pool is sized from it (docs/bot.md has the numbers).
    bot_concurrency: int = Field(default=16, ge=1, le=256)
    # Updates fetched from Telegram and not yet answered, at most (bot/polling.py): what a
    # kill -9 can lose and SIGTERM must finish. Unset: four times BOT_CONCURRENCY, the smallest
    # window that kept the echo bot's throughput at +20 ms per Bot API call (docs/bot.md).
    bot_prefetch: int | None = Field(default=None, ge=1, le=1024)
    # Watchlist alerts (docs/alerts.md): queued when this process serves a new release, sent
    # from the outbox within Telegram's limits. With several replicas on PostgreSQL only the
    # holder of the sender lease sends (alerts/lease.py); false: this process never sends.
    alerts_send: bool = True
    alerts_poll_seconds: float = Field(default=5.0, ge=0.5, le=3600)

    @property
    def prefetch_window(self) -> int:
        """BOT_PREFETCH, never below BOT_CONCURRENCY (fewer would leave workers idle)."""
        return max(self.bot_prefetch or 4 * self.bot_concurrency, self.bot_concurrency)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        # "1, 2 3" is friendlier in a .env file than JSON
        if isinstance(value, str):
            return frozenset(int(p) for p in value.replace(",", " ").split())
        return value

    @field_validator(
        "telegram_bot_token",
        "webhook_secret",
        "webhook_url",
        "telegram_base_url",
        "bot_prefetch",
        mode="before",
    )
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        # An empty line `TELEGRAM_BOT_TOKEN=` in .env means "not set" (console mode)
        return blank_is_none(value)

    @field_validator("webhook_secret")
    @classmethod
    def _secret_charset(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(
            r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()
        ):
            # the value itself is never echoed: it is a secret
            raise ValueError("WEBHOOK_SECRET must be 1-256 characters of A-Z a-z 0-9 _ -")
        return value

    @property
    def token(self) -> str | None:
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None

    def secrets(self) -> list[str]:
        """Values that must never reach a log line."""
        out = [s.get_secret_value() for s in (self.telegram_bot_token, self.webhook_secret) if s]
        url = self.database_url_value
        if url:
            out.append(url)
            password = urlsplit(url).password
            if password:
                out.append(unquote(password))
                out.append(password)
        return [s for s in out if s]
