"""HTTP API over `catalog` (FastAPI): `python -m api`; see docs/api.md."""

from api.app import create_app
from api.settings import ApiSettings

__all__ = ["ApiSettings", "create_app"]
