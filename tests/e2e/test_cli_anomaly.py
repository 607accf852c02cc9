"""``meterlake detect`` and ``meterlake evaluate anomalies`` as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

CLI = [sys.executable, "-c", "from meterlake.cli import run; run()"]


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MLK_PROGRESS": "false", "COLUMNS": "200"}
    env.pop("MLK_ROOT", None)
    return subprocess.run(
        [*CLI, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_detect_twice_then_evaluate(tmp_path: Path):
    assert _cli(tmp_path, "generate", "--meters", "4", "--end", "2013-03-01").returncode == 0
    assert _cli(tmp_path, "ingest", "landing", "reference").returncode == 0
    first = _cli(tmp_path, "detect", "--batch-size", "3")
    assert first.returncode == 0, first.stderr
    assert "2 batch(es), 4 meter(s) written" in first.stdout
    again = _cli(tmp_path, "detect", "--data-end", "2013-03-01")
    assert "0 meter(s) written, 4 unchanged, 0 rows" in again.stdout
    scores = _cli(tmp_path, "evaluate", "anomalies", "--detector", "default")
    assert scores.returncode == 0, scores.stderr
    assert "default event recall by kind" in scores.stdout


def test_unknown_detector_is_one_line_and_exit_code_2(tmp_path: Path):
    answer = _cli(tmp_path, "detect", "--detector", "magic")
    assert answer.returncode == 2
    assert "unknown detector 'magic'" in answer.stderr
