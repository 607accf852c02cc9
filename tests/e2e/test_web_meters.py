"""The Meter explorer in Chromium: search a meter, its readings, consumption and cost."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sample_site import Dashboard

from meterlake.service import MeterLake

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def _iso(day: str) -> str:
    return f"{day[:4]}-{day[4:6]}-{day[6:]}"


def _per_period(lake: MeterLake, meter_id: str, unit: str) -> list[dict[str, object]]:
    return lake.sql(
        f"""SELECT strftime(date_trunc('{unit}', strptime(date_str, '%Y%m%d')), '%Y-%m-%d')
                AS start, sum(aggregated_consumption) AS kwh
        FROM aggregated_daily WHERE meter_id = ? GROUP BY 1 ORDER BY 1""",
        [meter_id],
    ).to_pylist()


def _interval_reads(lake: MeterLake, meter_id: str, start: datetime) -> list[tuple[int, float]]:
    rows = lake.sql(
        """SELECT epoch_ms(reading_date_time) AS ms, reading_value AS kwh FROM daily
        WHERE meter_id = ? AND reading_type = 'INT' AND reading_date_time >= ?
            AND reading_date_time < ? ORDER BY reading_date_time""",
        [meter_id, start, start + timedelta(days=7)],
    ).to_pylist()
    return [(row["ms"], row["kwh"]) for row in rows]


def _points(data: list[list[float]]) -> list[tuple[int, float]]:
    return [(int(time), value) for time, value in data]


def test_meter_explorer_shows_a_meter_and_follows_every_control(
    dashboard: Dashboard, sample_lake: MeterLake
):
    dashboard.open("/meters")
    dashboard.screenshot("meters")
    assert dashboard.page.input_value("#meter") == "MAC000002"
    summary = sample_lake.sql(
        """SELECT min(date_str) AS first, max(date_str) AS last, count(*) AS days,
            sum(aggregated_consumption) AS kwh FROM aggregated_daily WHERE meter_id = ?""",
        ["MAC000002"],
    ).to_pylist()[0]
    tiles = dashboard.tiles("meter-tiles")
    assert (tiles["first_day"], tiles["last_day"]) == (_iso(summary["first"]), _iso("20130131"))
    assert tiles["days"] == str(summary["days"])
    assert tiles["total_kwh"] == f"{summary['kwh']:.2f}"
    assert tiles["total_cost"] == f"{summary['kwh'] * 0.11:.2f}"  # the default cost per kWh

    daily = _per_period(sample_lake, "MAC000002", "day")
    assert dashboard.categories("consumption-chart") == [row["start"] for row in daily]
    series = dashboard.series("consumption-chart")
    assert series["kWh"] == pytest.approx([row["kwh"] for row in daily], abs=1e-6)
    assert series["cost"] == pytest.approx([row["kwh"] * 0.11 for row in daily], abs=1e-4)
    last_week = datetime(2013, 1, 25)
    readings = _points(dashboard.series("readings-chart")["interval kWh"])
    assert readings == _interval_reads(sample_lake, "MAC000002", last_week)
    assert len(readings) > 300

    dashboard.choose("period", "week")
    weekly = _per_period(sample_lake, "MAC000002", "week")
    assert dashboard.categories("consumption-chart") == [row["start"] for row in weekly]
    assert dashboard.series("consumption-chart")["kWh"] == pytest.approx(
        [row["kwh"] for row in weekly], abs=1e-5
    )

    dashboard.page.fill("#cost-per-kwh", "0.25")
    dashboard.page.dispatch_event("#cost-per-kwh", "change")
    dashboard.wait_ready()
    assert dashboard.series("consumption-chart")["cost"] == pytest.approx(
        [row["kwh"] * 0.25 for row in weekly], abs=1e-4
    )

    dashboard.page.fill("#meter-search", "MAC000007")
    dashboard.wait_ready()
    assert dashboard.page.input_value("#meter") == "MAC000007"
    other = _per_period(sample_lake, "MAC000007", "week")
    assert dashboard.series("consumption-chart")["kWh"] == pytest.approx(
        [row["kwh"] for row in other], abs=1e-5
    )
    assert "meter=MAC000007" in dashboard.page.url

    dashboard.page.fill("#week-start", "2012-12-03")
    dashboard.page.dispatch_event("#week-start", "change")
    dashboard.wait_ready()
    readings = _points(dashboard.series("readings-chart")["interval kWh"])
    assert readings == _interval_reads(sample_lake, "MAC000007", datetime(2012, 12, 3))
