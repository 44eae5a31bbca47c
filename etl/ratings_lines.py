"""The line at fault in a ratings CSV: the limits a value must fit, and the errors that name the
file and line (out-of-range ids and timestamps, over-long lines, the file's last bytes and line
count). Read again only on an error path, so the fast read stays fast. Used by etl/ratings.py.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from etl.errors import EtlError

# What fits the contract (docs/data.md): userId is int32; a timestamp must name a calendar date
# (0001-01-01 .. 9999-12-31 UTC), else the cast to date32 wraps around silently. A value
# outside these stops the run with the file and line, like every other bad input.
USER_ID_MIN, USER_ID_MAX = -(2**31), 2**31 - 1
TIMESTAMP_MIN, TIMESTAMP_MAX = -62_135_596_800, 253_402_300_799
# pyarrow parses in blocks and a line must fit in one; ratings lines are a few dozen bytes.
BLOCK_SIZE = 1 << 20


def _check_ranges(path: Path, table: pa.Table) -> None:
    """userId and timestamp within what the contract can hold, else EtlError with the line."""
    for column, low, high in (
        ("userId", USER_ID_MIN, USER_ID_MAX),
        ("timestamp", TIMESTAMP_MIN, TIMESTAMP_MAX),
    ):
        bounds = pc.min_max(table[column]).as_py()
        if bounds["min"] is not None and (bounds["min"] < low or bounds["max"] > high):
            raise _out_of_range_error(path)


def _out_of_range_error(path: Path) -> EtlError:
    """The first line whose userId or timestamp does not fit, found by reading the file again
    (only on this error path, so the fast read stays fast)."""
    limits = {
        "userId": (USER_ID_MIN, USER_ID_MAX, "a whole number that fits int32"),
        "timestamp": (TIMESTAMP_MIN, TIMESTAMP_MAX, "Unix seconds of a date in years 1..9999"),
    }
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = [h.strip() for h in next(reader)]
        at = {c: header.index(c) for c in limits}
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error:  # an overlong or broken field: not what is looked for here
                continue
            for column, (low, high, what) in limits.items():
                cell = row[at[column]].strip() if len(row) > at[column] else ""
                if not re.fullmatch(r"[+-]?\d+", cell):
                    continue
                # more than 19 digits never fits (and int() refuses beyond 4,300 digits)
                if len(cell.lstrip("+-")) > 19 or not low <= int(cell) <= high:
                    shown = cell if len(cell) <= 40 else cell[:37] + "..."
                    return EtlError(
                        f"{path}: line {reader.line_num}: {column} {shown} is out of range; "
                        f"the ratings contract takes {what} ({low}..{high}, docs/data.md)"
                    )
    return EtlError(f"{path}: a userId or timestamp is out of range (docs/data.md)")


def _long_line_error(path: Path) -> EtlError:
    """pyarrow cannot parse a line longer than its block: name the line and its length."""
    line = 1
    with path.open("rb") as f:
        length = 0
        for chunk in iter(lambda: f.read(1 << 20), b""):
            pos = 0
            while True:
                nl = chunk.find(b"\n", pos)
                length += (len(chunk) if nl < 0 else nl) - pos
                if length > BLOCK_SIZE:
                    return EtlError(
                        f"{path}: line {line}: longer than {BLOCK_SIZE:,} bytes (a ratings line "
                        "is a few dozen); the file is damaged or not a ratings file"
                    )
                if nl < 0:
                    break
                line, length, pos = line + 1, 0, nl + 1
    return EtlError(f"{path}: a line longer than {BLOCK_SIZE:,} bytes; the file is damaged")


def _tail(path: Path, size: int = 4096) -> bytes:
    with path.open("rb") as f:
        f.seek(0, 2)
        end = f.tell()
        f.seek(max(0, end - size))
        return f.read()


def _count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b"")) + 1
