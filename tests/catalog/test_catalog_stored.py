"""The index written with the release (processed/index/, catalog/stored.py) answers exactly as
the index built at load, and a damaged one is refused with a clear error.

Both catalogues below load the same parquet files: one reads processed/index/ as the ETL wrote
it, the other (the index folder removed) builds everything at load, as every load did before.
Every question is asked of both over every key the data has, and search, where-to-watch and
resolve over a sample of names, typos, prefixes and garbage.
"""

from __future__ import annotations

import json
import logging
import random
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from catalog import Catalog, CatalogHolder, CatalogLoadError, ReloadError
from catalog.loading import write_catalog_index
from catalog.stored import FOLDER, MANIFEST, Column
from domain.vocabulary import DURATION_TYPES, KINDS, PLATFORMS
from etl.pipeline import Paths, run
from tests.catalog_helpers import ROWS, write_processed

ROOT = Path(__file__).resolve().parents[2]
REBUILT = "building the catalogue index in memory"


def no_model(*_: object) -> None:
    return None


def load(data: Path) -> Catalog:
    return Catalog.load(data, recommender_loader=no_model)


def built_copy(data: Path, dest: Path) -> Path:
    """The same processed files without the index: Catalog.load builds it (the old path)."""
    shutil.copytree(data / "processed", dest / "processed", ignore=shutil.ignore_patterns(FOLDER))
    return dest


def etl_demo(base: Path, titles: int, ratings: int, seed: int) -> Path:
    raw = base / "raw"
    subprocess.run(
        [sys.executable, "-m", "etl.demo", "--out", str(raw), "--titles", str(titles),
         "--ratings", str(ratings), "--seed", str(seed)],
        check=True, cwd=ROOT, capture_output=True,
    )  # fmt: skip
    run(Paths.from_raw(raw, base / "data" / "processed"))
    return base / "data"


def typo(rng: random.Random, text: str) -> str:
    if len(text) < 4:
        return text + "x"
    k = rng.randrange(1, len(text) - 1)
    return text[:k] + text[k + 1] + text[k] + text[k + 2 :]  # two letters swapped


def queries(cat: Catalog, rng: random.Random, n: int) -> list[str]:
    rows = cat.index.rows
    served = sorted(rows.row_of_id.values())
    names = [rows.display_title[r] for r in rng.sample(served, min(n, len(served)))]
    return [
        *names,
        *(typo(rng, name) for name in names),
        *(name.split()[0] for name in names if name.split()),
        *(name[:4] for name in names),
        "the",
        "lion king",
        "amelie",
        "spiderman",
        "zzqx vvv",
        "ñ🙂 ñ🙂",
        "the the the",
    ]


def assert_same_answers(loaded: Catalog, built: Catalog, rng: random.Random, n: int) -> int:
    """Every question over every key, and the title look-ups over a sample; returns how many
    answers were compared (so a test can check the walk was not empty)."""
    asked = 0

    def same(a: object, b: object, what: str) -> None:
        nonlocal asked
        asked += 1
        assert a == b, what

    assert loaded.info.version == built.info.version
    assert loaded.info.titles == built.info.titles
    assert loaded.info.per_platform == built.info.per_platform
    assert loaded.info.scored_titles == built.info.scored_titles
    assert loaded.info.as_of == built.info.as_of
    same(loaded.count_platform(), built.count_platform(), "count_platform")
    same(loaded.years(), built.years(), "years")
    for p in PLATFORMS:
        same(loaded.years(p), built.years(p), f"years {p}")
        same(loaded.cast_titles(p), built.cast_titles(p), f"cast_titles {p}")
        for y in [None, *built.years(p)]:
            for d in DURATION_TYPES:
                same(loaded.max_duration(y, p, d), built.max_duration(y, p, d), f"{p} {y} {d}")
            if y is None:
                continue
            same(loaded.actor(p, y), built.actor(p, y), f"actor {p} {y}")
            for s in (0, 2.5, 3.5, 4.0, 4.5):
                same(loaded.score_count(p, s, y), built.score_count(p, s, y), f"{p} {s} {y}")
    for y in [None, *built.years()]:
        for d in DURATION_TYPES:
            same(loaded.max_duration(y, None, d), built.max_duration(y, None, d), f"{y} {d}")
    for p in (None, *PLATFORMS):
        for k in (None, *KINDS):
            same(loaded.popular(50, p, k), built.popular(50, p, k), f"popular {p} {k}")
    rows = built.index.rows
    for tid in rows.ids:
        same(loaded.title(tid), built.title(tid), f"title {tid}")
        same(loaded.offers(tid), built.offers(tid), f"offers {tid}")
    for q in queries(built, rng, n):
        same(loaded.search_page(q, 0, 10), built.search_page(q, 0, 10), f"search {q!r}")
        same(loaded.search_page(q, 10, 5), built.search_page(q, 10, 5), f"search {q!r} p2")
        same(loaded.where_to_watch_page(q), built.where_to_watch_page(q), f"watch {q!r}")
        same(loaded.resolve_title(q), built.resolve_title(q), f"resolve {q!r}")
    frames_l, frames_b = loaded.chart_frames(), built.chart_frames()
    for name in ("titles", "display", "scores"):
        assert frames_l[name].equals(frames_b[name]), name
    return asked


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return etl_demo(tmp_path_factory.mktemp("stored_demo"), 800, 20_000, 11)


def test_the_etl_writes_the_index_beside_the_parquet(demo: Path) -> None:
    folder = demo / "processed" / FOLDER
    manifest = json.loads((folder / MANIFEST).read_text())
    assert set(manifest["sources"]) == {"titles.parquet", "scores.parquet", "display.parquet"}
    assert all((folder / name).stat().st_size == size for name, size in manifest["files"].items())
    assert not [p for p in (demo / "processed").iterdir() if p.name.startswith(".")]  # no stage


def test_the_loaded_index_answers_as_the_built_one_on_demo_data(
    demo: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        loaded = load(demo)
    assert REBUILT not in caplog.text
    # Read from the files, not built: a column stays Arrow until first read.
    assert isinstance(loaded.index.rows.display_title, Column)
    with caplog.at_level(logging.WARNING):
        built = load(built_copy(demo, tmp_path))
    assert REBUILT in caplog.text  # an older release: built at load, and said so
    assert not isinstance(built.index.rows.display_title, Column)
    assert assert_same_answers(loaded, built, random.Random(3), 150) > 2000


def test_the_hand_made_catalogue_with_a_duplicate_id(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rows = [*ROWS, ("as1", "Movie", "A Later Row", None, 2020, 99, "min", None, 0)]
    data = tmp_path / "stored"
    write_processed(data, rows)
    write_catalog_index(data / "processed")
    with caplog.at_level(logging.WARNING):
        loaded = load(data)
    # The duplicate is still reported at each load, though the index was built without it.
    assert "1 title row(s) share an id" in caplog.text
    assert REBUILT not in caplog.text
    built = load(built_copy(data, tmp_path / "built"))
    assert loaded.title("as1") == built.title("as1")
    assert loaded.title("as1") is not None and loaded.title("as1").title == "The Long Film"
    assert assert_same_answers(loaded, built, random.Random(5), 15) > 100


def test_parquet_changed_after_the_index_was_written_is_served_from_a_rebuilt_index(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "stale"
    write_processed(data)
    write_catalog_index(data / "processed")
    write_processed(data, ROWS[:-1])  # hs2 Spider-Man gone, the index still has it
    with caplog.at_level(logging.WARNING):
        cat = load(data)
    assert "built from other parquet files" in caplog.text and REBUILT in caplog.text
    assert cat.title("hs2") is None and cat.search("spider-man") == []


def test_an_index_of_another_format_is_rebuilt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "format"
    write_processed(data)
    manifest_path = write_catalog_index(data / "processed") / MANIFEST
    manifest = json.loads(manifest_path.read_text())
    _replace(manifest_path, json.dumps(manifest | {"format": 0}).encode())
    with caplog.at_level(logging.WARNING):
        cat = load(data)
    assert "format 0" in caplog.text and REBUILT in caplog.text
    assert cat.search("the lion king")[0].title == "The Lion King"


# Each damage writes a new file in place of the old one (unlink first): a file rewritten in place
# while a catalogue of this process maps it would fault that catalogue (docs/data.md).
def _replace(path: Path, data: bytes) -> None:
    path.unlink()
    path.write_bytes(data)


def _damage_truncate(folder: Path) -> str:
    path = folder / "rows.score.npy"
    _replace(path, path.read_bytes()[:-8])
    return "rows.score.npy"


def _damage_remove(folder: Path) -> str:
    (folder / "deletes.arrow").unlink()
    return "deletes.arrow"


def _damage_scribble(folder: Path) -> str:
    path = folder / "names.arrow"  # same size, other bytes: the manifest cannot tell
    size = path.stat().st_size
    _replace(path, bytes(np.random.default_rng(1).integers(0, 256, size, dtype=np.uint8)))
    return "index"


def _damage_manifest(folder: Path) -> str:
    _replace(folder / MANIFEST, b"{not json")
    return MANIFEST


def _damage_offsets(folder: Path) -> str:
    path = folder / "postings.offsets.npy"
    offsets = np.load(path)
    path.unlink()
    np.save(path, offsets[::-1].copy())  # same size, offsets no longer fit the flat values
    return "postings"


@pytest.mark.parametrize(
    "damage",
    [_damage_truncate, _damage_remove, _damage_scribble, _damage_manifest, _damage_offsets],
)
def test_a_damaged_index_is_refused_with_a_clear_error(tmp_path: Path, damage) -> None:
    data = tmp_path / "damaged"
    write_processed(data)
    folder = write_catalog_index(data / "processed")
    named = damage(folder)
    with pytest.raises(CatalogLoadError) as info:
        load(data)
    message = str(info.value)
    assert named in message and "python -m etl" in message


def test_a_reload_onto_a_damaged_index_keeps_the_old_catalogue(tmp_path: Path) -> None:
    data = tmp_path / "reload"
    write_processed(data)
    write_catalog_index(data / "processed")
    holder = CatalogHolder(data, catalog=load(data))
    before = holder.current
    _damage_truncate(data / "processed" / FOLDER)
    with pytest.raises(ReloadError):
        holder.reload(build=lambda: load(data))
    assert holder.current is before
    assert before.search("amelie")  # the old one still answers from its own mapped files


@pytest.mark.realdata
def test_the_loaded_index_answers_as_the_built_one_on_the_real_titles(
    real_titles_dir: Path, tmp_path: Path
) -> None:
    raw = tmp_path / "raw"
    subprocess.run(
        [sys.executable, "-m", "etl.demo", "--out", str(raw), "--titles-from",
         str(real_titles_dir), "--ratings", "40000", "--seed", "7"],
        check=True, cwd=ROOT, capture_output=True,
    )  # fmt: skip
    data = tmp_path / "data"
    run(Paths.from_raw(raw, data / "processed", titles=real_titles_dir))
    loaded = load(data)
    assert isinstance(loaded.index.rows.display_title, Column)
    built = load(built_copy(data, tmp_path / "built"))
    assert loaded.info.titles == 22998
    assert assert_same_answers(loaded, built, random.Random(7), 300) > 20000
