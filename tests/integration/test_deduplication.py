"""Which row survives when keys repeat, on and off the half-hour grid, within and across runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from meterlake.service import MeterLake

pytestmark = pytest.mark.integration


def _values(lake: MeterLake) -> dict[tuple[str, str], float | None]:
    rows = lake.sql("SELECT meter_id, reading_date_time, reading_value FROM daily").to_pylist()
    return {
        (r["meter_id"], r["reading_date_time"].strftime("%H:%M:%S")): r["reading_value"]
        for r in rows
    }


def test_repeated_keys_keep_one_row_lowest_value_and_exact_daily_totals(
    lake: MeterLake, data_dir: Path
):
    report = lake.ingest([data_dir / "london" / "lcl_conflicts.csv"])
    (outcome,) = report.files
    assert (outcome.rows_read, outcome.rows_clean, outcome.duplicates) == (7, 4, 3)
    assert _values(lake) == {
        ("MAC000010", "00:07:13"): 0.4,  # off the grid, conflicting: the lowest value wins
        ("MAC000010", "00:15:00"): 0.2,
        ("MAC000010", "00:30:00"): 0.3,
        ("MAC000011", "00:00:00"): 1.0,  # a value beats a Null
    }
    totals = lake.sql(
        "SELECT meter_id, aggregated_consumption AS kwh FROM aggregated_daily ORDER BY 1"
    ).to_pylist()
    assert totals == [{"meter_id": "MAC000010", "kwh": 0.9}, {"meter_id": "MAC000011", "kwh": 1.0}]


def test_a_later_file_never_overwrites_existing_readings(lake: MeterLake, tmp_path: Path):
    first = tmp_path / "first.csv"
    first.write_text("LCLid,tstp,energy(kWh/hh)\nMAC000010,2013-03-01 00:30:00.0000000,0.3\n")
    second = tmp_path / "second.csv"
    second.write_text(
        "LCLid,tstp,energy(kWh/hh)\n"
        "MAC000010,2013-03-01 00:30:00.0000000,0.1\n"
        "MAC000010,2013-03-01 01:00:00.0000000,0.5\n"
    )
    lake.ingest([first])
    report = lake.ingest([second])
    assert (report.files[0].rows_clean, report.files[0].duplicates) == (1, 1)
    assert _values(lake) == {("MAC000010", "00:30:00"): 0.3, ("MAC000010", "01:00:00"): 0.5}
    total = lake.sql("SELECT aggregated_consumption AS kwh FROM aggregated_daily").to_pylist()
    assert total == [{"kwh": 0.8}]
