"""A refresh stage that runs long says so (issue 22, item 12): while the child runs, a log line at
least every PROGRESS_EVERY seconds with the time spent and the child's own latest line (the
training's progress and ETA)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

from refresh import stages

CHILD = "import time\nfor i in range(6):\n    print(f'step {i}/6, about {6 - i} s left', flush=True)\n    time.sleep(0.4)\n"  # noqa: E501


def test_a_running_stage_reports_its_childs_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(stages, "PROGRESS_EVERY", 0.5)
    caplog.set_level(logging.INFO, logger="refresh")
    result = stages.run_stage("train", [sys.executable, "-c", CHILD], tmp_path / "train.log")
    assert result.ok and result.seconds >= 2.0
    lines = [r.getMessage() for r in caplog.records if "stage train: running" in r.getMessage()]
    assert len(lines) >= 2, lines
    assert any("s left" in ln and "step " in ln for ln in lines), lines


def test_last_line_reads_the_tail(tmp_path: Path) -> None:
    log = tmp_path / "x.log"
    log.write_text("a\n" * 5000 + "epoch 3/40\r epoch 4/40\n\n")
    assert stages.last_line(log) == "epoch 4/40"
    assert stages.last_line(tmp_path / "missing.log") == "-"
