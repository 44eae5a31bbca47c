"""The demo generator: raw formats, dirt of the real files, determinism, learnable structure."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from etl.demo import main as demo_main
from etl.demo import split_sizes
from etl.schema import TITLE_COLUMNS


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*.csv"))
    }


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    assert (
        demo_main(["--out", str(out), "--titles", "3000", "--ratings", "60000", "--seed", "7"]) == 0
    )
    return out


def read_titles(folder: Path) -> pd.DataFrame:
    frames = []
    for path in sorted((folder / "titles").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        assert tuple(rows[0]) == TITLE_COLUMNS
        df = pd.DataFrame(rows[1:], columns=rows[0])
        df["platform"] = path.name.split("_")[0]
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


def test_same_seed_same_bytes_other_seed_other_bytes(demo, tmp_path) -> None:
    assert (
        demo_main(
            ["--out", str(tmp_path / "a"), "--titles", "3000", "--ratings", "60000", "--seed", "7"]
        )
        == 0
    )
    assert digest(tmp_path / "a") == digest(demo)
    assert (
        demo_main(
            ["--out", str(tmp_path / "b"), "--titles", "3000", "--ratings", "60000", "--seed", "8"]
        )
        == 0
    )
    assert digest(tmp_path / "b") != digest(demo)


def test_titles_files_and_proportions(demo) -> None:
    names = sorted(p.name for p in (demo / "titles").glob("*.csv"))
    assert names == [
        "amazon_prime_titles.csv",
        "disney_plus_titles.csv",
        "hulu_titles.csv",
        "netflix_titles.csv",
    ]
    titles = read_titles(demo)
    assert titles.platform.value_counts().to_dict() == split_sizes(3000)
    assert split_sizes(22998) == {"amazon": 9668, "disney": 1450, "hulu": 3073, "netflix": 8807}


def test_titles_carry_the_real_dirt(demo) -> None:
    t = read_titles(demo)
    assert {"1 Season"} <= set(t.duration) and t.duration.str.fullmatch(r"\d+ Seasons").any()
    assert t.duration.str.fullmatch(r"\d+ min").any()
    assert t.date_added.str.startswith(" ").any()  # stray leading spaces
    assert (t.rating == "").any() and (t.cast == "").any() and (t.director == "").any()
    assert t.rating.str.fullmatch(r"\d+ (min|Seasons?)").any()  # duration in the rating column
    assert t.cast.str.contains(r"[^\x00-\x7f]").any()  # non-ASCII names
    assert t.description.str.contains("\n").any()  # embedded newlines in quoted fields


def test_ratings_format_and_scale(demo) -> None:
    files = sorted((demo / "ratings").glob("*.csv"))
    assert files and files[0].read_text().splitlines()[0] == "userId,rating,timestamp,movieId"
    r = pd.concat(pd.read_csv(f) for f in files)
    assert len(r) == 60000
    assert set(r.rating.unique()) <= {x / 2 for x in range(1, 11)}
    assert r.rating.nunique() >= 8
    assert r.timestamp.between(1_400_000_000, 1_700_000_000).all()
    assert not r.duplicated(["userId", "movieId"]).any()


def test_ratings_follow_genre_preferences(demo) -> None:
    """Users who rate a genre highly keep rating it highly: there is structure to learn."""
    t = read_titles(demo)
    t["id"] = (
        t.platform.map({"amazon": "a", "disney": "d", "hulu": "h", "netflix": "n"}) + t.show_id
    )
    horror = set(t.id[t.listed_in.str.contains("Horror")])
    r = pd.concat(pd.read_csv(f) for f in sorted((demo / "ratings").glob("*.csv")))
    r["horror"] = r.movieId.isin(horror)
    rng = np.random.default_rng(0)
    half = rng.random(len(r)) < 0.5
    a = r[half & r.horror].groupby("userId").rating.mean()
    b = r[~half & r.horror].groupby("userId").rating.mean()
    both = pd.concat([a, b], axis=1, join="inner").dropna()
    assert len(both) > 50
    assert both.corr().iloc[0, 1] > 0.3  # split-half consistency of horror taste


def test_titles_from_existing_folder_writes_only_ratings(demo, tmp_path) -> None:
    assert (
        demo_main(
            ["--out", str(tmp_path), "--titles-from", str(demo / "titles"), "--ratings", "500"]
        )
        == 0
    )
    assert not (tmp_path / "titles").exists()
    r = pd.read_csv(next((tmp_path / "ratings").glob("*.csv")))
    ids = set(read_titles(demo).pipe(lambda t: t.platform.str[0] + t.show_id))
    assert r.movieId.isin(ids).all()


@pytest.mark.slow
def test_large_scale_generation_and_etl(tmp_path) -> None:
    """2M ratings over 23k titles: the same code path as full scale, in a test-sized run."""
    from etl.__main__ import main as etl_main

    assert (
        demo_main(["--out", str(tmp_path / "raw"), "--titles", "23000", "--ratings", "2000000"])
        == 0
    )
    assert len(list((tmp_path / "raw" / "ratings").glob("*.csv"))) == 2
    assert (
        etl_main(["--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "processed"), "-q"]) == 0
    )
    import pyarrow.parquet as pq

    assert pq.read_metadata(tmp_path / "processed" / "ratings.parquet").num_rows == 2_000_000
