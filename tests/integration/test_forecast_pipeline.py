"""Train, batch forecasts and the API's /forecast on a real small lake (reference 4.4-4.8)."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from meterlake import schema
from meterlake.analytics.forecast.pipeline import TrainRequest
from meterlake.api.app import create_app
from meterlake.config import Settings
from meterlake.errors import InputError, NotFoundError
from meterlake.service import MeterLake
from meterlake.synth import FleetSpec

pytestmark = pytest.mark.integration
START, END = date(2013, 8, 1), date(2013, 10, 1)
DATA_END = datetime(2013, 10, 1)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A 12-meter, two-month lake with weather and a trained, active default model."""
    root = tmp_path_factory.mktemp("forecast") / "lake"
    settings = Settings(root=root, threads=1, progress=False)
    lake = MeterLake(settings)
    lake.generate(FleetSpec(meters=12, start=START, end=END, seed=5))
    lake.ingest([lake.layout.landing, root / "reference"])
    request = TrainRequest(datetime(2013, 8, 1), DATA_END, training_samples=8, threads=1)
    lake.train(request)
    lake.close()
    return settings


def test_training_records_the_window_sample_and_metrics_beside_the_baseline(trained: Settings):
    lake = MeterLake(trained)
    meta = lake.forecasting().model(None)
    assert meta["aliases"] == ["active"]
    assert meta["kind"] == "gbm"
    assert meta["meters"] == 8
    assert meta["weather"] is True
    assert meta["attributes"] == 8  # every sampled meter's tariff and Acorn were found
    assert meta["params"]["attributes"] is True
    assert set(meta["metrics"]) == {"gbm", "naive168", "naive24"}
    assert set(meta["metrics"]["gbm"]) >= {"mase", "wql", "coverage_80"}
    gbm, naive = meta["metrics"]["gbm"], meta["metrics"]["naive168"]
    assert gbm["mase"] <= 0.95 * naive["mase"]  # measured 1.047 vs 1.202 on 8 meters
    origins = meta["windows"]["origins"]
    assert origins == ["2013-09-17 00:00:00", "2013-09-24 00:00:00"]
    assert meta["windows"]["train_end"] == origins[0]
    lake.close()


def test_the_training_sample_is_the_meters_first_by_md5_of_their_id(trained: Settings):
    from meterlake.analytics.forecast.data import training_sample  # noqa: PLC0415

    lake = MeterLake(trained)
    ids = lake.sql("SELECT DISTINCT meter_id FROM aggregated_monthly").column(0).to_pylist()
    by_hash = sorted(ids, key=lambda m: hashlib.md5(m.encode(), usedforsecurity=False).hexdigest())
    assert len(ids) == 12
    assert training_sample(lake.sql, 5) == sorted(by_hash[:5])  # not simply the first ids
    assert training_sample(lake.sql, 5) != sorted(ids)[:5]
    assert set(training_sample(lake.sql, 5)) < set(training_sample(lake.sql, 8))
    lake.close()


def test_vector_25_batch_forecast_rows_schema_and_idempotence(trained: Settings):
    lake = MeterLake(trained)
    done = lake.forecast_batch(DATA_END, 7, batch_size=5)
    assert (done["meters"], done["rows"]) == (12, 12 * 168)
    table = lake.sql("SELECT * FROM forecast ORDER BY meter_id, datetime")
    assert table.schema.names == schema.FORECAST.names
    rows = table.to_pylist()
    first = [r for r in rows if r["meter_id"] == rows[0]["meter_id"]]
    assert len(first) == 168
    assert first[0]["datetime"] == datetime(2013, 10, 1, 0)  # history up to Data_end - 1 h
    assert first[-1]["datetime"] == datetime(2013, 10, 7, 23)
    assert all(r["consumption"] == r["p90"] for r in rows)
    assert all(r["p10"] <= r["p50"] <= r["p90"] for r in rows)
    assert {r["data_end"] for r in rows} == {"20131001"}
    lake.forecast_batch(DATA_END, 7)  # the same run again replaces, never appends
    assert lake.sql("SELECT count(*) AS n FROM forecast").to_pylist() == [{"n": 12 * 168}]
    lake.close()


def test_a_range_of_meters_keeps_the_others(trained: Settings):
    lake = MeterLake(trained)
    end = DATA_END - timedelta(days=7)
    lake.forecast_batch(end, 1, meters=(1, 3))
    lake.forecast_batch(end, 1, meters=(3, 5))
    counts = lake.sql(
        "SELECT count(DISTINCT meter_id) AS m, count(*) AS n FROM forecast"
        " WHERE data_end = '20130924'"
    ).to_pylist()
    assert counts == [{"m": 5, "n": 5 * 24}]
    path = lake.layout.table("forecast") / "data_end=20130924" / "part-0.parquet"
    assert pq.read_table(path).num_rows == 5 * 24
    with pytest.raises(InputError):
        lake.forecast_batch(end, 1, meters=(4, 2))
    lake.close()


def test_the_api_forecasts_with_the_active_model(trained: Settings):
    client = TestClient(create_app(trained))
    url = "/forecast/{m}?data_start=2013-09-01&data_end=2013-10-01"
    body = client.get(url.format(m="MAC000002")).json()
    keys = list(body["consumption"])
    assert len(keys) == 168
    assert keys[0] == "1380585600000"  # vector 17: one hour after 2013-09-30 23:00
    naive = client.get(url.format(m="MAC000002") + "&ml_endpoint_name=seasonal_naive").json()
    assert list(naive["consumption"]) == keys
    assert naive != body  # the trained model, not the fallback, answered by default
    version = MeterLake(trained).forecasting().model(None)["version"]
    by_version = client.get(url.format(m="MAC000002") + f"&ml_endpoint_name={version}")
    assert by_version.json() == body
    assert by_version.headers["x-meterlake-model"] == version
    unknown = client.get(url.format(m="MAC000002") + "&ml_endpoint_name=ml-endpoint-weather-0731")
    assert unknown.json() == body  # an unknown name: the active model answers, and says so
    assert unknown.headers["x-meterlake-model"] == version
    assert "ml-endpoint-weather-0731" in unknown.headers["x-meterlake-model-fallback"]
    strict = TestClient(create_app(trained.model_copy(update={"unknown_model_name": "error"})))
    assert strict.get(url.format(m="MAC000002") + "&ml_endpoint_name=x").status_code == 400
    assert client.get(url.format(m="MAC009999")).json() == {"consumption": {}}  # vector 18
    v1 = client.get(
        "/v1/meters/MAC000002/forecast?start=2013-09-01&end=2013-10-01&quantiles=0.1,0.5,0.9"
    ).json()
    assert len(v1) == 168
    assert all(h["quantiles"]["p10"] <= h["quantiles"]["p90"] for h in v1)


def test_online_forecasts_use_the_meters_households_row(trained: Settings):
    from meterlake.analytics.forecast import data  # noqa: PLC0415
    from meterlake.analytics.forecast.attributes import matrix  # noqa: PLC0415
    from meterlake.analytics.forecast.online import online_forecast  # noqa: PLC0415
    from meterlake.analytics.forecast.series import HourlyHistory  # noqa: PLC0415

    lake = MeterLake(trained)
    households = lake.sql("SELECT lclid, stdortou, acorn FROM households ORDER BY 1", [])
    assert households.num_rows == 12
    assert set(households.column("stdortou").to_pylist()) <= {"Std", "ToU"}
    row = matrix(data.attributes(lake.sql), ["MAC000002"])
    assert np.isfinite(row[0, [0, 2]]).all()  # Acorn category and tariff known
    forecasting = lake.forecasting()
    panel = data.hourly_panel(lake.sql, ["MAC000002"], datetime(2013, 9, 1), DATA_END)
    first = int(np.datetime64(panel.start, "h").astype(np.int64))
    history = HourlyHistory(first + np.arange(panel.hours), panel.values[0])
    answer = forecasting.predictor(None, "MAC000002")(history, (0.5,))  # type: ignore[misc]
    model = forecasting.store.load(forecasting.model(None)["version"])
    direct = online_forecast(model, history, (0.5,), data.weather(lake.sql), attributes=row)
    assert answer[0] == direct[0]
    assert np.array_equal(answer[1], direct[1])
    lake.close()


def test_the_service_asks_for_the_meters_own_predictor(
    trained: Settings, monkeypatch: pytest.MonkeyPatch
):
    from meterlake.analytics.forecast.operations import Forecasting  # noqa: PLC0415

    asked: list[str | None] = []
    original = Forecasting.predictor

    def spy(self: Forecasting, name: str | None, meter_id: str | None = None) -> object:
        asked.append(meter_id)
        return original(self, name, meter_id)

    monkeypatch.setattr(Forecasting, "predictor", spy)
    lake = MeterLake(trained)
    lake.forecast("MAC000003", datetime(2013, 9, 1), DATA_END)
    lake.forecasts("MAC000004", datetime(2013, 9, 1), DATA_END, (0.5,))
    assert asked == ["MAC000003", "MAC000004"]
    lake.close()


def test_without_a_model_forecasts_fall_back_and_batch_asks_for_training(tmp_path: Path):
    lake = MeterLake(Settings(root=tmp_path / "lake", threads=1, progress=False))
    lake.generate(FleetSpec(meters=2, start=date(2013, 9, 1), end=END, seed=1))
    lake.ingest()
    body = lake.forecast("MAC000002", datetime(2013, 9, 1), DATA_END)
    assert len(body["consumption"]) == 168
    with pytest.raises(NotFoundError, match="meterlake train"):
        lake.forecast_batch(DATA_END, 7)
    lake.close()
