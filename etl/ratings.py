"""Ratings: read every ratings CSV with pyarrow (11M rows in seconds), check, derive scores."""

from __future__ import annotations

import csv
import logging
import threading
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from tqdm import tqdm

from domain.inputfiles import csv_inputs, refused_name
from domain.vocabulary import RATING_MAX, RATING_MIN, arrow_schema
from etl.csvfiles import check_header, not_utf8_message
from etl.errors import EtlError
from etl.ratings_lines import (  # noqa: F401  (the limits: re-exported, as before)
    BLOCK_SIZE,
    TIMESTAMP_MAX,
    TIMESTAMP_MIN,
    USER_ID_MAX,
    USER_ID_MIN,
    _check_ranges,
    _count_lines,
    _long_line_error,
    _out_of_range_error,
    _tail,
)
from etl.report import QualityReport
from etl.schema import RATING_COLUMNS

RAW_TYPES = {
    "userId": pa.int64(),
    "rating": pa.float64(),
    "timestamp": pa.int64(),
    "movieId": pa.string(),
}
# Written as the processed-file contract says (domain/vocabulary.py PROCESSED_COLUMNS).
RATINGS_SCHEMA = arrow_schema("ratings")
SCORES_SCHEMA = arrow_schema("scores")


@dataclass
class RatingsResult:
    ratings: pa.Table
    scores: pa.Table


def find_rating_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise EtlError(
            f"{folder}: ratings folder not found "
            f"(expected *.csv files with {','.join(RATING_COLUMNS)})"
        )
    refused = refused_name(folder)
    if refused:
        raise EtlError(refused)
    # dot-files and temporary names are copies in progress (domain/inputfiles.py)
    files = sorted(csv_inputs(folder), key=lambda p: (len(p.stem), p.stem))
    if not files:
        raise EtlError(f"{folder}: no .csv ratings files in the folder")
    return files


def _header(path: Path) -> list[str]:
    with path.open("rb") as f:
        first = f.readline(BLOCK_SIZE + 1)  # bounded: a junk file may have no newline at all
    if len(first) > BLOCK_SIZE and not first.endswith(b"\n"):
        raise EtlError(
            f"{path}: line 1: longer than {BLOCK_SIZE:,} bytes (a ratings header is "
            f"{','.join(RATING_COLUMNS)}); the file is damaged or not a ratings file"
        )
    if not first.strip():
        raise EtlError(f"{path}: the file is empty")
    try:
        line = first.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise EtlError(not_utf8_message(path, first, e.start)) from None
    try:
        return [h.strip() for h in next(csv.reader([line]))]
    except csv.Error as e:  # e.g. a field over the csv module's limit (131,072 characters)
        raise EtlError(f"{path}: line 1: unreadable header ({e})") from None


log = logging.getLogger("etl")


class InvalidRows:
    """The rows pyarrow could not split into the four columns: counted, with the first few
    kept as samples and the last one kept to tell a cut-off end. Bounded, whatever the file:
    a 2 GB file of junk lines is two billion bytes of rows nobody needs in memory."""

    SAMPLES = 10
    # How long wait_released() waits for pyarrow to drop a handler: it takes microseconds,
    # a second on a machine loaded tenfold; past this something else holds the reader.
    RELEASE_WAIT_S = 30.0

    def __init__(self) -> None:
        self.count = 0
        self.samples: list[str] = []
        self.last: str | None = None
        self._held: list[threading.Event] = []

    def add(self, text: str) -> None:
        self.count += 1
        if len(self.samples) < self.SAMPLES:
            self.samples.append(text)
        self.last = text

    def clear(self) -> None:
        self.count, self.samples, self.last = 0, [], None

    def handler(self) -> Callable[[pacsv.InvalidRow], str]:
        """A new invalid_row_handler for one pyarrow reader; hand it to pyarrow only (keep no
        reference), and call wait_released() once the reader is gone.

        Why: pyarrow keeps the handler in its C++ reader, and the reader's last reference can be
        a callback on one of pyarrow's threads that ends a moment after read_csv has returned.
        Dropping the handler there takes the GIL; if Python is exiting by then (the next file
        failed within milliseconds), that thread is ended by pthread_exit inside C++ code and
        the process aborts with "terminate called without an active exception" (SIGABRT)."""
        bound = self._skip
        released = threading.Event()
        weakref.finalize(bound, released.set)
        self._held.append(released)
        return bound

    def wait_released(self) -> None:
        """Return once pyarrow has dropped every handler this object gave it."""
        for released in self._held:
            if not released.wait(self.RELEASE_WAIT_S):
                log.warning("pyarrow still holds a CSV reader after %.0f s", self.RELEASE_WAIT_S)
        self._held = []

    def _skip(self, row: pacsv.InvalidRow) -> str:
        self.add(row.text)
        return "skip"


def _lines_of(path: Path, texts: list[str]) -> list[int | None]:
    """The line number of each text (the first line holding it), reading the file once as a
    stream and stopping when every text is found."""
    wanted = {t.encode("utf-8", "replace"): None for t in texts}
    found: dict[bytes, int] = {}
    with path.open("rb") as f:
        for number, line in enumerate(f, start=1):
            for w in wanted:
                if w not in found and w in line:
                    found[w] = number
            if len(found) == len(wanted):
                break
    return [found.get(t.encode("utf-8", "replace")) for t in texts]


def _check_utf8(path: Path) -> None:
    """EtlError at the first byte that is not UTF-8; the file is read as a stream."""
    offset, lines, carry = 0, 0, b""
    with path.open("rb") as f:
        while True:
            chunk = f.read(1 << 20)
            data = carry + chunk
            if not data:
                return
            try:
                data.decode("utf-8")
                carry = b""
            except UnicodeDecodeError as e:
                # a character cut by the chunk's end is finished by the next chunk
                if chunk and e.reason == "unexpected end of data" and len(data) - e.start < 4:
                    carry = data[e.start :]
                    data = data[: e.start]
                else:
                    line = lines + data.count(b"\n", 0, e.start) + 1
                    raise EtlError(
                        f"{path}: line {line}: not UTF-8 (byte 0x{data[e.start]:02x} at offset "
                        f"{offset + e.start}); save the file as UTF-8"
                    ) from None
            offset += len(data)
            lines += data.count(b"\n")
            if not chunk:
                return


def read_file(path: Path, report: QualityReport) -> pa.Table:
    """One ratings file as typed columns; malformed lines are counted, a cut-off end is fatal."""
    header = _header(path)
    check_header(path, header, RATING_COLUMNS)
    # UTF-8 first, as a stream (~0.2 s for the real 11M ratings): pyarrow cannot hand a row
    # that is not UTF-8 to the invalid-row handler, and prints a traceback per such row
    _check_utf8(path)
    invalid = InvalidRows()
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=BLOCK_SIZE),
            parse_options=pacsv.ParseOptions(invalid_row_handler=invalid.handler()),
            convert_options=pacsv.ConvertOptions(
                column_types=RAW_TYPES,
                include_columns=list(RATING_COLUMNS),
                strings_can_be_null=True,
            ),
        )
    except pa.ArrowInvalid as e:
        if "straddl" in str(e):  # "straddling object straddles two block boundaries"
            raise _long_line_error(path) from None
        table = _read_dirty(path, invalid)
    finally:
        # not returning (nor raising, and so maybe exiting) while a pyarrow thread still holds
        # our Python handler: see InvalidRows.handler
        invalid.wait_released()
    _check_ranges(path, table)
    data_tail = _tail(path)
    if (
        invalid.last is not None
        and not data_tail.endswith(b"\n")
        and data_tail.rsplit(b"\n", 1)[-1] == invalid.last.encode("utf-8", "replace")
    ):
        line = _count_lines(path)
        raise EtlError(
            f"{path}: line {line}: truncated last line ({invalid.last!r}); the file looks cut short"
        )
    nulls = pc.or_(
        pc.or_(pc.is_null(table["userId"]), pc.is_null(table["rating"])),
        pc.or_(pc.is_null(table["timestamp"]), pc.is_null(table["movieId"])),
    )
    n_null = pc.sum(nulls).as_py() or 0
    if n_null:
        if not _tail(path).endswith(b"\n") and nulls[-1].as_py():
            raise EtlError(
                f"{path}: line {_count_lines(path)}: truncated last line (empty fields); "
                "the file looks cut short"
            )
        table = table.filter(pc.invert(nulls))
    if invalid.count or n_null:
        samples = [f"{path.name}:{n}" for n in _lines_of(path, invalid.samples)]
        report.add("malformed_line", invalid.count + n_null, samples)
    report.files[str(path)] = {
        "rows_read": table.num_rows + invalid.count + n_null,
        "rows_written": table.num_rows,
    }
    return table


def _read_dirty(path: Path, invalid: InvalidRows) -> pa.Table:
    """Slow path for a file with cells that do not convert: read as text in a stream of
    batches, keep what parses. Memory holds the rows kept, never the whole file. (The file is
    UTF-8: read_file checked it.)"""
    invalid.clear()
    patterns = {
        "userId": r"^\s*-?\d+\s*$",
        "rating": r"^\s*-?\d+(\.\d+)?\s*$",
        "timestamp": r"^\s*-?\d+\s*$",
        "movieId": r"^.+$",
    }
    kept: list[pa.Table] = []
    reader = None
    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=BLOCK_SIZE),
            parse_options=pacsv.ParseOptions(invalid_row_handler=invalid.handler()),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in RATING_COLUMNS},
                include_columns=list(RATING_COLUMNS),
            ),
        )
        for batch in reader:
            raw = pa.Table.from_batches([batch])
            good = None
            for column, pattern in patterns.items():
                ok = pc.fill_null(pc.match_substring_regex(raw[column], pattern), False)
                good = ok if good is None else pc.and_(good, ok)
            bad_rows = raw.filter(pc.invert(good))
            # only the texts InvalidRows keeps are built: the first samples and the last one
            for i in range(bad_rows.num_rows):
                if len(invalid.samples) < invalid.SAMPLES or i == bad_rows.num_rows - 1:
                    invalid.add(",".join(str(bad_rows[c][i].as_py() or "") for c in RATING_COLUMNS))
                else:
                    invalid.count += 1
            kept.append(raw.filter(good))
    except pa.ArrowInvalid as e:
        if "straddl" in str(e):
            raise _long_line_error(path) from None
        raise EtlError(f"{path}: not readable as CSV ({' '.join(str(e).split())})") from None
    finally:
        # the reader holds the handler; an error's traceback keeps this frame (and so the
        # reader) alive, and read_file waits for pyarrow to drop the handler
        reader = None
    table = (
        pa.concat_tables(kept)
        if kept
        else pa.table({c: pa.array([], pa.string()) for c in RATING_COLUMNS})
    )
    try:
        return pa.table(
            {c: pc.cast(pc.utf8_trim_whitespace(table[c]), t) for c, t in RAW_TYPES.items()}
        )
    except pa.ArrowInvalid:  # digits only, but too many for int64
        raise _out_of_range_error(path) from None


def transform(table: pa.Table) -> pa.Table:
    """Rule 3 (timestamp → date) and rule 4 (ids lower-case); types narrowed to save memory."""
    seconds = pc.cast(table["timestamp"], pa.timestamp("s"))
    return pa.table(
        {
            "userId": pc.cast(table["userId"], pa.int32()),
            "rating": pc.cast(table["rating"], pa.float32()),
            "timestamp": pc.cast(seconds, pa.date32()),
            "movieId": pc.utf8_lower(table["movieId"]),
        },
        schema=RATINGS_SCHEMA,
    )


def check(ratings: pa.Table, title_ids: pa.Array, report: QualityReport) -> None:
    """Count what looks wrong: unknown titles, ratings off the scale, the same pair twice."""
    movie = ratings["movieId"]
    unknown = pc.invert(pc.is_in(movie, value_set=title_ids))
    unknown_ids = pc.unique(pc.filter(movie, unknown))
    report.add("rating_unknown_title", pc.sum(unknown).as_py() or 0, unknown_ids[:10].to_pylist())

    rating = ratings["rating"].to_numpy()
    off = (rating < RATING_MIN) | (rating > RATING_MAX) | (rating * 2 != np.round(rating * 2))
    users = ratings["userId"].to_numpy()
    samples = [f"user {u} rated {m} {r:g}" for u, m, r in _first(off, users, movie, rating)]
    report.add("rating_out_of_range", int(off.sum()), samples)

    codes = pc.dictionary_encode(movie).combine_chunks().indices.to_numpy().astype(np.int64)
    key = (users.astype(np.int64) << 32) | codes
    key.sort()
    dup = key[1:] == key[:-1]
    n_dup = int(dup.sum())
    dup_samples = []
    if n_dup:
        dictionary = pc.dictionary_encode(movie).combine_chunks().dictionary
        for k in key[1:][dup][:10]:
            dup_samples.append(f"user {k >> 32} title {dictionary[int(k & 0xFFFFFFFF)]}")
    report.add("duplicate_rating", n_dup, dup_samples)


def _first(
    mask: np.ndarray, users: np.ndarray, movie: pa.ChunkedArray, rating: np.ndarray
) -> Iterator[tuple[int, str, float]]:
    for i in np.flatnonzero(mask)[:10]:
        yield int(users[i]), movie[int(i)].as_py(), float(rating[i])


def scores(ratings: pa.Table, title_ids: pa.Array) -> pa.Table:
    """Mean rating and vote count per catalogue id; null score and 0 votes for unrated titles."""
    grouped = ratings.group_by("movieId").aggregate([("rating", "mean"), ("rating", "count")])
    ids = pc.unique(title_ids)
    at = pc.index_in(ids, value_set=grouped["movieId"])
    mean = pc.take(pc.cast(grouped["rating_mean"], pa.float64()), at)
    votes = pc.fill_null(pc.take(grouped["rating_count"], at), 0)
    return pa.table(
        {"id": ids, "score": mean, "votes": pc.cast(votes, pa.int64())}, schema=SCORES_SCHEMA
    )


def load_ratings(folder: Path, title_ids: pa.Array, report: QualityReport) -> RatingsResult:
    files = find_rating_files(folder)
    total = sum(p.stat().st_size for p in files)
    tables = []
    with tqdm(total=total, unit="B", unit_scale=True, desc="ratings", disable=None) as bar:
        for path in files:
            tables.append(transform(read_file(path, report)))
            bar.update(path.stat().st_size)
    ratings = pa.concat_tables(tables).combine_chunks()
    check(ratings, title_ids, report)
    return RatingsResult(ratings, scores(ratings, title_ids))
