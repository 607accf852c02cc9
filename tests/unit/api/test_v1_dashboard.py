"""The dashboard's v1 routes over a small real lake: overview, stored forecasts, weather, geo."""

from __future__ import annotations

from datetime import date, datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from meterlake.api.app import create_app
from meterlake.config import Settings
from meterlake.lake.layout import LakeLayout
from meterlake.service import MeterLake
from meterlake.synth import FleetSpec


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> MeterLake:
    root = tmp_path_factory.mktemp("dash") / "lake"
    lake = MeterLake(Settings(root=root, threads=1))
    lake.generate(FleetSpec(meters=3, start=date(2013, 1, 1), end=date(2013, 1, 15), seed=8))
    lake.ingest([lake.layout.landing, root / "reference"])
    return lake


@pytest.fixture(scope="module")
def client(lake: MeterLake) -> TestClient:
    return TestClient(create_app(Settings(root=lake.layout.root)))


def test_overview_counts_meters_days_and_coverage(client: TestClient, lake: MeterLake):
    body = client.get("/v1/overview").json()
    per_day = lake.sql(
        "SELECT date_str, count(*) AS n FROM aggregated_daily GROUP BY 1 ORDER BY 1"
    ).to_pylist()
    assert (body["meters"], body["days"]) == (3, 14)
    assert body["meter_days"] == sum(row["n"] for row in per_day) > 14
    assert (body["first_day"], body["last_day"]) == ("20130101", "20130114")
    assert (body["forecast_rows"], body["outage_events"], body["anomaly_rows"]) == (0, 0, 0)
    assert [row["meters"] for row in body["coverage"]] == [row["n"] for row in per_day]
    assert body["coverage"][0]["day"] == "2013-01-01"
    total = lake.sql("SELECT sum(aggregated_consumption) FROM aggregated_daily").column(0)[0]
    assert body["kwh"] == pytest.approx(total.as_py(), abs=1e-5)
    assert sum(row["kwh"] for row in body["coverage"]) == pytest.approx(body["kwh"], abs=1e-4)


def test_weather_means_per_day_and_week(client: TestClient, lake: MeterLake):
    days = client.get("/v1/weather?start=2013-01-01&end=2013-01-08&period=day").json()
    assert [row["start"] for row in days] == [f"2013-01-0{d}" for d in range(1, 8)]
    assert {row["hours"] for row in days} == {24}
    first = lake.sql(
        "SELECT avg(temperature) FROM weather WHERE time >= ? AND time < ?",
        [datetime(2013, 1, 1), datetime(2013, 1, 2)],
    ).column(0)[0]
    assert days[0]["temperature"] == pytest.approx(first.as_py(), abs=1e-3)
    weeks = client.get("/v1/weather?start=2013-01-07&end=2013-01-14").json()
    assert [(row["start"], row["hours"]) for row in weeks] == [("2013-01-07", 168)]


@pytest.mark.parametrize(
    "query",
    [
        "start=2013-01-01&end=2013-01-01",
        "start=2013-01-01&end=2013-02-01&period=year",
        "start=x&end=2013-01-02",
        "end=2013-01-02",
    ],
)
def test_bad_weather_windows_are_400(client: TestClient, query: str):
    response = client.get(f"/v1/weather?{query}")
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"


def test_geo_lists_every_meter_position(client: TestClient):
    rows = client.get("/v1/geo").json()
    assert [row["meter_id"] for row in rows] == ["MAC000002", "MAC000003", "MAC000004"]
    assert all(51 < row["lat"] < 52 for row in rows)


def test_precomputed_forecast_is_the_latest_batch_of_the_meter(lake: MeterLake):
    folder = LakeLayout(lake.layout.root).table("forecast")
    for data_end, value in (("20130108", 1.0), ("20130115", 2.0)):
        part = folder / f"data_end={data_end}"
        part.mkdir(parents=True)
        rows = pa.table(
            {
                "meter_id": ["MAC000002", "MAC000002", "MAC000003"],
                "datetime": pa.array(
                    [datetime(2013, 1, 15, 1), datetime(2013, 1, 15, 0), datetime(2013, 1, 15)],
                    pa.timestamp("us"),
                ),
                "consumption": [value + 0.9] * 3,
                **{f"p{q}": [value + q / 100] * 3 for q in range(10, 100, 10)},
                "model": ["m1"] * 3,
            }
        )
        pq.write_table(rows, part / "part-0.parquet")
    with TestClient(create_app(Settings(root=lake.layout.root))) as fresh:
        body = fresh.get("/v1/meters/MAC000002/precomputed-forecast").json()
        assert [row["time"] for row in body] == ["2013-01-15T00:00:00", "2013-01-15T01:00:00"]
        assert {(row["p10"], row["p50"], row["p90"], row["data_end"]) for row in body} == {
            (2.1, 2.5, 2.9, "20130115")
        }
        assert fresh.get("/v1/meters/MAC000009/precomputed-forecast").json() == []
        assert fresh.get("/v1/meters/bad%20id/precomputed-forecast").status_code == 400
