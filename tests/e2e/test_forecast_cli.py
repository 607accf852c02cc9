"""``meterlake train``, ``models list|show|activate`` and ``forecast`` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_process import run_cli

pytestmark = pytest.mark.integration


def test_train_activate_and_forecast(tmp_path: Path):
    assert run_cli(tmp_path, "generate", "--meters", "6", "--end", "2013-02-15").returncode == 0
    assert run_cli(tmp_path, "ingest").returncode == 0
    window = ("--data-start", "2013-01-01", "--data-end", "2013-02-15")
    trained = run_cli(tmp_path, "train", *window, "--training-samples", "6")
    assert trained.returncode == 0, trained.stderr
    assert "naive168" in trained.stdout
    baseline = run_cli(tmp_path, "train", *window, "--model", "naive168", "--no-activate")
    assert baseline.returncode == 0, baseline.stderr
    versions = sorted(p.name for p in (tmp_path / "models").glob("model-*"))
    assert len(versions) == 2
    shown = json.loads(run_cli(tmp_path, "models", "show").stdout)
    assert shown["kind"] == "gbm"
    naive = next(
        v
        for v in versions
        if json.loads(run_cli(tmp_path, "models", "show", v).stdout)["kind"] == "naive168"
    )
    assert run_cli(tmp_path, "models", "activate", naive).returncode == 0
    assert json.loads(run_cli(tmp_path, "models", "show").stdout)["version"] == naive
    assert "active" in run_cli(tmp_path, "models", "list").stdout
    done = run_cli(tmp_path, "forecast", "--data-end", "2013-02-15", "--forecast-period", "2")
    assert done.returncode == 0, done.stderr
    assert f"{6 * 48} forecast rows for 6 meters" in done.stdout
    unknown = run_cli(tmp_path, "models", "activate", "model-nope")
    assert unknown.returncode == 2
    assert unknown.stderr.count("\n") == 1
