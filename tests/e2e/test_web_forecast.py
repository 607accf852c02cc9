"""The Forecast page in Chromium: band, weekly cost, daily and hourly actual vs forecast."""

from __future__ import annotations

from datetime import datetime
from statistics import mean
from typing import Any

import pytest
from sample_site import Dashboard

from meterlake.service import MeterLake

pytestmark = [pytest.mark.browser, pytest.mark.integration]
METER = "MAC000004"


def _forecast(lake: MeterLake) -> list[dict[str, Any]]:
    return lake.sql(
        """SELECT epoch_ms(datetime) AS ms, datetime, p10, p50, p90 FROM forecast
        WHERE meter_id = ? ORDER BY datetime""",
        [METER],
    ).to_pylist()


def _weekly_kwh(lake: MeterLake, year: int) -> list[float]:
    rows = lake.sql(
        """SELECT date_trunc('week', strptime(date_str, '%Y%m%d')) AS week,
            sum(aggregated_consumption) AS kwh FROM aggregated_daily
        WHERE meter_id = ? AND date_str >= ? AND date_str < ? GROUP BY 1""",
        [METER, f"{year}0101", f"{year + 1}0101"],
    ).to_pylist()
    return [row["kwh"] for row in rows]


def _hourly_by_weekday(lake: MeterLake, year: int, weekday: int) -> list[float | None]:
    rows = lake.sql(
        """WITH hours AS (
            SELECT date_trunc('hour', reading_date_time) AS t, round(sum(reading_value), 6) AS kwh
            FROM daily WHERE meter_id = ? AND reading_type = 'INT'
                AND reading_date_time >= ? AND reading_date_time < ? GROUP BY 1)
        SELECT hour(t) AS h, avg(kwh) AS kwh FROM hours WHERE dayofweek(t) = ? GROUP BY 1""",
        [METER, datetime(year, 1, 1), datetime(year + 1, 1, 1), weekday],
    ).to_pylist()
    found = {row["h"]: row["kwh"] for row in rows}
    return [found.get(hour) for hour in range(24)]


def _forecast_by_weekday(rows: list[dict[str, Any]], weekday: int) -> list[float | None]:
    hours: dict[int, list[float]] = {}
    for row in rows:
        if row["datetime"].isoweekday() % 7 == weekday:
            hours.setdefault(row["datetime"].hour, []).append(row["p50"])
    return [mean(hours[h]) if h in hours else None for h in range(24)]


def _check_costs(board: Dashboard, lake: MeterLake, year: int) -> None:
    forecast = _forecast(lake)
    average = mean(_weekly_kwh(lake, year)) * 0.11
    ahead = sum(row["p50"] for row in forecast) * 0.11
    tiles = board.tiles("forecast-tiles")
    assert tiles["average_weekly_cost"] == f"{average:.2f}"
    assert tiles["forecast_weekly_cost"] == f"{ahead:.2f}"
    assert tiles["change"] == f"{(ahead - average) / average * 100:.1f}%"


def test_forecast_page_shows_the_band_costs_and_follows_year_and_weekday(
    dashboard: Dashboard, sample_lake: MeterLake
):
    dashboard.open(f"/forecast?meter={METER}")
    dashboard.screenshot("forecast")
    assert (dashboard.page.input_value("#year"), dashboard.page.input_value("#weekday")) == (
        "2013",
        "4",  # Thursday, the reference's default
    )
    forecast = _forecast(sample_lake)
    assert len(forecast) == 7 * 24
    band = dashboard.series("forecast-chart")
    assert [(int(t), v) for t, v in band["P50"]] == [(r["ms"], r["p50"]) for r in forecast]
    upper = [low[1] + width[1] for low, width in zip(band["P10"], band["P10-P90"], strict=True)]
    assert upper == pytest.approx([r["p90"] for r in forecast], abs=1e-6)
    history = sample_lake.sql(
        """SELECT epoch_ms(date_trunc('hour', reading_date_time)) AS ms,
            round(sum(reading_value), 6) AS kwh FROM daily
        WHERE meter_id = ? AND reading_type = 'INT' AND reading_date_time >= '2013-01-18'
            AND reading_date_time < '2013-02-01' GROUP BY 1 ORDER BY 1""",
        [METER],
    ).to_pylist()
    assert [int(t) for t, _ in band["actual"]] == [r["ms"] for r in history]
    assert [v for _, v in band["actual"]] == pytest.approx([r["kwh"] for r in history], abs=1e-9)
    _check_costs(dashboard, sample_lake, 2013)

    days = dashboard.categories("daily-chart")
    assert (days[0], days[27], days[28], days[-1]) == (
        "2013-01-04", "2013-01-31", "2013-02-01", "2013-02-07"
    )  # fmt: skip
    daily = dashboard.series("daily-chart")
    first_day = sample_lake.sql(
        "SELECT aggregated_consumption FROM aggregated_daily WHERE meter_id = ? AND date_str = ?",
        [METER, "20130104"],
    ).column(0)[0]
    assert daily["Actual"][0] == pytest.approx(first_day.as_py() * 0.11, abs=1e-4)
    assert daily["Actual"][28:] == [None] * 7
    assert daily["Forecast"][28] == pytest.approx(
        sum(r["p50"] for r in forecast[:24]) * 0.11, abs=1e-4
    )

    hourly = dashboard.series("hourly-chart")
    assert hourly["Actual Average"] == pytest.approx(
        _hourly_by_weekday(sample_lake, 2013, 4), abs=1e-6
    )
    assert hourly["Forecast Average"] == pytest.approx(_forecast_by_weekday(forecast, 4), abs=1e-6)

    dashboard.choose("weekday", "1")
    hourly = dashboard.series("hourly-chart")
    assert hourly["Actual Average"] == pytest.approx(
        _hourly_by_weekday(sample_lake, 2013, 1), abs=1e-6
    )
    assert hourly["Forecast Average"] == pytest.approx(_forecast_by_weekday(forecast, 1), abs=1e-6)

    dashboard.choose("year", "2012")
    _check_costs(dashboard, sample_lake, 2012)
    hourly = dashboard.series("hourly-chart")
    assert hourly["Actual Average"] == pytest.approx(
        _hourly_by_weekday(sample_lake, 2012, 1), abs=1e-6
    )
    assert "weekday=1" in dashboard.page.url
