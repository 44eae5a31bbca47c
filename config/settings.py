"""DataSettings (DATA_DIR) for every entry point; ServiceSettings adds what the bot and the API
both serve with. Field names are the environment variables, upper-cased."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class DataSettings(BaseSettings):
    """DATA_DIR: the folder holding raw/, processed/, models/, reports/ and state/.

    `.env` is read from the working directory; a variable set in the environment wins over it,
    and each command's `--data-dir` wins over both. Other variables are ignored, so one `.env`
    serves every entry point.
    """

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    data_dir: Path = Path("data")


class ServiceSettings(DataSettings):
    """The knobs the bot and the API share."""

    recommend_threshold: float = Field(default=3.5, ge=0.5, le=5.0)
    log_level: str = "INFO"


def blank_is_none(value: object) -> object:
    """For a `mode="before"` validator: an empty line `NAME=` in .env means "not set"."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


def resolve_data_dir(given: Path | None) -> Path:
    """The data folder a command uses: `given` (its --data-dir) when set, else DATA_DIR."""
    return given if given is not None else DataSettings().data_dir
