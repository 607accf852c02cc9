"""The reference's weather variant of ``/anomaly`` (section 5.2), with its query fixed.

Anomaly rows are joined with the day's mean temperature and apparent temperature.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from meterlake.serving.compat import ANOMALY_COLUMNS, Query

WEATHER_COLUMNS = ("temperature", "apparenttemperature")


def anomalies_with_weather(
    query: Query, meter_id: str, start: datetime, end: datetime, outlier_only: bool
) -> dict[str, dict[str, Any]]:
    """Column-oriented anomaly rows of one meter (``end`` exclusive) with daily mean weather."""
    columns = ", ".join(f"a.{name}" for name in ANOMALY_COLUMNS)
    sql = f"""WITH days AS (
            SELECT CAST("time" AS DATE) AS day, avg(temperature) AS temperature,
                avg(apparenttemperature) AS apparenttemperature
            FROM weather GROUP BY 1)
        SELECT {columns}, w.temperature, w.apparenttemperature
        FROM anomaly a LEFT JOIN days w ON w.day = CAST(a.ds AS DATE)
        WHERE a.meter_id = ? AND CAST(a.ds AS TIMESTAMP) >= ? AND CAST(a.ds AS TIMESTAMP) < ?
        {"AND a.anomaly <> 0" if outlier_only else ""} ORDER BY a.ds"""
    rows = query(sql, [meter_id, start, end]).to_pylist()
    names = (*ANOMALY_COLUMNS, *WEATHER_COLUMNS)
    return {name: {str(i): row[name] for i, row in enumerate(rows)} for name in names}
