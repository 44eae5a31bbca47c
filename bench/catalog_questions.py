"""The questions `python -m bench catalog` times: argument lists drawn from the catalogue and
typed the way users type them (platform aliases, names with a typo), and the timing helpers.
Used by bench/catalog.py."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from typing import Any

ALIASES = {
    "amazon": ["amazon", "Prime", "a"],
    "disney": ["disney+", "Disney", "d"],
    "hulu": ["hulu", "H"],
    "netflix": ["Netflix", "n"],
}


def with_typo(rng: random.Random, text: str) -> str:
    """Drop, double or swap one letter, as people do when typing a title."""
    if len(text) < 4:
        return text
    k = rng.randrange(1, len(text) - 1)
    op = rng.randrange(3)
    if op == 0:
        return text[:k] + text[k + 1 :]
    if op == 1:
        return text[:k] + text[k] + text[k:]
    return text[: k - 1] + text[k] + text[k - 1] + text[k + 1 :]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def time_calls(fn: Callable[..., object], arguments: list[tuple[object, ...]]) -> dict[str, float]:
    """Wall-clock p50/p99 (what a user waits) and thread-CPU p99 (free of other processes
    taking the cores: the machine is shared), in milliseconds."""
    wall, cpu = [], []
    for args in arguments:
        c = time.thread_time_ns()
        t = time.perf_counter_ns()
        fn(*args)
        wall.append((time.perf_counter_ns() - t) / 1e6)
        cpu.append((time.thread_time_ns() - c) / 1e6)
    return {
        "p50": statistics.median(wall),
        "p99": percentile(wall, 0.99),
        "cpu_p99": percentile(cpu, 0.99),
    }


Question = tuple[Callable[..., object], list[tuple[object, ...]]]


def questions(cat: Any, rng: random.Random, n: int) -> dict[str, Question]:
    """name -> (method, n argument tuples drawn from the catalogue)."""
    platforms = list(ALIASES)
    years = {p: cat.years(p) for p in platforms}
    # bench only: sample the names of served titles (platform test rows are found by nothing,
    # so typing one measures a no-match query; "search (no such title)" times those).
    served = sorted(set(cat.index.rows.row_of_id.values()))
    names = [
        cat.index.rows.display_title[r] for r in served if len(cat.index.rows.display_title[r]) >= 4
    ]
    ids = list(cat.index.rows.row_of_id)

    def alias(p: str | None) -> str | None:
        return None if p is None else rng.choice(ALIASES[p])

    def platform_year() -> tuple[str | None, str]:
        p = rng.choice(platforms)
        return alias(p), str(rng.choice(years[p]))

    def some_platform() -> str | None:
        return alias(rng.choice([*platforms, None]))

    def max_duration_args() -> tuple[int | None, str | None, str | None]:
        p = rng.choice([*platforms, None])
        year = rng.choice([*years[p or "netflix"], None])
        dtype = rng.choice([None, "min", "minutes", "season", "seasons"])
        return (year, alias(p), dtype)

    def score_count_args() -> tuple[str | None, str, str]:
        p, year = platform_year()
        return (p, f"{rng.uniform(0, 5):.2f}", year)

    def typed_name() -> str:
        name = rng.choice(names)
        return with_typo(rng, name) if rng.random() < 0.5 else name

    def garbage() -> str:
        """Letters and symbols no title holds, 3-30 characters: what a stray message is."""
        return "".join(rng.choice("qxzjkvw ñ🙂#") for _ in range(rng.randrange(3, 31)))

    def many(make: Callable[[], tuple[object, ...]]) -> list[tuple[object, ...]]:
        return [make() for _ in range(n)]

    out: dict[str, Question] = {
        "max_duration": (cat.max_duration, many(max_duration_args)),
        "score_count": (cat.score_count, many(score_count_args)),
        "count_platform": (cat.count_platform, many(lambda: (some_platform(),))),
        "actor": (cat.actor, many(platform_year)),
        "search (exact name)": (cat.search, many(lambda: (rng.choice(names),))),
        "search (one typo)": (cat.search, many(lambda: (with_typo(rng, rng.choice(names)),))),
        "search (first word)": (cat.search, many(lambda: (rng.choice(names).split()[0],))),
        "search (no such title)": (cat.search, many(lambda: (garbage(),))),
        "search_page (first word, page 3)": (
            cat.search_page,
            many(lambda: (rng.choice(names).split()[0], 20, 10)),
        ),
        "where_to_watch (half with a typo)": (cat.where_to_watch, many(lambda: (typed_name(),))),
        "where_to_watch (first word)": (
            cat.where_to_watch,
            many(lambda: (rng.choice(names).split()[0],)),
        ),
        "resolve_title (name)": (cat.resolve_title, many(lambda: (rng.choice(names),))),
        "title (id)": (cat.title, many(lambda: (rng.choice(ids),))),
        "years": (cat.years, many(lambda: (some_platform(),))),
    }
    if cat.recommender is not None:
        users = [int(u) for u in cat.recommender.user_ids[:1000]]
        known = [t for t in cat.recommender.title_ids[:5000] if t in cat.index.rows.row_of_id]
        out["recommend (user, id)"] = (
            cat.recommend,
            many(lambda: (rng.choice(users), rng.choice(known))),
        )
        out["top (user, 10)"] = (cat.top, many(lambda: (rng.choice(users), 10)))
        out["top (user, 10, platform, kind)"] = (
            cat.top,
            many(lambda: (rng.choice(users), 10, rng.choice(platforms), "movie")),
        )
        out["similar (id, 10)"] = (cat.similar, many(lambda: (rng.choice(known), 10)))
        out["for_ratings (5 ratings, 10)"] = (
            cat.for_ratings,
            many(lambda: ({t: rng.choice([1.0, 3.0, 5.0]) for t in rng.sample(known, 5)}, 10)),
        )
    return out
