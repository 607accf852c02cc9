"""Readings stored in UTC, days, weeks and aggregates on a local calendar (clock changes 2013)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from meterlake.config import Settings, load_settings
from meterlake.errors import ConfigError
from meterlake.service import MeterLake

pytestmark = pytest.mark.integration
KAGGLE = "LCLid,tstp,energy(kWh/hh)\n"


def _utc_file(path: Path, start: datetime, end: datetime) -> Path:
    """Half-hourly readings of 0.5 kWh in UTC from ``start`` to ``end`` (exclusive)."""
    rows, moment = [], start
    while moment < end:
        rows.append(f"MAC000002,{moment:%Y-%m-%d %H:%M:%S}.0000000,0.5")
        moment += timedelta(minutes=30)
    path.write_text(KAGGLE + "\n".join(rows) + "\n")
    return path


def _per_day(lake: MeterLake) -> dict[str, tuple[int, float]]:
    rows = lake.sql(
        "SELECT d.date_str, count(*) AS n, any_value(a.aggregated_consumption) AS kwh"
        " FROM daily d JOIN aggregated_daily a USING (meter_id, date_str) GROUP BY d.date_str"
    ).to_pylist()
    return {r["date_str"]: (r["n"], r["kwh"]) for r in rows}


@pytest.mark.parametrize(
    ("start", "day", "half_hours"),
    [
        (datetime(2013, 3, 25), "20130331", 46),
        (datetime(2013, 3, 25), "20130327", 48),
        (datetime(2013, 10, 24), "20131027", 50),
    ],
)
def test_london_calendar_days_have_46_48_or_50_half_hours(
    tmp_path: Path, start: datetime, day: str, half_hours: int
):
    lake = MeterLake(Settings(root=tmp_path / "lake", calendar_timezone="Europe/London"))
    lake.ingest([_utc_file(tmp_path / "utc.csv", start, start + timedelta(days=8))])
    assert _per_day(lake)[day] == (half_hours, half_hours * 0.5)


def test_naive_local_times_are_stored_in_utc(tmp_path: Path):
    source = tmp_path / "local.csv"
    source.write_text(
        KAGGLE
        + "MAC000002,2013-07-01 00:00:00.0000000,1\n"
        + "MAC000002,2013-07-01 12:30:00.0000000,2\n"
        + "MAC000002,2013-03-31 00:30:00.0000000,3\n"
        + "MAC000002,2013-03-31 02:00:00.0000000,4\n"
    )
    settings = Settings(
        root=tmp_path / "lake",
        source_timezones={"london_kaggle": "Europe/London"},
        calendar_timezone="Europe/London",
    )
    lake = MeterLake(settings)
    lake.ingest([source])
    rows = lake.sql(
        "SELECT reading_date_time, date_str, hour, minute FROM daily ORDER BY reading_date_time"
    ).to_pylist()
    assert [tuple(r.values()) for r in rows] == [
        (datetime(2013, 3, 31, 0, 30), "20130331", 0, 30),
        (datetime(2013, 3, 31, 1, 0), "20130331", 2, 0),
        (datetime(2013, 6, 30, 23, 0), "20130701", 0, 0),
        (datetime(2013, 7, 1, 11, 30), "20130701", 12, 30),
    ]
    monthly = lake.sql("SELECT month, aggregated_consumption AS kwh FROM aggregated_monthly")
    assert sorted(monthly.to_pylist(), key=lambda r: r["month"]) == [
        {"month": 3, "kwh": 7.0},
        {"month": 7, "kwh": 3.0},
    ]


def test_unknown_zone_is_a_config_error(tmp_path: Path):
    with pytest.raises(ConfigError, match="unknown time zone 'Mars/Olympus'"):
        load_settings(root=tmp_path, calendar_timezone="Mars/Olympus")
