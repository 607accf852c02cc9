"""The v1 outage routes over a lake with detected events: shapes, 404s and 400 problems."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from fastapi.testclient import TestClient

from meterlake.api.app import create_app
from meterlake.config import Settings
from meterlake.service import MeterLake
from meterlake.synth import FleetSpec

WINDOW = "start=2013-01-01&end=2013-02-01"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    root = tmp_path_factory.mktemp("v1-outages") / "lake"
    lake = MeterLake(Settings(root=root, threads=1, progress=False))
    lake.generate(FleetSpec(meters=80, start=date(2013, 1, 1), end=date(2013, 2, 1), outages=4))
    lake.ingest([lake.layout.landing, root / "reference"])
    lake.detect_outages(datetime(2013, 1, 1), datetime(2013, 2, 1))
    lake.close()
    return TestClient(create_app(Settings(root=root)))


def test_events_in_a_window_and_one_event_with_its_meters(client: TestClient):
    events = client.get(f"/v1/outages?{WINDOW}").json()
    assert len(events) >= 3
    first = events[0]
    assert first["source"] == "inferred"
    assert first["restoration"] > first["start"]
    assert first["meters_affected"] >= 2
    assert 51 < first["centroid_lat"] < 52
    detail = client.get(f"/v1/outages/{first['event_id']}").json()
    assert len(detail["meters"]) == first["meters_affected"]
    assert {"meter_id", "start", "restoration", "customers", "lat", "long"} <= set(
        detail["meters"][0]
    )
    paged = client.get(f"/v1/outages?{WINDOW}&limit=1&offset=1").json()
    assert [e["event_id"] for e in paged] == [events[1]["event_id"]]
    assert client.get(f"/v1/outages?{WINDOW}&source=err").json() == []


def test_counts_and_reliability(client: TestClient):
    counts = client.get(f"/v1/outages/counts?{WINDOW}&period=month").json()
    assert counts and counts[0]["period_start"] == "2013-01-01"
    indices = client.get(f"/v1/reliability?{WINDOW}").json()
    assert indices["customers_served"] == 80
    assert indices["customer_interruptions"] == sum(c["outages"] for c in counts)
    assert indices["saifi"] == pytest.approx(indices["customer_interruptions"] / 80, rel=1e-5)
    area = client.get(f"/v1/reliability?{WINDOW}&bbox=51.0,-1.0,52.0,1.0").json()
    assert area["customers_served"] == 80
    assert area["bbox"] == [51.0, -1.0, 52.0, 1.0]


def test_unknown_event_is_a_404_problem(client: TestClient):
    missing = client.get("/v1/outages/20130101T0000-00000000")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "url",
    [
        "/v1/outages?start=2013-02-01&end=2013-01-01",
        "/v1/outages?start=yesterday&end=2013-01-01",
        "/v1/outages?end=2013-01-01",
        f"/v1/outages?{WINDOW}&source=rumour",
        f"/v1/outages?{WINDOW}&min_confidence=2",
        f"/v1/outages?{WINDOW}&limit=0",
        "/v1/outages/1;DROP TABLE outage_events",
        "/v1/outages/counts?start=2013-01-01&end=2013-02-01&period=year",
        f"/v1/outages/counts?{WINDOW}&meter_id=x'y",
        f"/v1/reliability?{WINDOW}&bbox=1,2,3",
        f"/v1/reliability?{WINDOW}&bbox=52,0,51,1",
        f"/v1/reliability?{WINDOW}&bbox=a,b,c,d",
        "/v1/reliability?start=2013-01-01T00:00:00%2B01:00&end=2013-02-01",
    ],
)
def test_bad_parameters_are_400_problems(client: TestClient, url: str):
    response = client.get(url)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"]
