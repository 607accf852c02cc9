"""The v1 API over a small real lake (typed JSON, ISO times, pagination, 404s)."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from meterlake.api.app import create_app
from meterlake.config import Settings
from meterlake.service import MeterLake
from meterlake.synth import FleetSpec


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    root = tmp_path_factory.mktemp("v1") / "lake"
    lake = MeterLake(Settings(root=root, threads=1))
    lake.generate(FleetSpec(meters=3, start=date(2013, 1, 1), end=date(2013, 2, 1), seed=8))
    bad = root / "bad.csv"
    bad.write_text("LCLid,tstp,energy(kWh/hh)\nMAC000002,not a time,1\n")
    lake.ingest([lake.layout.landing, root / "reference", bad])
    return TestClient(create_app(Settings(root=root)))


def test_meters_page_and_search(client: TestClient):
    page = client.get("/v1/meters?limit=2").json()
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 0)
    assert [m["meter_id"] for m in page["items"]] == ["MAC000002", "MAC000003"]
    assert page["items"][0]["first_day"] == "20130101"
    second = client.get("/v1/meters?limit=2&offset=2").json()
    assert [m["meter_id"] for m in second["items"]] == ["MAC000004"]
    assert client.get("/v1/meters?search=MAC000003").json()["total"] == 1


def test_one_meter_with_geo_and_unknown_meter_is_404(client: TestClient):
    meter = client.get("/v1/meters/MAC000002").json()
    assert meter["days"] == 31
    assert 51 < meter["lat"] < 52
    missing = client.get("/v1/meters/MAC999999")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(("resolution", "count"), [("raw", 48), ("hour", 24), ("day", 1)])
def test_readings_at_each_resolution(client: TestClient, resolution: str, count: int):
    url = f"/v1/meters/MAC000002/readings?start=2013-01-10&end=2013-01-11&resolution={resolution}"
    rows = client.get(url).json()
    assert len(rows) == count  # this seeded fleet has no gap on 2013-01-10
    assert rows[0]["time"].startswith("2013-01-10T00:")
    week = client.get(
        "/v1/meters/MAC000002/readings?start=2013-01-01&end=2013-02-01&resolution=month"
    ).json()
    day = client.get(
        "/v1/meters/MAC000002/readings?start=2013-01-01&end=2013-02-01&resolution=day"
    ).json()
    assert week[0]["kwh"] == pytest.approx(sum(r["kwh"] for r in day))


def test_readings_reject_bad_ranges_and_resolutions(client: TestClient):
    base = "/v1/meters/MAC000002/readings"
    assert client.get(f"{base}?start=2013-01-02&end=2013-01-01").status_code == 400
    bad = client.get(f"{base}?start=2013-01-01&end=2013-01-02&resolution=fortnight")
    assert "allowed: raw, hour, day, week, month" in bad.json()["detail"]
    assert client.get(f"{base}?start=2013-01-01&end=2013-01-02&limit=0").status_code == 400


def test_forecast_with_chosen_quantiles_is_ordered(client: TestClient):
    rows = client.get(
        "/v1/meters/MAC000002/forecast?start=2013-01-01&end=2013-02-01&quantiles=0.1,0.5,0.9"
    ).json()
    assert len(rows) == 168
    assert rows[0]["time"] == "2013-02-01T00:00:00"
    assert all(
        r["quantiles"]["p10"] <= r["quantiles"]["p50"] <= r["quantiles"]["p90"] for r in rows
    )
    assert (
        client.get(
            "/v1/meters/MAC000002/forecast?start=2013-01-01&end=2013-02-01&quantiles=1.5"
        ).status_code
        == 400
    )


def test_runs_and_quality(client: TestClient):
    runs = client.get("/v1/runs").json()
    assert len(runs) == 1
    run = client.get(f"/v1/runs/{runs[0]['run_id']}").json()
    assert run["totals"]["quarantined"] == 1
    assert client.get("/v1/runs/20990101T000000Z-abcdef").status_code == 404
    assert client.get("/v1/pipeline-runs").json() == []  # no `meterlake run` yet
    assert client.get("/v1/pipeline-runs?limit=0").status_code == 400
    quality = client.get("/v1/quality").json()
    assert [(q["file"].endswith("bad.csv"), q["reason"], q["rows"]) for q in quality] == [
        (True, "CAST", 1)
    ]


def test_openapi_describes_both_apis(client: TestClient):
    paths = client.get("/openapi.json").json()["paths"]
    assert "/consumption/{requested_aggregation}/{year}/{meter_id}" in paths
    assert "/v1/meters/{meter_id}/readings" in paths


def test_consumption_objects_per_day_week_and_month(client: TestClient):
    base = "/v1/meters/MAC000002/consumption?start=2013-01-01&end=2013-02-01"
    days = client.get(f"{base}&period=day").json()
    assert len(days) == 31
    assert days[0]["start"] == "2013-01-01"
    months = client.get(f"{base}&period=month").json()
    assert months == [
        {"start": "2013-01-01", "kwh": pytest.approx(sum(d["kwh"] for d in days)), "days": 31}
    ]
    weeks = client.get(f"{base}&period=week").json()
    assert weeks[0]["start"] == "2012-12-31"  # ISO weeks start on Monday
    assert client.get(f"{base}&period=fortnight").status_code == 400


def test_anomalies_and_outages_as_objects(client: TestClient):
    rows = client.get("/v1/meters/MAC000002/anomalies?start=2013-01-01&end=2014-01-01").json()
    assert rows == []  # nothing detected yet in this lake
    reads = client.get("/v1/outages/reads?start=2013-01-01&end=2013-02-01").json()
    assert reads == []
    assert client.get("/v1/outages/reads?start=2013-02-01&end=2013-01-01").status_code == 400
    bad_code = "/v1/outages/reads?start=2013-01-01&end=2013-02-01&error_code=x'y"
    assert client.get(bad_code).status_code == 400
    assert client.get("/v1/outages?start=2013-01-01&end=2013-02-01").json() == []  # no detection
