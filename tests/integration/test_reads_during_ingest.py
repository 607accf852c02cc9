"""Queries while another process ingests: never an error, never a half-committed lake."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from meterlake.config import Settings
from meterlake.service import MeterLake
from meterlake.synth import FleetSpec

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CONSISTENCY = """
SELECT
    (SELECT round(sum(aggregated_consumption), 6) FROM aggregated_daily
     WHERE meter_id = 'MAC000002' AND date_str LIKE '201302%') AS daily_feb,
    (SELECT round(sum(aggregated_consumption), 6) FROM aggregated_monthly
     WHERE meter_id = 'MAC000002' AND year = 2013 AND month = 2) AS monthly_feb,
    (SELECT count(*) FROM daily WHERE meter_id = 'MAC000002' AND date_str LIKE '201302%') AS rows
"""


def test_every_read_during_an_ingest_sees_before_or_after(tmp_path: Path):
    root = tmp_path / "lake"
    reader = MeterLake(Settings(root=root, threads=1))
    reader.generate(FleetSpec(meters=20, start=date(2013, 1, 1), end=date(2013, 2, 1), seed=5))
    reader.ingest()
    february = MeterLake(Settings(root=tmp_path / "feb")).generate(
        FleetSpec(meters=20, start=date(2013, 2, 1), end=date(2013, 6, 1), seed=6)
    )
    before = reader.sql(CONSISTENCY).to_pylist()[0]
    assert before == {"daily_feb": None, "monthly_feb": None, "rows": 0}
    writer = subprocess.Popen(
        [sys.executable, "-c", "from meterlake.cli import run; run()", "ingest",
         str(february.readings[0]), "--root", str(root)],
        env={**os.environ, "MLK_PROGRESS": "false", "MLK_THREADS": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    seen = []
    while writer.poll() is None:
        seen.append(reader.sql(CONSISTENCY).to_pylist()[0])
    assert writer.returncode == 0
    after = reader.sql(CONSISTENCY).to_pylist()[0]
    assert after["rows"] > 0
    assert after["daily_feb"] == after["monthly_feb"]
    assert len(seen) > 5
    assert all(state in (before, after) for state in seen)
