"""Queries while another process ingests: never an error, never a half-committed lake."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime
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
    reader = MeterLake(Settings(root=root, threads=1), clustered=True)
    reader.generate(FleetSpec(meters=20, start=date(2013, 1, 1), end=date(2013, 2, 1), seed=5))
    reader.ingest()
    february = MeterLake(Settings(root=tmp_path / "feb")).generate(
        FleetSpec(meters=20, start=date(2013, 2, 1), end=date(2013, 6, 1), seed=6)
    )

    def state() -> dict[str, object]:
        readings = reader.readings(
            "MAC000002", datetime(2013, 2, 1), datetime(2013, 3, 1), "raw", 9999
        )
        return {**reader.sql(CONSISTENCY).to_pylist()[0], "readings": len(readings)}

    before = state()
    assert before == {"daily_feb": None, "monthly_feb": None, "rows": 0, "readings": 0}
    writer = subprocess.Popen(
        [sys.executable, "-c", "from meterlake.cli import run; run()", "ingest",
         str(february.readings[0]), "--root", str(root)],
        env={**os.environ, "MLK_PROGRESS": "false", "MLK_THREADS": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    seen = []
    while writer.poll() is None:
        seen.append(state())
    assert writer.returncode == 0
    after = state()
    assert after["rows"] > 0
    assert after["daily_feb"] == after["monthly_feb"]
    assert len(seen) > 5
    # Each answer (the SQL, then the server's readings) is wholly before or after the commit.
    sql_part = ["daily_feb", "monthly_feb", "rows"]
    assert after["readings"] == after["rows"]
    for state in seen:
        assert {k: state[k] for k in sql_part} in (
            {k: before[k] for k in sql_part},
            {k: after[k] for k in sql_part},
        )
        assert state["readings"] in (0, after["readings"])
