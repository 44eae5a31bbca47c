"""Which files in a raw-CSV folder are inputs, and which names are refused.

The ETL (which files it reads) and refresh (which files a release was built from, which files
it watches settle) must agree, or a file is read without being recorded: one rule, here, for
both (etl talks to the rest only through files, so neither imports the other).

- Skipped, as a copy in progress: dot-files (`.incoming.csv`: copy under a dot-name, then
  rename) and temporary names: a trailing `~`, or a `.part`, `.partial`, `.tmp`, `.crdownload`
  or `.swp` suffix anywhere in the name (`ratings.csv.part`, `ratings.tmp.csv`).
- Inputs: the other `*.csv` files.
- Refused: a name holding a control character (a newline, an escape, ...) or a line or
  paragraph separator. Such a name would split or forge a line wherever it is logged, and no
  tool writes one on purpose.
"""

from __future__ import annotations

from pathlib import Path

from domain.oneline import one_line, unsafe_characters

TEMP_SUFFIXES = (".part", ".partial", ".tmp", ".crdownload", ".swp")


def is_temporary(name: str) -> bool:
    """A name a copy in progress uses: never read, never recorded."""
    if name.startswith(".") or name.endswith("~"):
        return True
    return any(s.lower() in TEMP_SUFFIXES for s in Path(name).suffixes)


def csv_inputs(folder: Path) -> list[Path]:
    """The `*.csv` inputs in `folder` (temporary names left out), sorted by name. Call
    `refused_name` first: names with unsafe characters are not left out here."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.name.endswith(".csv") and not is_temporary(p.name) and p.is_file()
    )


def refused_name(folder: Path) -> str | None:
    """A one-line reason when an input of `folder` (any file but a temporary one) has an unsafe
    name; None when every name is safe."""
    for path in sorted(folder.iterdir()):
        bad = unsafe_characters(path.name)
        if bad and not is_temporary(path.name):
            return (
                f"{folder}: the file name '{one_line(path.name)}' holds control characters "
                f"({' '.join(bad)}); rename it (letters, digits, '_', '-', '.')"
            )
    return None
