"""``meterlake train``, ``models list|show|activate`` and ``forecast`` as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

CLI = [sys.executable, "-c", "from meterlake.cli import run; run()"]


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MLK_PROGRESS": "false", "COLUMNS": "200", "OMP_WAIT_POLICY": "passive"}
    env.pop("MLK_ROOT", None)
    return subprocess.run(
        [*CLI, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_train_activate_and_forecast(tmp_path: Path):
    assert _cli(tmp_path, "generate", "--meters", "6", "--end", "2013-02-15").returncode == 0
    assert _cli(tmp_path, "ingest").returncode == 0
    window = ("--data-start", "2013-01-01", "--data-end", "2013-02-15")
    trained = _cli(tmp_path, "train", *window, "--training-samples", "6")
    assert trained.returncode == 0, trained.stderr
    assert "naive168" in trained.stdout
    baseline = _cli(tmp_path, "train", *window, "--model", "naive168", "--no-activate")
    assert baseline.returncode == 0, baseline.stderr
    versions = sorted(p.name for p in (tmp_path / "models").glob("model-*"))
    assert len(versions) == 2
    shown = json.loads(_cli(tmp_path, "models", "show").stdout)
    assert shown["kind"] == "gbm"
    naive = next(
        v
        for v in versions
        if json.loads(_cli(tmp_path, "models", "show", v).stdout)["kind"] == "naive168"
    )
    assert _cli(tmp_path, "models", "activate", naive).returncode == 0
    assert json.loads(_cli(tmp_path, "models", "show").stdout)["version"] == naive
    assert "active" in _cli(tmp_path, "models", "list").stdout
    done = _cli(tmp_path, "forecast", "--data-end", "2013-02-15", "--forecast-period", "2")
    assert done.returncode == 0, done.stderr
    assert f"{6 * 48} forecast rows for 6 meters" in done.stdout
    unknown = _cli(tmp_path, "models", "activate", "model-nope")
    assert unknown.returncode == 2
    assert unknown.stderr.count("\n") == 1
