"""Hostile raw folders (issue 23 item 3): dot-files and temporary names are copies in
progress and not read; a control character in a file name, a duplicate column, a field over
the csv limit and a file far too large each stop the ETL with one line naming the file; junk
never drives its memory up with the junk's size."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import weakref
from collections.abc import Callable
from pathlib import Path

import pytest

from domain.inputfiles import csv_inputs, is_temporary
from domain.oneline import one_line
from etl.errors import EtlError
from etl.ratings import InvalidRows, read_file
from etl.report import QualityReport
from etl.titles import MAX_TITLES_BYTES
from refresh.stages import run_stage
from tests.etl_helpers import minimal_raw, title_row, write_ratings, write_titles

ROOT = Path(__file__).resolve().parents[2]


def _etl(raw: Path, out: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    """`python -m etl` to completion: the result (output in stderr) and the child's own peak
    RSS in MB (wait4 on it, refresh's stage runner)."""
    log = out.parent / f"{out.name}.log"
    argv = [sys.executable, "-m", "etl", "--raw", str(raw), "--out", str(out)]
    result = run_stage("etl", argv, log, env={**os.environ, "PYTHONPATH": str(ROOT)})
    text = log.read_text(errors="replace")
    return subprocess.CompletedProcess(argv, result.returncode, "", text), result.peak_rss_mb


def _run(raw: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "etl", "--raw", str(raw), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def _one_error_line(done: subprocess.CompletedProcess[str], *parts: str) -> str:
    assert done.returncode == 1, done.stderr
    errors = [ln for ln in done.stderr.splitlines() if ln.startswith("etl: error:")]
    assert len(errors) == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    for part in parts:
        assert part in errors[0], errors[0]
    return errors[0]


def test_temporary_names_are_copies_in_progress() -> None:
    for name in (".incoming.csv", "netflix_titles.csv~", "ratings.csv.part", "r.tmp.csv",
                 "x.csv.partial", "ratings.csv.TMP"):  # fmt: skip
        assert is_temporary(name), name
    for name in ("netflix_titles.csv", "ratings_1.csv", "telegram_ratings.csv", "a.b.csv"):
        assert not is_temporary(name), name


def test_dot_files_and_temporary_names_are_not_read(tmp_path: Path) -> None:
    """Today a partial `.incoming.csv` failed the run, and a complete one was read."""
    raw = minimal_raw(tmp_path / "raw")
    # a half-copied titles file under a dot-name: would fail as cut short if read
    (raw / "titles" / ".netflix_titles.csv").write_text(
        (raw / "titles" / "netflix_titles.csv").read_text()[:-30], encoding="utf-8"
    )
    # a complete ratings file still being renamed into place: its ratings must not count
    write_ratings(raw / "ratings" / ".incoming.csv", ["7,4.0,1425941529,as1"])
    write_ratings(raw / "ratings" / "2.csv.part", ["8,4.0,1425941529,as1"])
    write_ratings(raw / "ratings" / "3.csv~", ["9,4.0,1425941529,as1"])
    assert [p.name for p in csv_inputs(raw / "ratings")] == ["1.csv"]
    done = _run(raw, tmp_path / "out")
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "reports" / "etl.json").read_text())
    assert report["rows"]["ratings"] == 3
    assert sorted(Path(p).name for p in report["files"]) == [
        "1.csv", "amazon_prime_titles.csv", "disney_plus_titles.csv", "hulu_titles.csv",
        "netflix_titles.csv",
    ]  # fmt: skip


def test_a_control_character_in_a_file_name_is_refused_in_one_line(tmp_path: Path) -> None:
    raw = minimal_raw(tmp_path / "raw")
    forged = "x.csv\n2026-12-01 refresh: published release 20261201T000000Z-deadbeef.csv"
    write_ratings(raw / "ratings" / forged, ["1,4.0,1425941529,as1"])
    done = _run(raw, tmp_path / "out")
    line = _one_error_line(done, "control characters", "\\n", "rename it")
    assert "published release" in line  # shown, escaped, on the error line itself
    assert not any(ln.startswith("2026-12-01 refresh") for ln in done.stderr.splitlines())
    assert not (tmp_path / "out").exists()


def test_a_duplicate_column_is_named(tmp_path: Path) -> None:
    """Today: pandas' InvalidIndexError traceback."""
    raw = minimal_raw(tmp_path / "raw")
    path = raw / "titles" / "hulu_titles.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",title"] + [ln + ",again" for ln in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _one_error_line(
        _run(raw, tmp_path / "out"), "hulu_titles.csv", "column 'title'", "more than once"
    )
    raw2 = minimal_raw(tmp_path / "raw2")
    write_ratings(
        raw2 / "ratings" / "1.csv", ["1,4.0,1,as1,2"], "userId,rating,timestamp,movieId,userId"
    )
    _one_error_line(_run(raw2, tmp_path / "out2"), "1.csv", "column 'userId'")


def test_a_field_over_the_csv_limit_is_named(tmp_path: Path) -> None:
    raw = minimal_raw(tmp_path / "raw")
    write_titles(raw / "titles" / "hulu_titles.csv", [title_row(description="x" * 200_000)])
    _one_error_line(_run(raw, tmp_path / "out"), "hulu_titles.csv", "field limit")
    raw2 = minimal_raw(tmp_path / "raw2")
    write_ratings(raw2 / "ratings" / "1.csv", ["1,4.0,1,as1"],
                  'userId,rating,timestamp,movieId,"' + "y" * 200_000 + '"')  # fmt: skip
    # today: a csv.Error traceback from the ratings header
    _one_error_line(_run(raw2, tmp_path / "out2"), "1.csv", "line 1", "field limit")


def test_a_titles_file_far_too_large_is_refused_before_it_is_read(tmp_path: Path) -> None:
    raw = minimal_raw(tmp_path / "raw")
    path = raw / "titles" / "hulu_titles.csv"
    with open(path, "r+b") as f:  # sparse: costs no disk, reads as NUL bytes
        f.truncate(MAX_TITLES_BYTES + 1)
    done, _ = _etl(raw, tmp_path / "out")
    _one_error_line(done, "hulu_titles.csv", "more than a titles file can be")


@pytest.mark.parametrize("junk", ["lines", "columns", "binary"])
def test_junk_ratings_do_not_grow_memory_with_their_size(tmp_path: Path, junk: str) -> None:
    """A 2 GB junk file drove the ETL to 4.3 GB. Here 120 MB of junk against a clean run:
    today's reader kept every junk line (or the whole file) in memory, so its peak grew by
    more than the file's size."""
    raw = minimal_raw(tmp_path / "raw")
    _, clean_peak = _etl(raw, tmp_path / "clean")
    size = 120 << 20
    with open(raw / "ratings" / "2.csv", "wb") as f:
        f.write(b"userId,rating,timestamp,movieId\n")
        if junk == "binary":
            block = bytes(range(256)) * 4096  # not UTF-8, newlines every 256 bytes
        elif junk == "lines":
            block = b"qwertyuiopasdfghjklzxcvbnmQWERTYUIOPASDFGHJKL\n" * 20_000
        else:  # four columns of text: the slow path that reads every cell as a string
            block = b"abc,def,ghi,jkl\n" * 60_000
        written = 0
        while written < size:
            f.write(block)
            written += len(block)
    done, peak = _etl(raw, tmp_path / "junk")
    if junk == "binary":
        _one_error_line(done, "2.csv", "not UTF-8")
    else:
        assert done.returncode == 0, done.stderr[-2000:]
        report = json.loads((tmp_path / "reports" / "etl.json").read_text())
        assert report["anomalies"]["malformed_line"]["count"] > 1_000_000
    assert clean_peak > 50, clean_peak  # measured: a Python with pandas and pyarrow loaded
    assert peak - clean_peak < 0.5 * size / (1 << 20), (clean_peak, peak)


def test_log_lines_stay_one_line() -> None:
    assert one_line("a\nb\r\x1b[31mc\u2028d") == "a\\nb\\r\\x1b[31mc\\u2028d"
    assert one_line("Amélie – ok") == "Amélie – ok"


@pytest.mark.parametrize(
    "lines",
    [
        ["1,4.0,1425941529,as1"],  # clean: the threaded read only
        ["1,4.0,1425941529,as1", "junk line", "2,3.0,1425941529,as2"],  # rows skipped
        ["1,4.0,1425941529,as1", "x,y,z,w"],  # cells that do not convert: the streamed read too
        ["1,4.0,1425941529,as1", "2," + "9" * (2 << 20) + ",1,as2"],  # over-long line: error
    ],
    ids=["clean", "malformed", "dirty", "too-long"],
)
def test_pyarrow_has_dropped_the_row_handler_when_a_file_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lines: list[str]
) -> None:
    """pyarrow could drop our Python row handler from one of its threads after read_csv had
    returned; when the next file failed at once, that thread asked for the GIL while Python
    was exiting and the ETL aborted (SIGABRT, "terminate called without an active exception")
    after printing its error line. read_file returns, or raises, only once it is dropped."""
    handed: list[weakref.ref[Callable[..., str]]] = []
    real = InvalidRows.handler

    def spy(self: InvalidRows) -> Callable[..., str]:
        handler = real(self)
        handed.append(weakref.ref(handler))
        return handler

    monkeypatch.setattr(InvalidRows, "handler", spy)
    path = write_ratings(tmp_path / "1.csv", lines)
    try:
        read_file(path, QualityReport())
    except EtlError as e:
        assert "longer than" in str(e)
    assert handed
    assert [ref() for ref in handed] == [None] * len(handed)
