"""What the anomaly detectors read from the lake: the window, daily kWh, weather, stored days.

Daily kWh come from ``aggregated_daily`` (interval reads summed per meter and calendar day). The
window is the 12 months before ``data_end`` (exclusive, the reference's ``Data_end``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta

import numpy as np
import pyarrow as pa

from meterlake.analytics.anomaly.matrix import DailyMatrix, DailyWeather
from meterlake.errors import InputError

Query = Callable[[str, Sequence[object]], pa.Table]


def default_data_end(query: Query) -> date:
    """The day after the last day with interval reads."""
    last = query("SELECT max(date_str) AS last FROM aggregated_daily", []).column(0)[0].as_py()
    if last is None:
        raise InputError("the lake has no interval reads yet; ingest some first")
    return date(int(last[:4]), int(last[4:6]), int(last[6:])) + timedelta(days=1)


def window(data_end: date) -> tuple[date, date]:
    """First and last day (inclusive) of the 12 months before ``data_end``."""
    try:
        first = data_end.replace(year=data_end.year - 1)
    except ValueError:  # 29 February
        first = data_end.replace(year=data_end.year - 1, day=28)
    return first, data_end - timedelta(days=1)


def load_matrix(query: Query, first: date, last: date) -> DailyMatrix:
    """Daily interval kWh of every meter with reads in ``first`` .. ``last``."""
    table = query(
        """SELECT meter_id, strptime(date_str, '%Y%m%d')::DATE AS day, aggregated_consumption
        FROM aggregated_daily WHERE date_str >= ? AND date_str <= ?""",
        [first.strftime("%Y%m%d"), last.strftime("%Y%m%d")],
    )
    days = table.column("day").to_numpy().astype("datetime64[D]")
    kwh = table.column("aggregated_consumption").to_numpy(zero_copy_only=False).astype(np.float64)
    bounds = (np.datetime64(first, "D"), np.datetime64(last, "D"))
    if table.num_rows == 0:
        columns = np.arange(bounds[0], bounds[1] + np.timedelta64(1, "D"), dtype="datetime64[D]")
        return DailyMatrix([], columns, np.zeros((0, columns.size)))
    return DailyMatrix.from_rows(table.column("meter_id"), days, kwh, bounds)


def load_weather(query: Query, days: np.ndarray) -> DailyWeather | None:
    """Daily means of temperature and apparent temperature, or ``None`` without weather."""
    table = query(
        """SELECT CAST("time" AS DATE) AS day, avg(temperature) AS temperature,
            avg(apparenttemperature) AS apparent FROM weather
        WHERE CAST("time" AS DATE) BETWEEN ? AND ? GROUP BY 1""",
        [days[0].item(), days[-1].item()],
    )
    if table.num_rows == 0:
        return None
    index = (table.column("day").to_numpy().astype("datetime64[D]") - days[0]).astype(np.int64)
    temperature, apparent = np.full(days.size, np.nan), np.full(days.size, np.nan)
    temperature[index] = table.column("temperature").to_numpy(zero_copy_only=False)
    apparent[index] = table.column("apparent").to_numpy(zero_copy_only=False)
    return DailyWeather(temperature, apparent)


def last_stored_days(query: Query) -> dict[str, np.datetime64]:
    """Last stored ``ds`` of every meter in the ``anomaly`` table."""
    table = query("SELECT meter_id, max(CAST(ds AS DATE)) AS last FROM anomaly GROUP BY 1", [])
    lasts = table.column("last").to_numpy().astype("datetime64[D]")
    return dict(zip(table.column("meter_id").to_pylist(), lasts, strict=True))
