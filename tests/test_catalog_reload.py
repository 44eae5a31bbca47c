"""CatalogHolder: a new catalogue is built beside the serving one; a failed reload keeps it."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from catalog import CatalogHolder, CatalogLoadError
from tests.catalog_helpers import ROWS, write_processed


def test_reload_swaps_in_new_data(tmp_path: Path) -> None:
    holder = CatalogHolder(write_processed(tmp_path, ROWS[:-1]))
    old = holder.current
    assert old.count_platform("hulu")[0].movies == 0
    write_processed(tmp_path)
    new = holder.reload()
    assert holder.current is new and new is not old
    assert new.count_platform("hulu")[0].movies == 1
    assert new.info.version != old.info.version
    assert old.count_platform("hulu")[0].movies == 0  # whoever still holds the old one is fine


def test_failed_reload_keeps_the_old_catalog_and_says_why(tmp_path: Path) -> None:
    holder = CatalogHolder(write_processed(tmp_path))
    old = holder.current
    (tmp_path / "processed" / "titles.parquet").write_bytes(b"half a file")
    with pytest.raises(CatalogLoadError, match=r"reload failed, still serving version .*titles"):
        holder.reload()
    assert holder.current is old
    assert old.max_duration().duration == 200


def test_first_load_failure_raises(tmp_path: Path) -> None:
    with pytest.raises(CatalogLoadError, match="python -m etl"):
        CatalogHolder(tmp_path)


def test_questions_during_reloads_never_see_half_loaded_data(tmp_path: Path) -> None:
    holder = CatalogHolder(write_processed(tmp_path))
    errors: list[BaseException] = []
    stop = threading.Event()

    def ask() -> None:
        while not stop.is_set():
            try:
                cat = holder.current  # take the reference once per question
                counts = {c.platform: c.total for c in cat.count_platform()}
                assert sum(counts.values()) == cat.info.titles
                assert cat.max_duration().duration == 200
            except BaseException as e:  # pragma: no cover - reported below
                errors.append(e)
                return

    reader = threading.Thread(target=ask)
    reader.start()
    try:
        for k in range(6):
            write_processed(tmp_path, ROWS if k % 2 else ROWS[:-1])
            holder.reload()
    finally:
        stop.set()
        reader.join()
    assert errors == []
