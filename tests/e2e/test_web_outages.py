"""The Outages page in Chromium: the coordinate map, events, locations and reliability."""

from __future__ import annotations

import pytest
from sample_site import Dashboard, Server

from meterlake.service import MeterLake

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def _impacted(lake: MeterLake, start: str) -> list[tuple[float, float, int, str]]:
    rows = lake.sql(
        """SELECT m.meter_id, any_value(g.lat) AS lat, any_value(g.long) AS long,
            count(DISTINCT m.event_id) AS outages
        FROM outage_meters m JOIN geodata g USING (meter_id)
        WHERE m.start >= CAST(? AS TIMESTAMP) GROUP BY 1""",
        [start],
    ).to_pylist()
    ordered = sorted(rows, key=lambda r: (-r["outages"], r["meter_id"]))
    return [(r["long"], r["lat"], r["outages"], r["meter_id"]) for r in ordered]


def test_outage_map_tables_and_indices_follow_window_and_event(
    dashboard: Dashboard, sample_lake: MeterLake, sample_server: Server
):
    dashboard.open("/outages")
    dashboard.screenshot("outages")
    assert dashboard.page.input_value("#start") == "2012-11-01"
    assert dashboard.page.input_value("#end") == "2013-02-01"
    events = sample_lake.sql("SELECT * FROM outage_events ORDER BY start").to_pylist()
    assert len(events) == 3  # the generated fleet's three outages, all found
    indices = sample_server.get("/v1/reliability", start="2012-11-01", end="2013-02-01")
    tiles = dashboard.tiles("outage-tiles")
    impacted = _impacted(sample_lake, "2012-11-01")
    assert tiles["events"] == "3"
    assert tiles["impacted_meters"] == str(len(impacted))
    assert tiles["customer_interruptions"] == str(indices["customer_interruptions"])
    assert (tiles["saifi"], tiles["saidi"]) == (
        f"{indices['saifi']:.4f}",
        f"{indices['saidi']:.2f}",
    )

    points = dashboard.series("map-chart")
    geo = sample_lake.sql("SELECT meter_id, lat, long FROM geodata ORDER BY meter_id").to_pylist()
    everyone = [(g["long"], g["lat"], g["meter_id"]) for g in geo]
    assert [tuple(p) for p in points["meters"]] == everyone
    assert [tuple(p) for p in points["impacted meters"]] == impacted
    assert [p[3] for p in points["event centroids"]] == [e["event_id"] for e in events]
    assert "chosen event" not in points
    table = dashboard.table("events-table")
    assert [row[0] for row in table] == [e["event_id"] for e in events]
    assert [row[4] for row in table] == [str(e["meters_affected"]) for e in events]
    locations = dashboard.table("locations-table")
    assert [(row[0], row[3]) for row in locations] == [(m[3], str(m[2])) for m in impacted]

    second = events[1]["event_id"]
    dashboard.choose("event", second)
    members = sample_lake.sql(
        """SELECT g.long, g.lat, m.meter_id FROM outage_meters m JOIN geodata g USING (meter_id)
        WHERE m.event_id = ? ORDER BY m.meter_id""",
        [second],
    ).to_pylist()
    chosen = dashboard.series("map-chart")["chosen event"]
    assert [tuple(p) for p in chosen] == [(m["long"], m["lat"], m["meter_id"]) for m in members]
    assert dashboard.page.get_attribute("#events-table tr.chosen", "data-key") == second

    third = events[2]["event_id"]
    dashboard.page.click(f"#events-table tr[data-key='{third}']")
    dashboard.wait_ready()
    assert dashboard.page.input_value("#event") == third
    assert f"event={third}" in dashboard.page.url

    dashboard.page.fill("#start", "2012-12-01")
    dashboard.page.dispatch_event("#start", "change")
    dashboard.wait_ready()
    assert dashboard.tiles("outage-tiles")["events"] == "2"
    assert [row[0] for row in dashboard.table("events-table")] == [
        e["event_id"] for e in events[1:]
    ]
    assert [tuple(p) for p in dashboard.series("map-chart")["impacted meters"]] == _impacted(
        sample_lake, "2012-12-01"
    )
