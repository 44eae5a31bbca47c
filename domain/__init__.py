"""The domain's shared words and rules: leaves every other package may import.

`vocabulary` (platforms, kinds, duration types, the column contract) needs only the standard
library; `testrows` (what a platform's QA entry looks like) needs pyarrow and pandas, which etl
and catalog have anyway. Keeping the rule here lets the catalogue use it without importing etl
(etl talks to the rest only through files, DESIGN.md).
"""
