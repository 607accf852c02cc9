"""The Anomalies page (the reference's Dip and Spike dashboards) in Chromium."""

from __future__ import annotations

import calendar
from collections import Counter
from datetime import date, timedelta
from statistics import mean
from typing import Any

import pytest
from sample_site import Dashboard

from meterlake.service import MeterLake

pytestmark = [pytest.mark.browser, pytest.mark.integration]
FLAGS = {"dip": -1, "spike": 1}


def _ms(day: date) -> int:
    return calendar.timegm(day.timetuple()) * 1000  # the page plots UTC epoch milliseconds


def _rows(lake: MeterLake, meter_id: str) -> list[dict[str, Any]]:
    return lake.sql(
        """SELECT CAST(ds AS DATE) AS day, consumption, yhat_lower, yhat_upper, anomaly,
            importance FROM anomaly WHERE meter_id = ? ORDER BY ds""",
        [meter_id],
    ).to_pylist()


def _week_kwh(lake: MeterLake, meter_id: str) -> dict[str, float]:
    rows = lake.sql(
        """SELECT strftime(date_trunc('week', strptime(date_str, '%Y%m%d')), '%Y-%m-%d') AS week,
            sum(aggregated_consumption) AS kwh FROM aggregated_daily WHERE meter_id = ?
        GROUP BY 1""",
        [meter_id],
    ).to_pylist()
    return {row["week"]: row["kwh"] for row in rows}


def _check(board: Dashboard, lake: MeterLake, meter_id: str, year: int, kind: str) -> None:
    rows = _rows(lake, meter_id)
    in_year = [r for r in rows if r["day"].year == year]
    marked = [r for r in in_year if r["anomaly"] == FLAGS[kind]]
    tiles = board.tiles("anomaly-tiles")
    assert tiles["count"] == str(len(marked))
    if marked:
        average = mean(r["consumption"] for r in marked)
        assert (tiles["average_kwh"], tiles["average_cost"]) == (
            f"{average:.2f}",
            f"{average * 0.11:.2f}",
        )
    band = board.series("band-chart")
    assert [(int(t), v) for t, v in band["consumption"]] == [
        (_ms(r["day"]), r["consumption"]) for r in in_year
    ]
    assert [(int(t), v, size) for t, v, size in band[kind]] == [
        (_ms(r["day"]), r["consumption"], r["importance"]) for r in marked
    ]
    pairs = zip(band["expected low"], band["expected band"], strict=True)
    upper = [low[1] + width[1] for low, width in pairs]
    assert upper == pytest.approx([r["yhat_upper"] for r in in_year], abs=1e-6)

    weekdays = Counter(r["day"].strftime("%a") for r in rows if r["anomaly"] == FLAGS[kind])
    assert board.categories("weekday-chart", "yAxis") == [
        "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"
    ]  # fmt: skip
    assert board.series("weekday-chart")[kind] == [
        weekdays[d] for d in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    ]
    weeks = sorted({(r["day"] - timedelta(days=r["day"].weekday())).isoformat() for r in in_year})
    assert board.categories("weekly-chart") == weeks
    weekly = board.series("weekly-chart")
    kwh = _week_kwh(lake, meter_id)
    assert weekly["Actual"] == pytest.approx([kwh[w] * 0.11 for w in weeks], abs=1e-4)
    label = "Dip" if kind == "dip" else "Spike"
    assert weekly[label] == pytest.approx(
        [
            sum(
                r["consumption"] * 0.11
                for r in marked
                if (r["day"] - timedelta(days=r["day"].weekday())).isoformat() == w
            )
            for w in weeks
        ],
        abs=1e-4,
    )


def test_dip_and_spike_dashboards_follow_meter_year_and_kind(
    dashboard: Dashboard, sample_lake: MeterLake
):
    dashboard.open("/anomalies?meter=MAC000010")
    dashboard.screenshot("anomalies")
    assert dashboard.page.input_value("#year") == "2013"  # the latest year by default
    assert dashboard.page.input_value("#kind") == "dip"
    _check(dashboard, sample_lake, "MAC000010", 2013, "dip")
    assert int(dashboard.tiles("anomaly-tiles")["count"]) > 5

    dashboard.choose("year", "2012")
    _check(dashboard, sample_lake, "MAC000010", 2012, "dip")

    dashboard.choose("kind", "spike")
    dashboard.choose("year", "2013")
    _check(dashboard, sample_lake, "MAC000010", 2013, "spike")
    assert dashboard.tiles("anomaly-tiles")["count"] == "1"

    dashboard.choose("meter", "MAC000005")
    dashboard.choose("year", "2012")
    _check(dashboard, sample_lake, "MAC000005", 2012, "spike")
    assert "meter=MAC000005" in dashboard.page.url
    assert "kind=spike" in dashboard.page.url
