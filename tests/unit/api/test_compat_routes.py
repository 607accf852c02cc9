"""The reference-compatible routes through FastAPI's test client over a small real lake."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from meterlake.api.app import create_app
from meterlake.config import Settings
from meterlake.service import MeterLake
from meterlake.synth import FleetSpec

INJECTIONS = ["' OR 1=1 --", "MAC000002'; DROP TABLE daily; --", 'x" OR "1"="1']


def _lake(root: Path) -> Settings:
    settings = Settings(root=root, threads=1)
    lake = MeterLake(settings)
    lake.generate(FleetSpec(meters=3, start=date(2013, 9, 1), end=date(2013, 10, 1), seed=2))
    errors = root / "errors.csv"
    errors.write_text(
        "meter_id;obis_code;reading_time;reading_value;error_code;reading_type\n"
        "MAC000002;1.8.0;2013010309243000;;ERR02;ERR\n"
        "MAC000003;1.8.0;2013010310240000;;ERR03;ERR\n"
        "MAC000003;1.8.0;2013010311240000;;ERR02;ERR\n"
    )
    lake.ingest([lake.layout.landing, root / "reference" / "meter-geo-data.csv", errors])
    anomaly = pa.Table.from_pylist([_anomaly_row(day) for day in range(1, 6)])
    lake.layout.table("anomaly").mkdir(parents=True)
    pq.write_table(anomaly, lake.layout.table("anomaly") / "part-0.parquet")
    return settings


def _anomaly_row(day: int) -> dict[str, object]:
    return {
        "meter_id": "MAC000002",
        "ds": f"2013-09-0{day}",
        "consumption": 5.0 + day,
        "yhat_lower": 3.0,
        "yhat_upper": 9.0,
        "anomaly": 1 if day == 3 else 0,
        "importance": 0.2 if day == 3 else 0.0,
    }


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    return TestClient(create_app(_lake(tmp_path_factory.mktemp("api") / "lake")))


def test_consumption_shapes_are_the_reference_arrays(client: TestClient):
    daily = client.get("/consumption/daily/2013/MAC000002").json()
    assert len(daily) == 30
    assert daily[0][:2] == ["MAC000002", "20130901"]
    assert [row[1] for row in daily] == sorted(row[1] for row in daily)
    weekly = client.get("/consumption/weekly/2013/MAC000002").json()
    assert [row[:3] for row in weekly][:2] == [["MAC000002", 2013, 35], ["MAC000002", 2013, 36]]
    monthly = client.get("/consumption/monthly/2013/MAC000002").json()
    assert [row[:3] for row in monthly] == [["MAC000002", 2013, 9]]
    assert monthly[0][3] == pytest.approx(sum(row[2] for row in daily))
    assert client.get("/consumption/daily/2012/MAC000002").json() == []


def test_vector_21_unknown_aggregation_is_a_400_listing_the_allowed_values(client: TestClient):
    response = client.get("/consumption/foo/2013/MAC000002")
    assert response.status_code == 400  # the reference answered as daily; intended: 400
    assert response.headers["content-type"] == "application/problem+json"
    assert "allowed: daily, weekly, monthly" in response.json()["detail"]


def test_vector_19_anomaly_rows_column_oriented_end_exclusive(client: TestClient):
    url = "/anomaly/MAC000002?data_start=2013-09-01&data_end=2013-09-05&outlier_only=0"
    body = client.get(url).json()
    assert list(body) == [
        "meter_id", "ds", "consumption", "yhat_lower", "yhat_upper", "anomaly", "importance"
    ]  # fmt: skip
    assert body["ds"] == {
        "0": "2013-09-01",
        "1": "2013-09-02",
        "2": "2013-09-03",
        "3": "2013-09-04",
    }
    outliers = client.get(url.replace("outlier_only=0", "outlier_only=1")).json()
    assert outliers["ds"] == {"0": "2013-09-03"}
    assert outliers["importance"] == {"0": 0.2}
    empty = client.get(
        "/anomaly/MAC000009?data_start=2013-01-01&data_end=2014-01-01&outlier_only=1"
    )
    assert empty.json() == {c: {} for c in body}


def test_vectors_17_18_forecast_keys_and_empty_history(client: TestClient):
    body = client.get("/forecast/MAC000002?data_start=2013-09-15&data_end=2013-10-01").json()
    keys = list(body["consumption"])
    assert len(keys) == 168
    assert keys[0] == "1380585600000"  # 2013-10-01T00:00Z, one hour after the last observed hour
    assert all(value >= 0 for value in body["consumption"].values())
    none = client.get("/forecast/MAC000002?data_start=2012-01-01&data_end=2012-02-01")
    assert none.status_code == 200
    assert none.json() == {"consumption": {}}
    unknown = client.get(
        "/forecast/MAC000002?data_start=2013-09-15&data_end=2013-10-01&ml_endpoint_name=x"
    )
    assert unknown.status_code == 200  # the reference ignored the name: the active model answers
    assert unknown.json() == body
    assert "'x'" in unknown.headers["x-meterlake-model-fallback"]


def test_vector_20_outage_window_is_inclusive_and_filters_codes(client: TestClient):
    body = client.get(
        "/outage?start_date_time=2013-01-03+09:00:01&end_date_time=2013-01-03+10:59:59"
    ).json()
    assert body["Count"] == 2
    first = body["Items"][0]
    assert first["meter_id"] == "MAC000002"
    assert first["reading_date_time"] == "2013-01-03 09:30:00.000"
    assert first["error_value"] == "ERR02"
    assert {"lat", "long", "date_str", "hour", "minute"} <= set(first)
    assert "reading_value" not in first  # nulls are omitted
    coded = client.get(
        "/outage?start_date_time=2013-01-03+09:00:01&end_date_time=2013-01-03+11:00:00"
        "&error_code=ERR02"
    ).json()
    assert [(i["meter_id"], i["hour"]) for i in coded["Items"]] == [
        ("MAC000002", 9),
        ("MAC000003", 11),
    ]


def test_outage_err_items_are_unchanged_by_the_source_parameter(client: TestClient):
    window = "/outage?start_date_time=2013-01-03+09:00:01&end_date_time=2013-01-03+11:00:00"
    default = client.get(window).json()
    assert default["Count"] == 3
    assert client.get(f"{window}&source=err").json() == default  # no outage events here
    assert client.get(f"{window}&source=all").json() == default
    assert client.get(f"{window}&source=inferred").json() == {"Items": [], "Count": 0}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/anomaly/MAC000002?data_start=2013-01-01", "data_start, data_end and outlier_only"),
        ("/forecast/MAC000002?data_end=2013-01-01", "data_start, and data_end needs"),
        ("/outage?start_date_time=2013-01-01", "One of [error_code, start_date_time"),
        ("/anomaly/MAC000002?data_start=soon&data_end=2013-01-01&outlier_only=1", "data_start"),
        ("/consumption/daily/20130/MAC000002", "year"),
    ],
)
def test_vector_22_client_mistakes_are_400_problems(client: TestClient, url: str, message: str):
    response = client.get(url)
    assert response.status_code == 400
    assert message in response.json()["detail"]


@pytest.mark.parametrize("evil", INJECTIONS)
def test_injection_strings_never_reach_sql(client: TestClient, evil: str):
    for url in (
        f"/consumption/daily/2013/{evil}",
        f"/anomaly/{evil}?data_start=2013-01-01&data_end=2014-01-01&outlier_only=0",
        f"/forecast/MAC000002?data_start={evil}&data_end=2014-01-01",
        f"/outage?start_date_time=2013-01-01&end_date_time=2014-01-01&error_code={evil}",
    ):
        response = client.get(url)
        assert response.status_code in (400, 404), url
    assert len(client.get("/consumption/daily/2013/MAC000002").json()) == 30


def test_api_keys_when_configured(tmp_path: Path):
    app = create_app(Settings(root=tmp_path / "lake", api_keys=["s3cret"]))
    keyed = TestClient(app)
    assert keyed.get("/health").status_code == 200
    assert keyed.get("/consumption/daily/2013/MAC000002").status_code == 401
    assert keyed.get("/consumption/daily/2013/M1", headers={"X-API-Key": "nope"}).status_code == 401
    ok = keyed.get("/consumption/daily/2013/M1", headers={"Authorization": "Bearer s3cret"})
    assert (ok.status_code, ok.json()) == (200, [])


def test_cors_allows_any_origin_by_default(client: TestClient):
    response = client.get("/health", headers={"Origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"


def test_forecast_from_memory_equals_forecast_from_partitions(client: TestClient):
    url = "/forecast/MAC000003?data_start=2013-09-10&data_end=2013-10-01"
    served = client.get(url).json()
    lake: MeterLake = client.app.state.lake  # type: ignore[attr-defined]
    assert lake._reader is not None
    assert lake._reader.recent_from is not None  # the server holds recent hours in memory
    plain = MeterLake(lake.settings)  # no in-memory tables: reads the day partitions
    start, end = datetime(2013, 9, 10), datetime(2013, 10, 1)
    assert served == plain.forecast("MAC000003", start, end)
    assert len(served["consumption"]) == 168
