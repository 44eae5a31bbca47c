"""Cast lists: a cast cell as its members (matching text is folded by domain.text.fold)."""

from __future__ import annotations


def split_cast(cast: str | None) -> list[str]:
    """A cast cell split on commas and trimmed, empty members dropped (DESIGN.md)."""
    if not cast:
        return []
    return [m for m in (part.strip() for part in cast.split(",")) if m]
