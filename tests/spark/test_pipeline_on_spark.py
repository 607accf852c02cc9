"""The service on ``engine = "spark"``: ingest, anomalies and batch forecasts equal DuckDB's."""

from __future__ import annotations

import math
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from spark_lakes import duckdb_lake, spark_lake

from meterlake.analytics.forecast.pipeline import TrainRequest
from meterlake.pipeline.detect import DetectOptions
from meterlake.service import MeterLake
from meterlake.synth import FleetSpec

pytestmark = [pytest.mark.spark, pytest.mark.integration]

SPEC = FleetSpec(meters=4, start=date(2013, 1, 1), end=date(2013, 4, 1), seed=5)
END = datetime(2013, 4, 1)


def _fleet_lakes(tmp_path: Path) -> tuple[MeterLake, MeterLake]:
    reference = duckdb_lake(tmp_path / "duckdb")
    reference.generate(SPEC)
    candidate = spark_lake(tmp_path / "spark")
    for folder in ("landing", "reference"):
        shutil.copytree(reference.layout.root / folder, candidate.layout.root / folder)
    for lake in (reference, candidate):
        lake.ingest([lake.layout.landing, lake.layout.root / "reference"])
    return reference, candidate


def _same(left: list[dict[str, Any]], right: list[dict[str, Any]]) -> None:
    assert len(left) == len(right) > 0
    for a, b in zip(left, right, strict=True):
        for key, value in a.items():
            if isinstance(value, float):
                assert math.isclose(value, b[key], rel_tol=1e-9, abs_tol=1e-12), (key, a, b)
            else:
                assert value == b[key], (key, a, b)


def test_anomalies_and_forecasts_of_the_spark_engine_equal_duckdb(spark: Any, tmp_path: Path):
    del spark
    reference, candidate = _fleet_lakes(tmp_path)
    for lake in (reference, candidate):
        report = lake.detect(DetectOptions(data_end=END.date(), batch_size=4))
        assert report.rows_written > 0
        lake.train(TrainRequest(datetime(2013, 1, 1), END, model="naive168", threads=1))
        lake.forecast_batch(END, days=1, batch_size=4)
    _same(
        candidate.sql(
            "SELECT * EXCLUDE (model) FROM forecast ORDER BY meter_id, datetime"
        ).to_pylist(),
        reference.sql(
            "SELECT * EXCLUDE (model) FROM forecast ORDER BY meter_id, datetime"
        ).to_pylist(),
    )
    _same(
        candidate.sql("SELECT * FROM anomaly ORDER BY meter_id, ds").to_pylist(),
        reference.sql("SELECT * FROM anomaly ORDER BY meter_id, ds").to_pylist(),
    )
    daily = "SELECT * FROM aggregated_daily ORDER BY meter_id, date_str"
    _same(candidate.sql(daily).to_pylist(), reference.sql(daily).to_pylist())
