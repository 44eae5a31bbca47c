"""Child process of test_fifth_platform.py: domain/vocabulary.py with a fifth platform added by
the one edit a developer makes (a Platform in the table, its key in the PlatformKey Literal),
then the real ETL -> catalogue -> console chat -> API in this process, all reading that
vocabulary. Prints what each part answered as JSON for the parent to check.

Run as `python tests/domain/fifth_platform.py <work dir>` from the repository root. Not a test
module itself: the edit must happen before any project module is imported, so in a fresh
interpreter (importing it into pytest's would change the vocabulary for every other test).
"""

from __future__ import annotations

import asyncio
import csv
import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

KEY, LETTER, NAME = "apple", "p", "Apple TV+"
THE_EDIT = f"""    Platform(
        key="{KEY}",
        letter="{LETTER}",
        names=_names("{NAME}", "{NAME}"),
        aliases=("{LETTER}", "apple tv", "apple tv+", "appletv"),
        color="#8E8E93",
        search_url="https://tv.apple.com/search?term={{q}}",
    ),
"""
HEADER = ["show_id", "type", "title", "director", "cast", "country", "date_added",
          "release_year", "rating", "duration", "listed_in", "description"]  # fmt: skip
# Each platform a title or two; the fifth three, one of them also on netflix (where to watch).
TITLES = {
    "amazon": [["s1", "Movie", "Harbor Lights", "Ann Lee", "Tom Hale", "United States",
                "March 1, 2021", "2019", "PG", "95 min", "Drama", "A harbor."]],
    "disney": [["s1", "Movie", "Frozen Sky", "", "Eva Bell", "", "May 2, 2020", "2018", "G",
                "88 min", "Family", "Snow."]],
    "hulu": [["s1", "TV Show", "Night Shift", "", "", "", "", "2017", "TV-14", "2 Seasons",
              "Comedy", "Nights."]],
    "netflix": [["s1", "Movie", "Orbit Nine", "Ren Ito", "Mia Soto", "Japan",
                 "June 3, 2021", "2020", "PG-13", "101 min", "Sci-Fi", "Space."]],
    KEY: [["s1", "Movie", "Orbit Nine", "Ren Ito", "Mia Soto", "Japan", "July 4, 2022", "2020",
           "PG-13", "101 min", "Sci-Fi", "Space."],
          ["s2", "Movie", "Severed Hours", "Ben Stiller", "Adam Scott, Mia Soto", "United States",
           "February 18, 2022", "2022", "TV-MA", "142 min", "Drama, Thriller", "Work."],
          ["s3", "TV Show", "Slow Mornings", "", "Mia Soto", "United Kingdom", "April 1, 2022",
           "2022", "TV-14", "3 Seasons", "Comedy", "Mornings."]],
}  # fmt: skip


def add_fifth_platform() -> None:
    """Load domain.vocabulary from its source with THE_EDIT applied, before anything imports it."""
    path = ROOT / "domain" / "vocabulary.py"
    source = path.read_text()
    literal = 'PlatformKey = Literal["amazon", "disney", "hulu", "netflix"]'
    table_end = "\n)\n_KINDS = ("
    assert source.count(literal) == 1 and source.count(table_end) == 1, "vocabulary.py moved"
    source = source.replace(literal, literal[:-1] + f', "{KEY}"]')
    source = source.replace(table_end, "\n" + THE_EDIT.rstrip("\n") + table_end)
    spec = importlib.util.spec_from_loader("domain.vocabulary", loader=None, origin=str(path))
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    module.__file__ = str(path)
    sys.modules["domain.vocabulary"] = module  # dataclasses look their module up here
    exec(compile(source, str(path), "exec"), module.__dict__)
    import domain

    domain.vocabulary = module  # type: ignore[attr-defined]


def write_raw(raw: Path) -> None:
    (raw / "titles").mkdir(parents=True)
    (raw / "ratings").mkdir(parents=True)
    for platform, rows in TITLES.items():
        name = f"{platform}_titles.csv"
        with (raw / "titles" / name).open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows([HEADER, *rows])
    with (raw / "ratings" / "ratings_1.csv").open("w", newline="") as f:
        csv.writer(f).writerows(
            [["userId", "rating", "timestamp", "movieId"]]
            + [[u, 4.0, 1600000000, tid] for u in (1, 2) for tid in ("ps1", "ps2", "ns1")]
        )


async def chat_answers(data_dir: Path, work: Path) -> dict[str, str]:
    from catalog.holder import CatalogHolder
    from chat.commands import Commands
    from chat.replies import Person, plain_text
    from people import sqlite_store

    commands = Commands(CatalogHolder(data_dir), sqlite_store(work / "r.sqlite3"), reloader=None)
    out: dict[str, str] = {}
    for lang in ("en", "es"):
        person = Person(user_id=7, chat_id=7, lang=lang)
        for line in (
            "/platformcount apple tv",
            "/maxduration 2022 apple",
            "/actor p 2022",
            "/search orbit nine",
            "/director ben stiller",
            "/platformcount",
            "/platformcount hbo",
            "/myplatforms",
            "/help",
            "/start",
            "/chart platforms",
        ):
            replies = [r async for r in commands.on_text(person, line)]
            texts = [plain_text(r.text) + (" [photo]" if r.photo else "") for r in replies]
            buttons = [b.text for r in replies for row in (r.keyboard or []) for b in row]
            out[f"{lang} {line}"] = "\n".join(texts) + "\n[" + " | ".join(buttons) + "]"
    return out


def api_answers(data_dir: Path) -> dict[str, object]:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import ApiSettings
    from catalog.holder import CatalogHolder

    app = create_app(ApiSettings(data_dir=data_dir), CatalogHolder(data_dir))
    out: dict[str, object] = {}
    with TestClient(app) as client:
        for url in (
            "/count_platform?platform=Apple%20TV%2B",
            "/max_duration?platform=p&year=2022",
            "/where_to_watch?title=orbit%20nine",
            "/count_platform?platform=hbo",
        ):
            answer = client.get(url)
            out[url] = {"status": answer.status_code, "body": answer.json()}
        out["openapi platform enum"] = sorted(
            {
                v
                for schema in client.get("/openapi.json").json()["components"]["schemas"].values()
                for prop in schema.get("properties", {}).values()
                for v in prop.get("enum", [])
                if v == KEY or v == "netflix"
            }
        )
    return out


def main(work: Path) -> None:
    add_fifth_platform()
    from domain import vocabulary

    assert KEY in vocabulary.PLATFORMS
    raw, data_dir = work / "raw", work / "data"
    write_raw(raw)
    from etl.__main__ import main as etl_main

    code = etl_main(["--raw", str(raw), "--out", str(data_dir / "processed"), "-q"])
    assert code == 0, f"etl exited {code}"
    from catalog.core import Catalog

    catalog = Catalog.load(data_dir)
    counts = {c.platform: [c.movies, c.shows] for c in catalog.count_platform()}
    from charts.base import pcolor

    result = {
        "platforms": list(vocabulary.PLATFORMS),
        "counts": counts,
        "chart colour": pcolor(KEY),
        "chat": asyncio.run(chat_answers(data_dir, work)),
        "api": api_answers(data_dir),
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
