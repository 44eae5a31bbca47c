"""Where people's state lives, from the environment (and `.env`): DATABASE_URL, the pool's size
and patience, and the SQLite file under DATA_DIR used when DATABASE_URL is unset. The bot's
Settings adds these to its own; `python -m people` reads only these."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator

from config import DataSettings, blank_is_none


class StoreSettings(DataSettings):
    # unset or sqlite:///path -> the SQLite file (DATA_DIR/state/ratings.sqlite3 when unset);
    # postgresql://user:password@host:port/db -> PostgreSQL. Secret: it may carry a password.
    database_url: SecretStr | None = None
    # PostgreSQL connections per process (unset: the bot's BOT_CONCURRENCY, one per update in
    # flight) and how long a call waits for a free one before the person hears the store is busy.
    database_pool_max: int | None = Field(default=None, ge=1, le=1000)
    database_pool_timeout: float = Field(default=5.0, gt=0, le=300)

    @field_validator("database_url", "database_pool_max", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # `DATABASE_URL=` in .env means "not set" (a name of its own: the bot's Settings has
        # an `_empty_is_none` of its own, which would hide this one)
        return blank_is_none(value)

    @property
    def database_url_value(self) -> str | None:
        return self.database_url.get_secret_value() if self.database_url else None

    @property
    def state_dir(self) -> Path:
        return self.data_dir / "state"

    @property
    def ratings_db(self) -> Path:
        return self.state_dir / "ratings.sqlite3"
