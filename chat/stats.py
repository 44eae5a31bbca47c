"""Counters for /status: what this process has served since it started."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Stats:
    started: float = field(default_factory=time.monotonic)
    updates: int = 0
    errors: int = 0
    denied: int = 0  # admin commands from people who are not admins
    commands: Counter[str] = field(default_factory=Counter)

    def uptime(self) -> float:
        return time.monotonic() - self.started
