"""Test rows (issue 14): the platforms' own QA entries are found by one rule (domain/testrows.py),
reported by the ETL as the anomaly `test_row` and kept in titles.parquet."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from domain.testrows import mask_test_rows
from etl.__main__ import main
from tests.etl_helpers import minimal_raw, title_row, write_titles

# (title, cast, description, is a test row)
CASES = [
    ("SslmRegUsTV002TargetSERIES", "Test Actor 1, Test Actor 2",
     "sslmRegUsTV002TargetSEASON short description", True),
    ("Asin_tombstone_test_target", "Test Actor 1, Test Actor 2",
     "asin_tombstone_test_target short", True),
    ("Series_Project_UN_Test_UHD", None, None, True),
    ("PrimeVideoQAMovie11 US", "Test Actor1 US, Test Actor2",
     "PrimeVideoQAMovie11 US Title Summary Goes here total of Summary400", True),
    ("Movie10x", None, "Test title", True),
    ("Testing title - Parichey is using this title", "Test1", "Test movie for upload", True),
    ("Act 2 - Series 4", "1", "2", True),
    ("Title before 1C onboarding - 5", "1, 2, 3", "Title before 1C onboarding - 5", True),
    ("Gamma smoke test", None, "new season", True),
    ("CSO_testcase_32", "Annie Lennox", "The first carol concert of its type.", True),
    # Real titles that merely say "test" or "tombstone" somewhere.
    ("Test", "Scott Marlowe, Matthew Risch", "Set in the early years of the AIDS epidemic.", False),
    ("Johnny Test", "James Arnold Taylor", "How much trouble could one boy get into?", False),
    ("The Alpha Test", "Rae Hunt", "A suburban family drives their new gadget.", False),
    ("Attitude Test", "Belén Soto", "Four seniors steal an important exam.", False),
    ("Dead Again in Tombstone", "Danny Trejo", "A deceased outlaw returns to life.", False),
    ("The Fox and the Hound 2", "Reba McEntire", "Tod and Copper's friendship is put to the test.",
     False),
    ("Spider-Man", "Tobey Maguire", None, False),
    ("Untitled", None, None, False),
]  # fmt: skip


def test_the_rule_on_made_up_rows() -> None:
    frame = pd.DataFrame(CASES, columns=["title", "cast", "description", "expected"])
    found = mask_test_rows(frame.title, frame.cast, frame.description)
    wrong = frame.title[found != frame.expected].tolist()
    assert wrong == []
    # The rule reads titles.parquet's lower-cased text the same way.
    lowered = mask_test_rows(
        frame.title.str.lower(), frame.cast.str.lower(), frame.description.str.lower()
    )
    assert lowered.tolist() == frame.expected.tolist()


def test_the_etl_reports_test_rows_and_keeps_them(tmp_path: Path) -> None:
    raw = minimal_raw(tmp_path / "raw")
    write_titles(
        raw / "titles" / "amazon_prime_titles.csv",
        [
            title_row("s1"),
            title_row(
                "s2",
                title="Asin_tombstone_test_target",
                cast="Test Actor 1, Test Actor 2",
                description="asin_tombstone_test_target short",
            ),
            title_row("s3", title="Johnny Test"),
        ],
    )
    out = tmp_path / "data" / "processed"
    assert main(["--raw", str(raw), "--out", str(out), "-q"]) == 0
    report = json.loads((tmp_path / "data" / "reports" / "etl.json").read_text())
    assert report["anomalies"]["test_row"] == {"count": 1, "samples": ["as2"]}
    ids = pq.read_table(out / "titles.parquet")["id"].to_pylist()
    assert "as2" in ids and len(ids) == 9  # kept: one row out per row in


# The real file's test rows (all Amazon): some by each part of the rule.
REAL_TEST_IDS = {
    "as8532",  # SslmRegUsTV002TargetSERIES
    "as4705",  # Asin_tombstone_test_target
    "as1051",  # Series_Project_UN_Test_UHD
    "as5702",  # PrimeVideoQATestMovie16 US
    "as1590",  # Movie10x, "Test title"
    "as8765",  # Act 2 - Series 1, cast "1"
    "as8980",  # Gamma smoke test
}
REAL_TITLES_NOT_TEST = {
    "as3992",  # Test (2013)
    "ns443",  # Johnny Test
    "as5733",  # The Alpha Test
    "ns930",  # Dead Again in Tombstone
    "ns6197",  # Attitude Test
}


@pytest.mark.realdata
def test_the_rule_on_the_real_titles(real_titles_dir: Path) -> None:
    found: set[str] = set()
    seen: set[str] = set()
    letters = {"amazon": "a", "disney": "d", "hulu": "h", "netflix": "n"}
    for path in sorted(real_titles_dir.glob("*_titles.csv")):
        frame = pd.read_csv(path, dtype="string", keep_default_na=False).replace("", None)
        ids = letters[path.name.split("_")[0]] + frame.show_id.str.lower()
        seen |= set(ids)
        found |= set(ids[mask_test_rows(frame.title, frame.cast, frame.description)])
    assert len(found) == 57 and all(i.startswith("as") for i in found)
    assert found >= REAL_TEST_IDS
    assert not REAL_TITLES_NOT_TEST & found and seen >= REAL_TITLES_NOT_TEST
