"""The data contract of data/processed/ (docs/data.md): Catalog.load checks every column's name and
Arrow type of all four files; the ETL writes exactly that contract; the docs say the same."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from catalog import Catalog, CatalogLoadError
from catalog.loading import CONTRACT, type_name
from etl.__main__ import main as etl_main
from tests.catalog_helpers import write_processed
from tests.etl_helpers import minimal_raw

ROOT = Path(__file__).resolve().parents[2]


def _replace(path: Path, column: str, array: pa.Array | None) -> None:
    """Rewrite one column of a parquet file (None drops it)."""
    table = pq.read_table(path)
    i = table.column_names.index(column)
    table = table.remove_column(i) if array is None else table.set_column(i, column, array)
    pq.write_table(table, path)


def _cast(name: str, column: str, to: pa.DataType) -> Callable[[Path], tuple[str, str, str]]:
    def breaker(processed: Path) -> tuple[str, str, str]:
        path = processed / f"{name}.parquet"
        _replace(path, column, pc.cast(pq.read_table(path)[column], to))
        return f"{name}.parquet", column, type_name(to)

    breaker.__name__ = f"{name}.{column}_as_{to}"
    return breaker


def _write_ratings(processed: Path, **types: pa.DataType) -> None:
    """A small ratings.parquet in the contract's schema, some columns cast to `types`."""
    table = pa.table(
        {
            "userId": pa.array([1, 2], pa.int32()),
            "rating": pa.array([4.0, 3.5], pa.float32()),
            "timestamp": pa.array([dt.date(2020, 1, 1)] * 2, pa.date32()),
            "movieId": pa.array(["as1", "ns1"], pa.string()),
        },
        schema=CONTRACT["ratings"],
    )
    schema = pa.schema([(f.name, types.get(f.name, f.type)) for f in CONTRACT["ratings"]])
    pq.write_table(table.cast(schema), processed / "ratings.parquet")


def _ratings_user_id_int64(processed: Path) -> tuple[str, str, str]:
    _write_ratings(processed, userId=pa.int64())
    return "ratings.parquet", "userId", "int64"


TYPE_BREAKERS = [
    _cast("titles", "release_year", pa.string()),  # the case of issue 11 item 6
    _cast("titles", "release_year", pa.int64()),
    _cast("titles", "duration_int", pa.float64()),
    _cast("titles", "date_added", pa.string()),
    _cast("titles", "date_added", pa.timestamp("ms")),
    _cast("titles", "id", pa.binary()),
    _cast("scores", "score", pa.string()),
    _cast("scores", "votes", pa.float64()),
    _cast("display", "title", pa.binary()),
    _ratings_user_id_int64,
]


@pytest.mark.parametrize("breaker", TYPE_BREAKERS, ids=lambda f: f.__name__)
def test_a_column_of_another_type_is_refused_naming_column_and_both_types(
    tmp_path: Path, breaker: Callable[[Path], tuple[str, str, str]]
) -> None:
    processed = write_processed(tmp_path) / "processed"
    _write_ratings(processed)
    Catalog.load(tmp_path)  # the untouched files load
    file, column, actual = breaker(processed)
    expected = type_name(CONTRACT[file.removesuffix(".parquet")].field(column).type)
    with pytest.raises(CatalogLoadError) as e:
        Catalog.load(tmp_path)
    assert f"{file} column {column} is {actual}, expected {expected}" in str(e.value)
    assert "docs/data.md" in str(e.value)


def test_a_missing_contract_column_is_refused_even_one_the_catalogue_does_not_serve(
    tmp_path: Path,
) -> None:
    processed = write_processed(tmp_path) / "processed"
    _replace(processed / "titles.parquet", "show_id", None)
    with pytest.raises(CatalogLoadError, match=r"titles\.parquet lacks column\(s\) show_id"):
        Catalog.load(tmp_path)


def test_every_wrong_column_is_named_at_once(tmp_path: Path) -> None:
    processed = write_processed(tmp_path) / "processed"
    _cast("titles", "release_year", pa.string())(processed)
    _cast("titles", "duration_int", pa.int64())(processed)
    with pytest.raises(CatalogLoadError) as e:
        Catalog.load(tmp_path)
    assert "release_year is string, expected int32" in str(e.value)
    assert "duration_int is int64, expected int32" in str(e.value)


def test_nulls_where_the_contract_forbids_them_are_refused(tmp_path: Path) -> None:
    processed = write_processed(tmp_path) / "processed"
    ids = pq.read_table(processed / "titles.parquet")["id"].to_pylist()
    _replace(processed / "titles.parquet", "id", pa.array([None, *ids[1:]], pa.string()))
    with pytest.raises(CatalogLoadError, match=r"titles\.parquet has nulls in column\(s\) id"):
        Catalog.load(tmp_path)


def test_extra_columns_and_large_strings_are_accepted(tmp_path: Path) -> None:
    """A writer on pandas 3 stores text as large_string; it reads back the same."""
    processed = write_processed(tmp_path) / "processed"
    before = Catalog.load(tmp_path)
    path = processed / "titles.parquet"
    table = pq.read_table(path)
    table = table.cast(
        pa.schema([pa.field(f.name, pa.large_string() if f.type == pa.string() else f.type)
                   for f in table.schema])
    ).append_column("extra", pa.array(range(table.num_rows)))  # fmt: skip
    pq.write_table(table, path)
    after = Catalog.load(tmp_path)
    assert after.count_platform() == before.count_platform()
    assert after.search("amelie") == before.search("amelie")


def test_the_etl_writes_exactly_the_contract(tmp_path: Path) -> None:
    raw = minimal_raw(tmp_path / "raw")
    out = tmp_path / "data" / "processed"
    assert etl_main(["--raw", str(raw), "--out", str(out), "-q"]) == 0
    for name, schema in CONTRACT.items():
        written = pq.read_schema(out / f"{name}.parquet")
        assert [(f.name, f.type) for f in written] == [(f.name, f.type) for f in schema], name
    Catalog.load(tmp_path / "data")


_DOC_TYPE = re.compile(r"\b(string|int32|int64|float32|float64|date32)\b")


def _documented_types(section: str) -> dict[str, str]:
    """{column: type} from a docs/data.md table: | `a`, `b` | type ... |"""
    found: dict[str, str] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not cells[0].startswith("`"):
            continue
        kind = _DOC_TYPE.search(cells[1])
        assert kind, line
        for column in re.findall(r"`([^`]+)`", cells[0]):
            found[column] = kind.group(1)
    return found


def test_docs_state_the_same_contract() -> None:
    text = (ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    sections = re.split(r"^## ", text, flags=re.M)
    for name, schema in CONTRACT.items():
        [section] = [s for s in sections if s.startswith(f"{name}.parquet")]
        documented = _documented_types(section)
        assert documented == {f.name: type_name(f.type) for f in schema}, name
