"""Each of the five transformations on crafted rows, including the real files' edge cases."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow.parquet as pq
import pytest

from etl import transforms as tf
from etl.__main__ import main
from tests.etl_helpers import minimal_raw, title_row, write_ratings, write_titles


def test_id_is_platform_letter_plus_show_id() -> None:
    ids = tf.make_id(pd.Series(["s1", "s123", "S9"]), "amazon")
    assert ids.tolist() == ["as1", "as123", "as9"]
    assert tf.make_id(pd.Series(["s1"]), "netflix").tolist() == ["ns1"]


def test_missing_rating_becomes_g_and_is_counted() -> None:
    rating, filled = tf.fill_rating(pd.Series(["PG", None, "", "  ", "TV-MA"], dtype="string"))
    assert rating.tolist() == ["PG", "G", "G", "G", "TV-MA"]
    assert filled == 3


def test_dates_forgive_stray_spaces_and_flag_garbage() -> None:
    raw = pd.Series(["March 30, 2021", " August 4, 2017", "June 1, 2019 ", None, "30-Mar-21"])
    dates, bad = tf.parse_date_added(raw)
    assert [d.date() if not pd.isna(d) else None for d in dates] == [
        dt.date(2021, 3, 30),
        dt.date(2017, 8, 4),
        dt.date(2019, 6, 1),
        None,
        None,
    ]
    assert bad.tolist() == [False, False, False, False, True]


def test_timestamp_becomes_utc_date() -> None:
    dates = tf.timestamp_to_date(pd.Series([0, 1425941529, 86399, 86400]))
    assert [d.date() for d in dates] == [
        dt.date(1970, 1, 1),
        dt.date(2015, 3, 9),
        dt.date(1970, 1, 1),
        dt.date(1970, 1, 2),
    ]


def test_text_lower_case_keeps_nulls_and_accents() -> None:
    out = tf.lower_text(pd.Series(["Zoë ÅNGSTRÖM", None, "TV-MA"], dtype="string"))
    assert out[0] == "zoë ångström" and pd.isna(out[1]) and out[2] == "tv-ma"


@pytest.mark.parametrize(
    ("text", "number", "kind"),
    [
        ("93 min", 93, "min"),
        ("1 Season", 1, "season"),
        ("2 Seasons", 2, "season"),
        ("12 Seasons", 12, "season"),
        (" 45 MIN ", 45, "min"),
    ],
)
def test_duration_split(text: str, number: int, kind: str) -> None:
    n, k, bad = tf.split_duration(pd.Series([text]))
    assert (n[0], k[0], bad[0]) == (number, kind, False)


def test_duration_empty_is_null_and_garbage_is_flagged() -> None:
    n, k, bad = tf.split_duration(pd.Series([None, "", "two hours"], dtype="string"))
    assert n.isna().all() and k.isna().all()
    assert bad.tolist() == [False, False, True]


def test_pipeline_on_crafted_rows(tmp_path) -> None:
    """One file per edge case, end to end through `python -m etl`."""
    raw = minimal_raw(tmp_path / "raw")
    write_titles(
        raw / "titles" / "hulu_titles.csv",
        [
            title_row("s1", type="TV Show", duration="1 Season", rating=""),
            title_row("s2", type="TV Show", duration="2 Seasons", date_added=" August 4, 2017"),
            # Hulu's real dirt: the duration sits in the rating column and duration is empty.
            title_row("s3", type="TV Show", rating="2 Seasons", duration=""),
            title_row("s4", title="Amélie", director="", cast="", date_added=""),
        ],
    )
    out = tmp_path / "processed"
    assert main(["--raw", str(raw), "--out", str(out), "-q"]) == 0
    titles = pq.read_table(out / "titles.parquet").to_pandas().set_index("id")
    hulu = titles[titles.platform == "hulu"]
    assert list(hulu.index) == ["hs1", "hs2", "hs3", "hs4"]
    assert hulu.loc["hs1", "rating"] == "g"
    assert (hulu.loc["hs1", "duration_int"], hulu.loc["hs1", "duration_type"]) == (1, "season")
    assert (hulu.loc["hs2", "duration_int"], hulu.loc["hs2", "duration_type"]) == (2, "season")
    assert hulu.loc["hs2", "date_added"] == dt.date(2017, 8, 4)
    # Not silently fixed: kept in place and reported.
    assert hulu.loc["hs3", "rating"] == "2 seasons" and pd.isna(hulu.loc["hs3", "duration_int"])
    assert hulu.loc["hs4", "title"] == "amélie" and pd.isna(hulu.loc["hs4", "director"])
    assert pd.isna(hulu.loc["hs4", "date_added"])
    assert titles.loc["as1", "type"] == "movie" and titles.loc["as1", "release_year"] == 2014
    display = pq.read_table(out / "display.parquet").to_pandas().set_index("id")
    assert display.loc["hs4", "title"] == "Amélie"
    assert display.loc["as2", "cast"] == "Brendan Gleeson, Taylor Kitsch"

    import json

    report = json.loads((tmp_path / "reports" / "etl.json").read_text())
    assert report["anomalies"]["duration_in_rating_column"] == {"count": 1, "samples": ["hs3"]}
    assert report["nulls_filled"]["rating"] == 1
    assert report["rows"]["titles"] == 10


def test_column_types_are_real_types(tmp_path) -> None:
    raw = minimal_raw(tmp_path / "raw")
    out = tmp_path / "processed"
    assert main(["--raw", str(raw), "--out", str(out), "-q"]) == 0
    titles = pq.read_schema(out / "titles.parquet")
    assert str(titles.field("date_added").type) == "date32[day]"
    assert str(titles.field("release_year").type) == "int32"
    assert str(titles.field("duration_int").type) == "int32"
    ratings = pq.read_schema(out / "ratings.parquet")
    assert [str(ratings.field(c).type) for c in ("userId", "rating", "timestamp", "movieId")] == [
        "int32",
        "float",
        "date32[day]",
        "string",
    ]


def test_ratings_anomalies_are_counted_not_fixed(tmp_path) -> None:
    raw = minimal_raw(tmp_path / "raw")
    write_ratings(
        raw / "ratings" / "1.csv",
        [
            "1,4.5,1425941529,as1",
            "1,7.0,1425941529,ds1",  # out of range
            "2,3.3,1425941529,ds1",  # not a half step
            "2,3.0,1425941529,zz404",  # unknown title
            "3,4.0,1425941529,AS2",  # id in capitals: lower-cased by rule 4
            "3,2.0,1425941600,as2",  # the same pair twice
            "4,oops,1425941529,as1",  # malformed
            "5,1.0",  # malformed
        ],
    )
    out = tmp_path / "processed"
    assert main(["--raw", str(raw), "--out", str(out), "-q"]) == 0
    import json

    report = json.loads((tmp_path / "reports" / "etl.json").read_text())
    a = {k: v["count"] for k, v in report["anomalies"].items()}
    assert a["rating_out_of_range"] == 2
    assert a["rating_unknown_title"] == 1
    assert report["anomalies"]["rating_unknown_title"]["samples"] == ["zz404"]
    assert a["duplicate_rating"] == 1
    assert a["malformed_line"] == 2
    ratings = pq.read_table(out / "ratings.parquet").to_pandas()
    assert len(ratings) == 6  # every well-formed line is kept, odd values included
    assert "as2" in set(ratings.movieId) and "AS2" not in set(ratings.movieId)
    scores = pq.read_table(out / "scores.parquet").to_pandas().set_index("id")
    assert scores.loc["as1", "votes"] == 1 and scores.loc["as1", "score"] == 4.5
    assert scores.loc["as2", "votes"] == 2 and scores.loc["as2", "score"] == 3.0
    assert scores.loc["hs1", "votes"] == 0 and pd.isna(scores.loc["hs1", "score"])
    assert "zz404" not in scores.index
