"""The Overview page in Chromium: fleet tiles, the coverage chart, runs and data quality."""

from __future__ import annotations

import pytest
from sample_site import SAMPLE_METERS, Dashboard, Server

from meterlake.service import MeterLake

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_overview_shows_the_fleet_its_coverage_and_the_latest_runs(
    dashboard: Dashboard, sample_server: Server, sample_lake: MeterLake
):
    seconds = dashboard.open("/")
    dashboard.screenshot("overview")
    assert seconds < 5  # first meaningful paint is measured in docs/web.md; this is a guard

    tiles = dashboard.tiles("fleet-tiles")
    assert tiles["meters"] == str(SAMPLE_METERS)
    assert tiles["days"] == "92"
    assert tiles["span"] == "2012-11-01 to 2013-01-31"
    counts = sample_lake.sql(
        "SELECT count(*) FILTER (WHERE anomaly = 1), count(*) FILTER (WHERE anomaly = -1)"
        " FROM anomaly"
    ).to_pylist()[0]
    spikes, dips = counts.values()
    assert (tiles["spikes"], tiles["dips"]) == (str(spikes), str(dips))
    assert tiles["forecast_rows"] == str(SAMPLE_METERS * 7 * 24)

    per_day = sample_lake.sql(
        "SELECT date_str, count(*) AS meters, sum(aggregated_consumption) AS kwh"
        " FROM aggregated_daily GROUP BY 1 ORDER BY 1"
    ).to_pylist()
    days = dashboard.categories("coverage-chart")
    series = dashboard.series("coverage-chart")
    assert days == [
        f"{r['date_str'][:4]}-{r['date_str'][4:6]}-{r['date_str'][6:]}" for r in per_day
    ]
    assert series["meters reporting"] == [r["meters"] for r in per_day]
    assert series["fleet kWh"] == pytest.approx([r["kwh"] for r in per_day], abs=1e-5)

    pipeline = dashboard.table("pipeline-runs")
    record = sample_server.get("/v1/pipeline-runs")[0]
    assert pipeline[0][:3] == [record["run_id"], "manual", "succeeded"]
    assert "forecast: succeeded (meters=12, rows=2016)" in pipeline[0][3]
    kinds = [row[1] for row in dashboard.table("runs")]
    assert sorted(kinds) == ["detect", "forecast", "ingest", "outages", "vee"]
    quarantined = sample_server.get("/v1/quality")
    assert len(quarantined) == 1
    assert tiles["quarantined_rows"] == "1"
    assert dashboard.table("quality") == [
        [q["run_id"], q["file"], q["reason"], str(q["rows"]), str(q["first_line"])]
        for q in quarantined
    ]
    assert "late_delivery.csv" in dashboard.table("quality")[0][1]
    assert not dashboard.page.is_visible("#quality-empty")
