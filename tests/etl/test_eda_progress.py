"""The EDA says how far it is (issue 22, item 12): a line after every chart, with an ETA."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from charts import available_charts
from etl.eda import load_frames, render_all
from tests.api_helpers import build_demo


def test_a_line_per_chart_with_what_is_left(
    tmp_path_factory: pytest.TempPathFactory, caplog: pytest.LogCaptureFixture
) -> None:
    data = load_frames(Path(build_demo(tmp_path_factory.getbasetemp() / "api-demo")))
    caplog.set_level(logging.INFO, logger="etl.eda")
    charts = render_all(data)
    n = len(available_charts(data))
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("chart ")]
    assert len(charts) == n == len(lines) > 5
    for k, line in enumerate(lines, start=1):
        assert re.fullmatch(rf"chart {k}/{n} \w+ drawn, [\d.]+ s, about \d+ s left", line), line
    assert lines[-1].endswith("about 0 s left")
