"""Configuration of the HTTP API from the environment (and `.env` when present).

Variables (see `.env.example`): API_HOST, API_PORT, DATA_DIR, RECOMMEND_THRESHOLD, LOG_LEVEL,
API_ADMIN_TOKEN.
"""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from config import ServiceSettings, blank_is_none


class ApiSettings(ServiceSettings):
    """Every knob of `python -m api`. Field names are the environment variables, upper-cased;
    DATA_DIR, RECOMMEND_THRESHOLD and LOG_LEVEL come from config.ServiceSettings."""

    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=0, le=65535)
    # POST /admin/reload needs this value in the X-Admin-Token header; unset = reload disabled.
    api_admin_token: SecretStr | None = None

    @field_validator("api_admin_token", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return blank_is_none(value)

    @property
    def admin_token(self) -> str | None:
        return self.api_admin_token.get_secret_value() if self.api_admin_token else None
