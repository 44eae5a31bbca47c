"""A title id on two raw rows with different titles: the ETL keeps both rows and reports the id;
the catalogue serves the first row of that id everywhere (docs/data.md, "Duplicate ids")."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from catalog import Catalog
from chat.views import title_details, title_ref
from etl.__main__ import main
from tests.etl_helpers import minimal_raw, title_row, write_titles
from tests.fakes.botdata import data_copy


def test_duplicate_id_is_reported_kept_and_served_as_its_first_row(tmp_path: Path) -> None:
    raw = minimal_raw(tmp_path / "raw")
    write_titles(
        raw / "titles" / "netflix_titles.csv",
        [
            title_row("s1", title="Original Film", type="Movie", duration="90 min"),
            title_row("s2"),
            title_row("s1", title="Impostor Show", type="TV Show", duration="2 Seasons"),
        ],
    )
    out = tmp_path / "data" / "processed"
    assert main(["--raw", str(raw), "--out", str(out), "-q"]) == 0
    report = json.loads((tmp_path / "data" / "reports" / "etl.json").read_text())
    assert report["anomalies"]["duplicate_id"] == {"count": 1, "samples": ["ns1"]}
    assert any("serves the first row" in note for note in report["notes"])
    titles = pq.read_table(out / "titles.parquet").to_pylist()
    assert [t["title"] for t in titles if t["id"] == "ns1"] == ["original film", "impostor show"]

    cat = Catalog.load(tmp_path / "data")
    assert cat.title("ns1").title == "Original Film"
    assert cat.title("NS1").type == "movie"
    assert cat.resolve_title("ns1").title.title == "Original Film"
    assert (cat.search("original film")[0].id, cat.search("original film")[0].title) == (
        "ns1",
        "Original Film",
    )
    assert all(h.title != "Impostor Show" for h in cat.search("impostor show", 100))
    assert not cat.resolve_title("Impostor Show").title
    watch = cat.where_to_watch("original film")
    assert [(w.title, [o.id for o in w.offers]) for w in watch] == [("Original Film", ["ns1"])]
    assert all(o.id != "ns1" for w in cat.where_to_watch("impostor show") for o in w.offers)
    [netflix] = cat.count_platform("netflix")
    assert (netflix.movies, netflix.shows) == (2, 0)  # s1 once (as its first row) and s2
    assert cat.max_duration(platform="netflix", duration_type="season").titles == ()
    info = cat.title("ns1")  # the card /rate shows: name line and details (chat/commands.py)
    card = title_ref("en", info.ref) + title_details("en", info)
    assert "Original Film" in card and "Impostor" not in card


def _duplicate(data: Path, ids: list[str]) -> None:
    """Append a second row for each id, with another title, to titles and display.parquet."""
    for name, column in (("titles", "title"), ("display", "title")):
        path = data / "processed" / f"{name}.parquet"
        table = pq.read_table(path)
        rows = [r for r in table.to_pylist() if r["id"] in ids]
        for r in rows:
            r[column] = f"impostor of {r['id']}"
        extra = pa.Table.from_pylist(rows, schema=table.schema)
        pq.write_table(pa.concat_tables([table, extra]), path)


def test_recommendations_show_the_same_title_for_a_duplicated_id(tmp_path: Path) -> None:
    """Real demo data and a real trained model; two ids the model ranks are duplicated."""
    data = data_copy(tmp_path / "data")
    before = Catalog.load(data)
    top = before.top(1, 1)[0].title
    near = before.similar(top.id, 1)[0].title
    _duplicate(data, [top.id, near.id])
    cat = Catalog.load(data)
    assert cat.recommender is not None
    assert cat.info.titles == before.info.titles  # the later rows are not served
    assert cat.top(1, 1)[0].title == top
    assert cat.similar(top.id, 1)[0].title == near
    assert cat.recommend(1, top.id).title == top
    assert cat.resolve_title(near.id).title.title == near.title
    assert cat.for_ratings({near.id: 5.0}, 50) == before.for_ratings({near.id: 5.0}, 50)
    for tid in (top.id, near.id):
        assert not [h for h in cat.search(f"impostor of {tid}", 100) if h.id == tid]
