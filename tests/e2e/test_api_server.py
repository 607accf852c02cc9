"""The real server: `meterlake serve` in a subprocess, answering over loopback HTTP."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from cli_process import served

from meterlake.config import Settings
from meterlake.service import MeterLake
from meterlake.synth import FleetSpec

pytestmark = pytest.mark.integration


def _get(url: str) -> tuple[int, object]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback only)
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_serve_answers_the_reference_endpoints(tmp_path: Path):
    root = tmp_path / "lake"
    lake = MeterLake(Settings(root=root))
    lake.generate(FleetSpec(meters=2, start=date(2013, 1, 1), end=date(2013, 2, 1), seed=4))
    lake.ingest([lake.layout.landing, root / "reference"])
    with served(root, seconds=30) as base:
        status, monthly = _get(f"{base}/consumption/monthly/2013/MAC000002")
        assert status == 200
        assert isinstance(monthly, list)
        assert [row[:3] for row in monthly] == [["MAC000002", 2013, 1]]
        status, outage = _get(
            f"{base}/outage?start_date_time=2013-01-01+00:00:00&end_date_time=2013-02-01+00:00:00"
        )
        assert (status, outage) == (200, {"Items": [], "Count": 0})
        status, anomaly = _get(
            f"{base}/anomaly/MAC000002?data_start=2013-01-01&data_end=2013-02-01&outlier_only=1"
        )
        assert status == 200
        assert anomaly == {
            c: {}
            for c in ("meter_id", "ds", "consumption", "yhat_lower", "yhat_upper", "anomaly",
                      "importance")
        }  # fmt: skip
        status, forecast = _get(
            f"{base}/forecast/MAC000002?data_start=2013-01-01&data_end=2013-02-01"
        )
        assert status == 200
        assert isinstance(forecast, dict)
        assert len(forecast["consumption"]) == 168
        assert next(iter(forecast["consumption"])) == "1359676800000"  # 2013-02-01T00:00Z
        status, problem = _get(f"{base}/forecast/MAC000002?data_start=2013-01-01")
        assert status == 400
        assert isinstance(problem, dict)
        assert problem["status"] == 400
