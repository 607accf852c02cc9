"""Dashboard answers beyond the v1 basics: overview, stored forecasts, weather, positions.

Plain functions over ``query(sql, params)``; values are always bound parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import pyarrow as pa

Query = Callable[[str, Sequence[object]], pa.Table]
WEATHER_PERIODS = ("day", "week", "month")


def overview(query: Query) -> dict[str, Any]:
    """Fleet size, data coverage per day and the counts of every derived table."""
    totals = query(
        """SELECT count(DISTINCT meter_id) AS meters, min(date_str) AS first_day,
            max(date_str) AS last_day, count(DISTINCT date_str) AS days,
            count(*) AS meter_days, round(coalesce(sum(aggregated_consumption), 0), 6) AS kwh
        FROM aggregated_daily""",
        [],
    ).to_pylist()[0]
    counts = query(
        """SELECT (SELECT count(*) FROM anomaly WHERE anomaly = 1) AS spikes,
            (SELECT count(*) FROM anomaly WHERE anomaly = -1) AS dips,
            (SELECT count(*) FROM anomaly) AS anomaly_rows,
            (SELECT count(*) FROM forecast) AS forecast_rows,
            (SELECT count(*) FROM outage_events) AS outage_events,
            (SELECT count(*) FROM quarantine) AS quarantined_rows""",
        [],
    ).to_pylist()[0]
    coverage = query(
        """SELECT strptime(date_str, '%Y%m%d')::DATE AS day, count(*) AS meters,
            round(sum(aggregated_consumption), 6) AS kwh
        FROM aggregated_daily GROUP BY date_str ORDER BY date_str""",
        [],
    ).to_pylist()
    return {**totals, **counts, "coverage": coverage}


def stored_forecast(query: Query, meter_id: str) -> list[dict[str, Any]]:
    """The meter's latest pre-computed forecast (``meterlake forecast``), hour by hour."""
    rows: list[dict[str, Any]] = query(
        """SELECT datetime AS time, p10, p50, p90, consumption, model, data_end
        FROM forecast
        WHERE meter_id = ? AND data_end = (SELECT max(data_end) FROM forecast WHERE meter_id = ?)
        ORDER BY datetime""",
        [meter_id, meter_id],
    ).to_pylist()
    return rows


def weather(query: Query, *, start: datetime, end: datetime, period: str) -> list[dict[str, Any]]:
    """Mean temperature and apparent temperature (degrees C) per day, ISO week or month."""
    rows: list[dict[str, Any]] = query(
        f"""SELECT date_trunc('{period}', "time")::DATE AS start,
            round(avg(temperature), 3) AS temperature,
            round(avg(apparenttemperature), 3) AS apparenttemperature,
            count(*) AS hours
        FROM weather WHERE "time" >= ? AND "time" < ? GROUP BY 1 ORDER BY 1""",
        [start, end],
    ).to_pylist()
    return rows


def positions(query: Query) -> list[dict[str, Any]]:
    """Every meter with coordinates (``geodata``), by id."""
    rows: list[dict[str, Any]] = query(
        """SELECT meter_id, any_value(lat) AS lat, any_value(long) AS long
        FROM geodata GROUP BY meter_id ORDER BY meter_id""",
        [],
    ).to_pylist()
    return rows
