"""Reading raw CSV files strictly, so that every bad file fails with one clear line."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from etl.errors import EtlError


@dataclass
class ParsedCsv:
    header: list[str]
    rows: list[list[str]]
    malformed: list[int]  # line numbers of records with the wrong number of fields


def read_text(path: Path) -> str:
    """The file as text; an empty or non-UTF-8 file is an EtlError naming the line."""
    data = path.read_bytes()
    if not data.strip():
        raise EtlError(f"{path}: the file is empty")
    try:
        # utf-8-sig: a file re-saved by Excel carries a BOM that is not part of the header
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise EtlError(not_utf8_message(path, data, e.start)) from None


def not_utf8_message(path: Path, data: bytes, offset: int) -> str:
    line = data.count(b"\n", 0, offset) + 1
    return (
        f"{path}: line {line}: not UTF-8 (byte 0x{data[offset]:02x} at offset {offset}); "
        "save the file as UTF-8"
    )


def check_header(path: Path, header: list[str], required: tuple[str, ...]) -> None:
    """The required columns are there, and no column name is there twice (which of the two
    would be read is a guess, and pandas refuses to pick)."""
    twice = [c for c in dict.fromkeys(header) if header.count(c) > 1]
    if twice:
        raise EtlError(
            f"{path}: line 1: column {', '.join(repr(c) for c in twice)} appears more than once "
            "in the header; keep one column of each name"
        )
    missing = [c for c in required if c not in header]
    if missing:
        raise EtlError(
            f"{path}: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(the header must have {','.join(required)})"
        )


def parse_csv(path: Path, required: tuple[str, ...]) -> ParsedCsv:
    """Parse an RFC-4180 file whose quoted fields may hold newlines, keeping line numbers."""
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as e:
        raise EtlError(f"{path}: line 1: unreadable header ({e})") from None
    check_header(path, header, required)
    width = len(header)
    rows: list[list[str]] = []
    malformed: list[int] = []
    ends_with_newline = text.endswith(("\n", "\r"))
    while True:
        start_line = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            # strict mode raises at an unclosed quote: at the end of the file it was cut short
            if "unexpected end of data" in str(e) or not ends_with_newline:
                raise EtlError(
                    f"{path}: line {start_line}: truncated last line (a quoted field never "
                    "closes); the file looks cut short"
                ) from None
            raise EtlError(f"{path}: line {start_line}: {e}") from None
        if not record:
            continue  # blank line
        if len(record) != width:
            if not ends_with_newline and _is_last(reader.line_num, text):
                raise EtlError(
                    f"{path}: line {start_line}: truncated last line ({len(record)} of {width} "
                    "fields); the file looks cut short"
                )
            malformed.append(start_line)
            continue
        rows.append(record)
    if not rows:
        raise EtlError(f"{path}: no data rows after the header")
    return ParsedCsv(header, rows, malformed)


def _is_last(lines_read: int, text: str) -> bool:
    """True when a reader that has read `lines_read` lines consumed the whole text (the record
    just read is the last one)."""
    return lines_read >= text.count("\n") + (0 if text.endswith("\n") else 1)
