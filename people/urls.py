"""DATABASE_URL, read: which database it names, and how to show it without its password."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

SQLITE_PREFIX = "sqlite:///"
POSTGRES_PREFIXES = ("postgresql://", "postgres://")


def is_postgres(url: str) -> bool:
    return url.startswith(POSTGRES_PREFIXES)


def sqlite_path(url: str) -> Path:
    """`sqlite:///relative/path` or `sqlite:////absolute/path` (SQLAlchemy's spelling)."""
    return Path(url[len(SQLITE_PREFIX) :])


def sqlalchemy_url(url: str) -> str:
    """The URL with the driver SQLAlchemy should use: psycopg 3 for PostgreSQL (plain
    `postgresql://` would mean psycopg2, which we do not ship)."""
    for prefix in POSTGRES_PREFIXES:
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def safe_url(url: str) -> str:
    """A database URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()
