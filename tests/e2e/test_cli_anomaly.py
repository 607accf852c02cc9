"""``meterlake detect`` and ``meterlake evaluate anomalies`` as a user runs them."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_process import run_cli

pytestmark = pytest.mark.integration


def test_detect_twice_then_evaluate(tmp_path: Path):
    assert run_cli(tmp_path, "generate", "--meters", "4", "--end", "2013-03-01").returncode == 0
    assert run_cli(tmp_path, "ingest", "landing", "reference").returncode == 0
    first = run_cli(tmp_path, "detect", "--batch-size", "3")
    assert first.returncode == 0, first.stderr
    assert "2 batch(es), 4 meter(s) written" in first.stdout
    again = run_cli(tmp_path, "detect", "--data-end", "2013-03-01")
    assert "0 meter(s) written, 4 unchanged, 0 rows" in again.stdout
    scores = run_cli(tmp_path, "evaluate", "anomalies", "--detector", "default")
    assert scores.returncode == 0, scores.stderr
    assert "default event recall by kind" in scores.stdout


def test_unknown_detector_is_one_line_and_exit_code_2(tmp_path: Path):
    answer = run_cli(tmp_path, "detect", "--detector", "magic")
    assert answer.returncode == 2
    assert "unknown detector 'magic'" in answer.stderr
