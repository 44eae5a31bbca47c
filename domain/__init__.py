"""The domain's shared words and rules: leaves every other package may import.

`vocabulary` (platforms, kinds, duration types, the column contract), `inputfiles` (which raw
files are inputs, which are copies in progress, which names are refused), `oneline` (text and
log lines that stay on one line) and `releasefiles` (a release's files and their checksums)
need only the standard library; `testrows` (what a platform's QA entry looks like) needs pyarrow
and pandas, which etl and catalog have anyway. Keeping the rule here lets the catalogue use it
without importing etl (etl talks to the rest only through files, DESIGN.md); the same holds for
the inbox rule (etl and refresh) and the release checksums (refresh writes them, the catalogue
checks them).
"""
