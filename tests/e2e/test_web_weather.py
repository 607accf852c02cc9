"""The Usage vs weather page in Chromium: weekly cost against temperature, year over year."""

from __future__ import annotations

from statistics import mean

import pytest
from sample_site import Dashboard

from meterlake.service import MeterLake

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def _weeks(lake: MeterLake, meter_id: str, year: int) -> list[dict[str, object]]:
    """Weekly kWh of weeks starting in ``year`` with that week's mean apparent temperature."""
    return lake.sql(
        """WITH kwh AS (
            SELECT date_trunc('week', strptime(date_str, '%Y%m%d'))::DATE AS week,
                sum(aggregated_consumption) AS kwh
            FROM aggregated_daily WHERE meter_id = ? GROUP BY 1),
        temps AS (
            SELECT date_trunc('week', "time")::DATE AS week,
                round(avg(apparenttemperature), 3) AS temp
            FROM weather GROUP BY 1)
        SELECT strftime(week, '%Y-%m-%d') AS week, kwh, temp
        FROM kwh LEFT JOIN temps USING (week) WHERE year(week) = ? ORDER BY week""",
        [meter_id, year],
    ).to_pylist()


def _check_year(board: Dashboard, chart_id: str, weeks: list[dict[str, object]]) -> None:
    assert board.categories(chart_id) == [w["week"] for w in weeks]
    series = board.series(chart_id)
    assert series["weekly cost"] == pytest.approx([w["kwh"] * 0.11 for w in weeks], abs=1e-4)
    assert series["apparent temperature"] == [w["temp"] for w in weeks]


def test_usage_vs_weather_follows_meter_and_year(dashboard: Dashboard, sample_lake: MeterLake):
    dashboard.open("/weather?meter=MAC000009")
    dashboard.screenshot("weather")
    assert dashboard.page.input_value("#year") == "2013"
    current, past = _weeks(sample_lake, "MAC000009", 2013), _weeks(sample_lake, "MAC000009", 2012)
    assert len(current) >= 4
    assert len(past) >= 8
    _check_year(dashboard, "current-chart", current)
    _check_year(dashboard, "past-chart", past)
    tiles = dashboard.tiles("yoy-tiles")
    before, now = mean(w["kwh"] for w in past), mean(w["kwh"] for w in current)
    assert tiles["kwh"] == f"{before:.2f} / {now:.2f}"
    assert tiles["cost"] == f"{before * 0.11:.2f} / {now * 0.11:.2f}"
    temps = sample_lake.sql(
        """SELECT year(week) AS y, avg(t) AS t FROM (
            SELECT date_trunc('week', "time")::DATE AS week,
                round(avg(apparenttemperature), 3) AS t FROM weather GROUP BY 1)
        GROUP BY 1 ORDER BY 1"""
    ).to_pylist()
    assert tiles["temperature"] == f"{temps[0]['t']:.1f} / {temps[1]['t']:.1f}"
    assert dashboard.page.inner_text("#current-title").startswith("Current year (2013)")

    dashboard.choose("year", "2012")
    _check_year(dashboard, "current-chart", past)
    assert dashboard.series("past-chart")["weekly cost"] == []  # no data before November 2012

    dashboard.choose("meter", "MAC000006")
    assert dashboard.page.input_value("#year") == "2012"
    _check_year(dashboard, "current-chart", _weeks(sample_lake, "MAC000006", 2012))
