"""Bad input: one clear line naming the file, a non-zero exit, the old output untouched."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from etl.__main__ import main
from tests.etl_helpers import minimal_raw, title_row, write_ratings, write_titles


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture
def good_run(tmp_path: Path) -> tuple[Path, Path, dict[str, bytes]]:
    raw = minimal_raw(tmp_path / "raw")
    out = tmp_path / "data" / "processed"
    assert main(["--raw", str(raw), "--out", str(out), "-q"]) == 0
    return raw, out, snapshot(out.parent)


def break_missing_folder(raw: Path) -> tuple[str, ...]:
    shutil.rmtree(raw / "ratings")
    return ("ratings", "folder not found")


def break_missing_column(raw: Path) -> tuple[str, ...]:
    path = raw / "titles" / "netflix_titles.csv"
    path.write_text(path.read_text().replace(",release_year,", ",year,", 1))
    return ("netflix_titles.csv", "missing column release_year")


def break_unknown_platform(raw: Path) -> tuple[str, ...]:
    write_titles(raw / "titles" / "paramount_titles.csv", [title_row()])
    return ("paramount_titles.csv", "no known platform", "amazon, disney, hulu, netflix")


def break_empty_titles(raw: Path) -> tuple[str, ...]:
    (raw / "titles" / "disney_plus_titles.csv").write_text("")
    return ("disney_plus_titles.csv", "empty")


def break_empty_ratings(raw: Path) -> tuple[str, ...]:
    (raw / "ratings" / "1.csv").write_bytes(b"")
    return ("1.csv", "empty")


def break_header_only(raw: Path) -> tuple[str, ...]:
    path = raw / "titles" / "hulu_titles.csv"
    path.write_text(path.read_text().splitlines()[0] + "\n")
    return ("hulu_titles.csv", "no data rows")


def break_not_utf8_titles(raw: Path) -> tuple[str, ...]:
    path = raw / "titles" / "amazon_prime_titles.csv"
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b"Seduction", "Séduction".encode("latin-1"))
    path.write_bytes(b"\n".join(lines))
    return ("amazon_prime_titles.csv", "line 3", "not UTF-8")


def break_not_utf8_ratings(raw: Path) -> tuple[str, ...]:
    path = raw / "ratings" / "1.csv"
    path.write_bytes(path.read_bytes() + "7,4.0,1425941529,as\xe91\n".encode("latin-1"))
    return ("1.csv", "line 5", "not UTF-8")


def break_truncated_titles(raw: Path) -> tuple[str, ...]:
    path = raw / "titles" / "netflix_titles.csv"
    data = path.read_text()
    path.write_text(data[: data.rindex(",2014,")])  # cut mid-row, no final newline
    return ("netflix_titles.csv", "line 3", "truncated")


def break_truncated_quote(raw: Path) -> tuple[str, ...]:
    path = raw / "titles" / "netflix_titles.csv"
    data = path.read_text()
    path.write_text(data[: data.rindex("Brendan")])  # inside a quoted field
    return ("netflix_titles.csv", "line 3", "truncated")


def break_truncated_ratings(raw: Path) -> tuple[str, ...]:
    path = raw / "ratings" / "1.csv"
    path.write_bytes(path.read_bytes() + b"9,4.5,14259")
    return ("1.csv", "line 5", "truncated")


def break_user_id_beyond_32_bits(raw: Path) -> tuple[str, ...]:
    path = raw / "ratings" / "1.csv"
    path.write_bytes(path.read_bytes() + b"4294967296,4.0,1425941531,as1\n")
    return ("1.csv", "line 5", "userId 4294967296 is out of range", "int32")


def break_user_id_beyond_64_bits(raw: Path) -> tuple[str, ...]:
    path = raw / "ratings" / "1.csv"
    path.write_bytes(path.read_bytes() + b"99999999999999999999999,4.0,1425941531,as1\n")
    return ("1.csv", "line 5", "userId 99999999999999999999999 is out of range")


def break_user_id_of_5000_digits(raw: Path) -> tuple[str, ...]:
    path = raw / "ratings" / "1.csv"
    path.write_bytes(path.read_bytes() + b"9" * 5000 + b",4.0,1425941531,as1\n")
    return ("1.csv", "line 5", "userId 999", "out of range")


def break_timestamp_beyond_any_date(raw: Path) -> tuple[str, ...]:
    path = raw / "ratings" / "1.csv"
    path.write_bytes(path.read_bytes() + b"7,4.0,200000000000000,as1\n")
    return ("1.csv", "line 5", "timestamp 200000000000000 is out of range")


def break_ten_megabyte_field(raw: Path) -> tuple[str, ...]:
    path = raw / "ratings" / "1.csv"
    path.write_bytes(path.read_bytes() + b"7,4.0,1425941531," + b"x" * 10_000_000 + b"\n")
    return ("1.csv", "line 5", "longer than 1,048,576 bytes")


def break_ten_megabyte_field_after_a_bad_cell(raw: Path) -> tuple[str, ...]:
    path = raw / "ratings" / "1.csv"
    big = b"7,4.0,1425941531," + b"x" * 10_000_000 + b"\n"
    path.write_bytes(path.read_bytes() + b"x,4.0,1,as1\n" + big)
    return ("1.csv", "line 6", "longer than 1,048,576 bytes")


def break_ten_megabyte_title_field(raw: Path) -> tuple[str, ...]:
    write_titles(
        raw / "titles" / "hulu_titles.csv",
        [title_row("s1"), title_row("s2", description="y" * 10_000_000)],
    )
    return ("hulu_titles.csv", "line 3", "field larger than field limit")


BREAKERS: list[Callable[[Path], tuple[str, ...]]] = [
    break_missing_folder,
    break_missing_column,
    break_unknown_platform,
    break_empty_titles,
    break_empty_ratings,
    break_header_only,
    break_not_utf8_titles,
    break_not_utf8_ratings,
    break_truncated_titles,
    break_truncated_quote,
    break_truncated_ratings,
    break_user_id_beyond_32_bits,
    break_user_id_beyond_64_bits,
    break_user_id_of_5000_digits,
    break_timestamp_beyond_any_date,
    break_ten_megabyte_field,
    break_ten_megabyte_field_after_a_bad_cell,
    break_ten_megabyte_title_field,
]


@pytest.mark.parametrize("breaker", BREAKERS, ids=lambda f: f.__name__.removeprefix("break_"))
def test_bad_input_fails_cleanly_and_keeps_old_output(good_run, breaker, capsys) -> None:
    raw, out, before = good_run
    expected = breaker(raw)
    assert main(["--raw", str(raw), "--out", str(out), "-q"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith("etl: error: ")
    for fragment in expected:
        assert fragment in err, (fragment, err)
    assert snapshot(out.parent) == before  # processed/ and reports/ exactly as they were
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no leftovers


def test_cli_exit_code_and_single_line(good_run) -> None:
    """The real command line, as an operator runs it."""
    raw, out, before = good_run
    break_missing_column(raw)
    proc = subprocess.run(
        [sys.executable, "-m", "etl", "--raw", str(raw), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.returncode == 1
    lines = [line for line in proc.stderr.splitlines() if "error" in line]
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert snapshot(out.parent) == before


def test_second_file_for_one_platform_is_refused(good_run, capsys) -> None:
    raw, out, before = good_run
    write_titles(raw / "titles" / "netflix_titles_2021.csv", [title_row()])
    assert main(["--raw", str(raw), "--out", str(out), "-q"]) == 1
    assert "second titles file for netflix" in capsys.readouterr().err
    assert snapshot(out.parent) == before


def test_malformed_line_in_the_middle_is_reported_not_fatal(good_run) -> None:
    raw, out, _ = good_run
    write_ratings(
        raw / "ratings" / "1.csv", ["1,4.5,1425941529,as1", "2,4.0", "3,3.5,1425941529,ns1"]
    )
    assert main(["--raw", str(raw), "--out", str(out), "-q"]) == 0
    import json

    report = json.loads((out.parent / "reports" / "etl.json").read_text())
    assert report["anomalies"]["malformed_line"] == {"count": 1, "samples": ["1.csv:3"]}
