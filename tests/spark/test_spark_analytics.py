"""Anomalies and forecasts computed per meter on Spark equal the batch computation."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from meterlake.analytics.anomaly.detectors import make_detector
from meterlake.analytics.anomaly.matrix import DailyMatrix, anomaly_table
from meterlake.analytics.forecast.kinds import new_model
from meterlake.analytics.forecast.pipeline import TABLE_LEVELS, forecast_table
from meterlake.analytics.forecast.series import HourlyPanel
from meterlake.engines.spark_analytics import detect_anomalies, score_forecasts

pytestmark = [pytest.mark.spark, pytest.mark.integration]


def _same(left: pa.Table, right: pa.Table) -> None:
    assert left.schema == right.schema
    assert left.num_rows == right.num_rows > 0
    for a, b in zip(left.to_pylist(), right.to_pylist(), strict=True):
        for key, value in a.items():
            if isinstance(value, float):
                assert math.isclose(value, b[key], rel_tol=1e-9, abs_tol=1e-12), (key, a, b)
            else:
                assert value == b[key], (key, a, b)


def _fleet(meters: int, days: int, seed: int = 7) -> DailyMatrix:
    rng = np.random.default_rng(seed)
    day_index = np.arange(np.datetime64("2013-01-01"), np.datetime64("2013-01-01") + days)
    weekly = 1 + 0.2 * (np.arange(days) % 7 >= 5)
    values = rng.gamma(9, 1.0, size=(meters, 1)) * weekly * rng.lognormal(0, 0.1, (meters, days))
    values[0, 100] *= 6  # a spike
    values[1, 200] *= 0.05  # a dip
    values[2, 50:60] = np.nan  # a gap
    return DailyMatrix([f"MAC{i:06d}" for i in range(meters)], day_index, values)


def test_default_detector_gives_the_same_anomalies_on_spark(spark: Any):
    matrix = _fleet(6, 365)
    detector = make_detector("default")
    keep = np.ones(matrix.values.shape, dtype=bool)
    keep[:, :30] = False  # days already stored are not written again
    expected = anomaly_table(matrix, detector.band(matrix), keep).sort_by(
        [("meter_id", "ascending"), ("ds", "ascending")]
    )
    found = detect_anomalies(matrix, detector, keep=keep, spark=spark)
    _same(found, expected)
    assert set(found.column("anomaly").to_pylist()) == {-1, 0, 1}


@pytest.mark.parametrize("kind", ["naive168", "gbm"])
def test_batch_forecasts_are_the_same_on_spark(spark: Any, kind: str):
    rng = np.random.default_rng(3)
    hours = 24 * 7 * 5
    shape = 0.3 + 0.2 * np.sin(np.arange(hours) * 2 * np.pi / 24)
    values = shape * rng.lognormal(0, 0.2, (4, hours))
    values[1, :30] = np.nan
    context = HourlyPanel(("A", "B", "C", "D"), datetime(2013, 6, 1), values)
    data_end = context.end
    model = new_model(kind, threads=1)
    model.fit(context)
    expected = forecast_table(context.meter_ids, data_end, model.predict(context, 48, TABLE_LEVELS))
    expected = expected.sort_by([("meter_id", "ascending"), ("datetime", "ascending")])
    _same(score_forecasts(context, model, (data_end, 48), spark=spark), expected)
