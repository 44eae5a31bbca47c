"""The settings every entry point shares: read from the environment and `.env` (see
`.env.example`), one field per variable.

A leaf package like domain/ and charts/ (it imports pydantic-settings and none of the
project's packages), so the bot and the API (bot, api → catalog → model) and the offline tools
(`python -m model`, `python -m etl.eda`; etl imports no serving code) all subclass or read
the same base without an import running between them.
"""

from config.settings import DataSettings, ServiceSettings, blank_is_none, resolve_data_dir

__all__ = ["DataSettings", "ServiceSettings", "blank_is_none", "resolve_data_dir"]
