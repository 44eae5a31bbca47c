"""GET /titles on the real titles (issue 22 item 8): the CSV reads back as the JSON for every
title, the awkward names included (commas, double quotes, a line break: The Memphis Belle), and
the filters select what the bot's /browse selects for the same words."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.routes.titles import CSV_COLUMNS
from api.settings import ApiSettings
from catalog import Catalog, CatalogHolder
from chat.commands import Commands
from chat.replies import Person, plain_text
from people import sqlite_store
from tests.api_helpers import build_real

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def holder(real_titles_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> CatalogHolder:
    return CatalogHolder(build_real(tmp_path_factory.getbasetemp() / "api-real", real_titles_dir))


@pytest.fixture(scope="module")
def client(holder: CatalogHolder) -> Iterator[TestClient]:
    with TestClient(create_app(ApiSettings(data_dir=holder.data_dir), holder=holder)) as c:
        yield c


def _shown(value: object) -> str:
    """A JSON value as the CSV writes it."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(value)
    return str(value)


def test_the_csv_of_every_title_reads_back_as_the_json(
    client: TestClient, holder: CatalogHolder
) -> None:
    names = {
        r["id"]: r["title"]
        for r in pq.read_table(
            Path(holder.data_dir) / "processed" / "display.parquet", columns=["id", "title"]
        ).to_pylist()
    }
    total = client.get("/titles", params={"limit": 1}).json()["total"]
    assert total > 20_000
    rows: list[dict[str, str]] = []
    frames: list[pd.DataFrame] = []
    for offset in range(0, total, 100):
        params = {"offset": offset, "limit": 100, "sort": "newest"}
        page = client.get("/titles", params=params).json()
        r = client.get("/titles", params={**params, "format": "csv"})
        assert r.headers["x-total-count"] == str(total) and r.headers["x-offset"] == str(offset)
        read = list(csv.DictReader(io.StringIO(r.text)))
        assert len(read) == len(page["items"])
        for item, row in zip(page["items"], read, strict=True):
            assert row == {k: _shown(item[k]) for k in CSV_COLUMNS}, item["id"]
        rows += read
        # and as an analyst's pandas reads it: no row split or merged by a quote or line break
        frames.append(pd.read_csv(io.StringIO(r.text), dtype=str, keep_default_na=False))
    assert len(rows) == total == len({r["id"] for r in rows})
    table = pd.concat(frames)
    assert list(table["id"]) == [r["id"] for r in rows]
    assert list(table["title"]) == [r["title"] for r in rows]
    # the names as the data writes them, the awkward ones included
    assert all(r["title"] == names[r["id"]] for r in rows)
    awkward = {ch: [r for r in rows if ch in r["title"]] for ch in (",", '"', "\n")}
    assert all(awkward.values()), {ch: len(rs) for ch, rs in awkward.items()}
    assert any(r["title"] == "The Memphis Belle: A Story of a\nFlying Fortress" for r in rows)


# The bot's words and the same filters as /titles' parameters, written here.
PHRASES = [
    ("netflix comedy 2020", {"platform": "netflix", "genre": "comedy", "year": 2020}),
    ("series 90s drama", {"kind": "tv show", "decade": 1990, "genre": "drama"}),
    ("películas terror 3+ recientes",
     {"kind": "movie", "genre": "horror", "min_score": 3, "sort": "newest"}),
    ("disney family 1990s", {"platform": "disney", "genre": "family", "decade": 1990}),
    ("hulu documentaries best", {"platform": "hulu", "genre": "documentary", "sort": "score"}),
    ("amazon prime anime", {"platform": "prime", "genre": "anime"}),
    ("todas comedia 2019", {"platform": "all", "genre": "Comedia", "year": 2019}),
    ("shows sci-fi", {"kind": "shows", "genre": "Sci-Fi & Fantasy"}),
]  # fmt: skip


@pytest.mark.parametrize(("phrase", "params"), PHRASES)
def test_the_filters_select_what_the_bots_browse_selects(
    client: TestClient, holder: CatalogHolder, phrase: str, params: dict
) -> None:
    cat: Catalog = holder.current
    bot = cat.browse_words(phrase, 0, 100)  # what /browse <words> asks the catalogue
    body = client.get("/titles", params={**params, "limit": 100}).json()
    assert body["total"] == bot.total > 0, phrase
    assert [t["id"] for t in body["items"]] == [i.title.id for i in bot.items]
    q = bot.query
    assert body["filters"] == {
        "platform": q.platform, "kind": q.kind, "genre": q.genre, "year": q.year,
        "decade": q.decade, "min_score": q.min_score, "sort": q.sort,
    }  # fmt: skip
    if bot.total > 100:  # the next page, as the bot's pager asks for it
        second = client.get("/titles", params={**params, "limit": 100, "offset": 100}).json()
        assert [t["id"] for t in second["items"]] == [
            i.title.id for i in cat.browse_query(q, 100, 100).items
        ]


@pytest.mark.parametrize(("phrase", "params"), PHRASES[:3])
async def test_the_bots_reply_counts_what_the_api_counts(
    client: TestClient, holder: CatalogHolder, tmp_path: Path, phrase: str, params: dict
) -> None:
    """Through the console chat's own command logic: the count in /browse's reply."""
    commands = Commands(holder, sqlite_store(tmp_path / "r.sqlite3"), reloader=None)
    person = Person(user_id=7, chat_id=7, lang="en")
    text = "\n".join(
        [plain_text(r.text) async for r in commands.on_text(person, f"/browse {phrase}")]
    )
    said = re.search(r": ([\d,]+) titles?, ", text)
    assert said is not None, text
    total = client.get("/titles", params={**params, "limit": 1}).json()["total"]
    assert int(said.group(1).replace(",", "")) == total
