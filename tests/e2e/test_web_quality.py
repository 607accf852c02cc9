"""The Data quality page in Chromium: the VEE report of the sample lake, as the API gives it."""

from __future__ import annotations

from datetime import date

import pytest
from sample_site import SAMPLE_END, SAMPLE_START, Dashboard

from meterlake.service import MeterLake

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_the_quality_page_shows_each_meters_report(dashboard: Dashboard, sample_lake: MeterLake):
    dashboard.open(f"/quality?start={SAMPLE_START}&end={SAMPLE_END}")
    dashboard.screenshot("quality")
    rows = sample_lake.vee().quality(SAMPLE_START, SAMPLE_END)
    assert rows, "the pipeline's vee step left no report"
    tiles = dashboard.tiles("quality-tiles")
    assert tiles["meters"] == str(len(rows))
    assert tiles["stopped"] == str(sum(r["stopped"] for r in rows))
    assert tiles["estimated"] == str(sum(r["estimated"] for r in rows))
    table = dashboard.table("meters-table")
    assert sorted(line[0] for line in table) == sorted(r["meter_id"] for r in rows)
    worst = min(rows, key=lambda r: (r["completeness"], r["meter_id"]))
    assert table[0][:2] == [worst["meter_id"], f"{100 * worst['completeness']:.2f}"]
    totals: dict[str, int] = {}
    for row in rows:
        for rule, count in row["flags"].items():
            totals[rule] = totals.get(rule, 0) + count
    assert dashboard.categories("rules-chart") == sorted(totals)
    assert dashboard.series("rules-chart")["flags"] == [totals[r] for r in sorted(totals)]
    stopped = [line[0] for line in dashboard.table("stopped-table")]
    assert sorted(stopped) == sorted(r["meter_id"] for r in rows if r["stopped"])


def test_the_period_follows_the_date_inputs(dashboard: Dashboard, sample_lake: MeterLake):
    dashboard.open("/quality?start=2013-01-01&end=2013-01-15")
    rows = sample_lake.vee().quality(date(2013, 1, 1), date(2013, 1, 15))
    assert dashboard.tiles("quality-tiles")["meters"] == str(len(rows))
    assert dashboard.page.input_value("#start") == "2013-01-01"
