"""Refresh settings: environment variables (and `.env`), each overridable by a command option."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator

from config import DataSettings, blank_is_none


class RefreshSettings(DataSettings):
    """REFRESH_* variables; DATA_DIR from the shared base."""

    refresh_inbox: Path | None = None  # default <DATA_DIR>/inbox
    refresh_keep: int = Field(default=5, ge=1)  # releases kept (the current one always is)
    refresh_max_drop: float = Field(default=0.30, ge=0.0, le=1.0)  # share of a platform's titles
    refresh_model_margin: float = Field(
        default=0.05, ge=0.0
    )  # relative validation RMSE increase allowed
    refresh_budget: float = Field(default=180.0, gt=0)  # seconds of hyper-parameter search
    refresh_interval: float | None = Field(default=None, gt=0)  # serve: seconds between runs
    refresh_cron: str | None = None  # serve: a crontab line, e.g. "0 4 * * *"
    # serve: seconds an inbox must stay unchanged
    refresh_settle: float = Field(default=30.0, ge=0)
    refresh_poll: float = Field(default=5.0, gt=0)  # serve: seconds between inbox checks

    _blank = field_validator("refresh_inbox", "refresh_interval", "refresh_cron", mode="before")(
        blank_is_none
    )

    def inbox(self) -> Path:
        return self.refresh_inbox or self.data_dir / "inbox"
