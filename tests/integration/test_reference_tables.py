"""Weather, geo and CIS tables loaded from landing files into queryable lake tables."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from meterlake.service import MeterLake

pytestmark = pytest.mark.integration


def test_reference_files_are_detected_loaded_and_queryable(lake: MeterLake, data_dir: Path):
    report = lake.ingest([data_dir / "weather", data_dir / "geo", data_dir / "cis"])
    assert sorted(f.reader for f in report.files) == [
        "reference:cis",
        "reference:full_geo",
        "reference:geodata",
        "reference:weather",
    ]
    assert all(f.balanced for f in report.files)
    weather = lake.sql("SELECT time, temperature FROM weather ORDER BY time LIMIT 1").to_pylist()
    assert weather == [{"time": datetime(2011, 11, 11, 0, 0), "temperature": 10.24}]
    zips = lake.sql("SELECT zip FROM cis WHERE zip LIKE '0%'").to_pylist()
    assert zips == [{"zip": "05743"}]
    geo = lake.sql("SELECT lat, long FROM geodata WHERE meter_id = ?", ["MAC004068"]).to_pylist()
    assert geo == [{"lat": 40.76727216, "long": -73.99392888}]
    assert lake.sql('SELECT count("order") AS n FROM full_geo').to_pylist() == [{"n": 2}]


def test_newer_deliveries_replace_rows_by_key_and_reloads_change_nothing(
    lake: MeterLake, tmp_path: Path
):
    first = tmp_path / "geo1.csv"
    first.write_text("MAC000002,51.5,-0.1\nMAC000003,51.6,-0.2\n")
    second = tmp_path / "geo2.csv"
    second.write_text("MAC000003,51.7,-0.3\nMAC000004,51.4,0.1\nMAC000004,51.41,0.11\n")
    lake.ingest([first])
    report = lake.ingest([second])
    (outcome,) = report.files
    assert (outcome.rows_read, outcome.rows_clean, outcome.duplicates) == (3, 2, 1)
    rows = lake.sql("SELECT * FROM geodata ORDER BY meter_id").to_pylist()
    assert rows == [
        {"meter_id": "MAC000002", "lat": 51.5, "long": -0.1},
        {"meter_id": "MAC000003", "lat": 51.7, "long": -0.3},
        {"meter_id": "MAC000004", "lat": 51.41, "long": 0.11},
    ]
    again = tmp_path / "again.csv"
    again.write_bytes(second.read_bytes())
    assert [f.status for f in lake.ingest([again]).files] == ["skipped"]
    assert lake.sql("SELECT count(*) AS n FROM geodata").to_pylist() == [{"n": 3}]


def test_bad_reference_rows_are_quarantined(lake: MeterLake, tmp_path: Path):
    geo = tmp_path / "geo.csv"
    geo.write_text("MAC000002,51.5,-0.1\nMAC000003,abc,-0.2\nMAC000004,51.4,0.1\n")
    report = lake.ingest([geo])
    assert (report.files[0].rows_clean, report.files[0].quarantined) == (2, 1)
    bad = lake.sql("SELECT line, reason FROM quarantine").to_pylist()
    assert bad[0]["line"] == 2
    assert "not a number" in bad[0]["reason"]
