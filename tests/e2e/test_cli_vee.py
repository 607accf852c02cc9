"""The VEE commands as a user runs them: ingest validates, quality, edit, edits, vee."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from meterlake.config import Settings
from meterlake.service import MeterLake
from meterlake.synth import FleetSpec

pytestmark = pytest.mark.integration

CLI = [sys.executable, "-c", "from meterlake.cli import run; run()"]


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MLK_PROGRESS": "false", "MLK_THREADS": "1", "COLUMNS": "250"}
    env.pop("MLK_ROOT", None)
    return subprocess.run(
        [*CLI, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_ingest_validates_and_an_edit_shows_in_the_log_and_the_report(tmp_path: Path):
    lake = MeterLake(Settings(root=tmp_path, threads=1))
    lake.generate(FleetSpec(meters=3, start=date(2013, 1, 1), end=date(2013, 1, 15)))
    (tmp_path / "landing" / "bad.csv").write_text(
        "meter_id;obis_code;reading_time;reading_value;error_code;reading_type\n"
        "MAC000002;;2013-01-10 10:10:00;-2.5;;INT\n"
        "MAC000002;;2013-01-10 10:10:00;-2.0;;INT\n"
    )
    ingested = _cli(tmp_path, "ingest")
    assert ingested.returncode == 0, ingested.stderr
    assert "vee run" in ingested.stdout
    for found in ("'negative': 1", "'off_grid': 1", "'duplicate_conflict': 1"):
        assert found in ingested.stdout

    report = _cli(tmp_path, "quality", "--start", "2013-01-01", "--end", "2013-01-15", "--json")
    assert report.returncode == 0, report.stderr
    rows = {r["meter_id"]: r for r in json.loads(report.stdout)}
    assert rows["MAC000002"]["flags"]["negative"] == 1
    assert 0.9 < rows["MAC000002"]["completeness"] <= 1.0

    refused = _cli(
        tmp_path, "edit", "MAC000002", "2013-01-10T10:10", "--action", "override",
        "--value", "-1", "--reason", "typo", "--user", "ana",
    )  # fmt: skip
    assert refused.returncode == 2
    assert "negative" in refused.stderr
    accepted = _cli(
        tmp_path, "edit", "MAC000002", "2013-01-10T10:10", "--action", "accept",
        "--reason", "export from solar", "--user", "ana",
    )  # fmt: skip
    assert accepted.returncode == 0, accepted.stderr
    assert "status actual" in accepted.stdout  # off the grid and negative, but accepted
    log = _cli(tmp_path, "edits", "--json")
    entries = [(e["action"], e["user"], e["note"]) for e in json.loads(log.stdout)]
    assert entries == [("accept", "local", "ana")]

    redo = _cli(tmp_path, "vee", "--start", "2013-01-10", "--end", "2013-01-11")
    assert redo.returncode == 0 and "1 day(s)" in redo.stdout
