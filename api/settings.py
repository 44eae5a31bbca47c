"""Configuration of the HTTP API from the environment (and `.env` when present).

Variables (see `.env.example`): API_HOST, API_PORT, DATA_DIR, RECOMMEND_THRESHOLD, LOG_LEVEL,
API_ADMIN_TOKEN, and the connection limits API_HEADER_TIMEOUT, API_KEEP_ALIVE_TIMEOUT,
API_MAX_HEADER_BYTES, API_LIMIT_CONCURRENCY, API_BACKLOG (docs/api.md, "Connections").
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
    # Connections (api/connections.py, docs/api.md): a request head must arrive within
    # API_HEADER_TIMEOUT seconds of the connection opening (or of the next request's first
    # byte); a kept-alive connection is closed API_KEEP_ALIVE_TIMEOUT seconds after its last
    # response; a request head over API_MAX_HEADER_BYTES is refused (400); past
    # API_LIMIT_CONCURRENCY open connections and requests, new ones get 503 at once.
    api_header_timeout: float = Field(default=10.0, gt=0, le=300)
    api_keep_alive_timeout: int = Field(default=5, ge=1, le=300)
    api_max_header_bytes: int = Field(default=16384, ge=1024, le=1 << 20)
    api_limit_concurrency: int = Field(default=1000, ge=1)
    api_backlog: int = Field(default=2048, ge=1)

    @field_validator("api_admin_token", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return blank_is_none(value)

    @property
    def admin_token(self) -> str | None:
        return self.api_admin_token.get_secret_value() if self.api_admin_token else None
