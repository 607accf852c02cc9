"""Per-meter anomaly detection and batch forecast scoring on Spark, with the lake's own models.

Each meter's rows go to one task through ``groupBy("meter_id").applyInPandas``; the task builds
the same one-meter ``DailyMatrix`` (or ``HourlyPanel``) the DuckDB path slices from its batch,
and calls the very same detector (or forecaster) on it. Detectors and forecasters model each
meter on its own (their shared inputs, the calendar and the weather, travel in the closure), so
a meter's answer does not depend on which meters share its task.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from meterlake import schema
from meterlake.analytics.anomaly.detectors import Detector
from meterlake.analytics.anomaly.matrix import DailyMatrix, DailyWeather, anomaly_table
from meterlake.analytics.forecast.backtest import Forecaster
from meterlake.analytics.forecast.calendar import Weather
from meterlake.analytics.forecast.pipeline import TABLE_LEVELS, forecast_table
from meterlake.analytics.forecast.series import HourlyPanel
from meterlake.engines.spark_session import spark_session

_SPARK_TYPES = {
    pa.string(): "STRING",
    pa.float64(): "DOUBLE",
    pa.int64(): "BIGINT",
    pa.timestamp("us"): "TIMESTAMP_NTZ",
}


def spark_ddl(arrow: pa.Schema) -> str:
    """A Spark DDL schema string for an Arrow schema of the lake's tables."""
    return ", ".join(f"`{f.name}` {_SPARK_TYPES[f.type]}" for f in arrow)


def detect_anomalies(
    matrix: DailyMatrix,
    detector: Detector,
    weather: DailyWeather | None = None,
    keep: np.ndarray | None = None,
    spark: Any = None,
) -> pa.Table:
    """The ``anomaly`` rows of ``matrix``'s meters, one Spark task per meter group."""
    spark = spark or spark_session()
    days = matrix.days
    rows, cols = np.nonzero(np.isfinite(matrix.values))
    kept = np.ones_like(matrix.values, dtype=bool) if keep is None else keep
    cells = pd.DataFrame(
        {
            "meter_id": np.asarray(matrix.meter_ids, dtype=object)[rows],
            "day": cols.astype(np.int32),
            "kwh": matrix.values[rows, cols],
            "keep": kept[rows, cols],
        }
    )

    def one_meter(frame: pd.DataFrame) -> pd.DataFrame:
        values = np.full((1, days.size), np.nan)
        values[0, frame["day"].to_numpy()] = frame["kwh"].to_numpy()
        wanted = np.zeros((1, days.size), dtype=bool)
        wanted[0, frame["day"].to_numpy()] = frame["keep"].to_numpy()
        single = DailyMatrix([str(frame["meter_id"].iloc[0])], days, values)
        rows: pd.DataFrame = anomaly_table(
            single, detector.band(single, weather), wanted
        ).to_pandas()
        return rows

    return _grouped(spark, cells, one_meter, schema.ANOMALY, ["meter_id", "ds"])


def score_forecasts(
    context: HourlyPanel,
    model: Forecaster,
    request: tuple[datetime, int],
    weather: Weather | None = None,
    spark: Any = None,
) -> pa.Table:
    """Forecast rows of every meter of ``context``; ``request`` = (data_end, hours)."""
    spark = spark or spark_session()
    data_end, hours = request
    rows, cols = np.nonzero(np.isfinite(context.values))
    cells = pd.DataFrame(
        {
            "meter_id": np.asarray(context.meter_ids, dtype=object)[rows],
            "hour": cols.astype(np.int32),
            "kwh": context.values[rows, cols],
        }
    )
    width = context.hours
    position = {meter: i for i, meter in enumerate(context.meter_ids)}

    def one_meter(frame: pd.DataFrame) -> pd.DataFrame:
        values = np.full((1, width), np.nan)
        values[0, frame["hour"].to_numpy()] = frame["kwh"].to_numpy()
        meter = str(frame["meter_id"].iloc[0])
        row = context.select(np.array([position[meter]], dtype=np.int64))
        single = replace(row, values=values)  # with the meter's attributes
        predicted = model.predict(single, hours, TABLE_LEVELS, weather)
        rows: pd.DataFrame = forecast_table([meter], data_end, predicted).to_pandas()
        return rows

    arrow = forecast_table([], data_end, np.zeros((0, hours, len(TABLE_LEVELS)))).schema
    return _grouped(spark, cells, one_meter, arrow, ["meter_id", "datetime"])


def _grouped(
    spark: Any,
    cells: pd.DataFrame,
    per_meter: Callable[[pd.DataFrame], pd.DataFrame],
    arrow: pa.Schema,
    order: Sequence[str],
) -> pa.Table:
    """``per_meter`` applied to each meter's cells on Spark, collected as an Arrow table."""
    frame = spark.createDataFrame(cells)
    result = frame.groupBy("meter_id").applyInPandas(per_meter, schema=spark_ddl(arrow))
    collected: pa.Table = result.toArrow()
    return collected.cast(arrow).sort_by([(column, "ascending") for column in order])
