"""Answers of the v1 API: meters, readings at a resolution, runs, quality, forecasts.

Plain functions over ``query(sql, params)``; values are always bound parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import pyarrow as pa

from meterlake.serving.compat import Predict, hourly_history, naive_predict
from meterlake.serving.meter_reads import UNITS, MeterIntervals, MeterReads, per_period, raw

Query = Callable[[str, Sequence[object]], pa.Table]


def meters(query: Query, search: str, limit: int, offset: int) -> dict[str, Any]:
    """Meters whose id starts with ``search``, with their data coverage, one page."""
    rows = query(
        """SELECT meter_id, min(date_str) AS first_day, max(date_str) AS last_day,
            count(*) AS days, count(*) OVER () AS total
        FROM aggregated_daily WHERE starts_with(meter_id, ?)
        GROUP BY meter_id ORDER BY meter_id LIMIT ? OFFSET ?""",
        [search, limit, offset],
    ).to_pylist()
    total = rows[0].pop("total") if rows else 0
    for row in rows[1:]:
        row.pop("total")
    return {"items": rows, "total": total, "limit": limit, "offset": offset}


def meter(query: Query, meter_id: str) -> dict[str, Any] | None:
    """One meter: coverage, total interval kWh and coordinates (``None`` if unknown)."""
    rows = query(
        """SELECT a.meter_id, min(a.date_str) AS first_day, max(a.date_str) AS last_day,
            count(*) AS days, round(sum(a.aggregated_consumption), 6) AS total_kwh,
            any_value(g.lat) AS lat, any_value(g.long) AS long
        FROM aggregated_daily a LEFT JOIN geodata g USING (meter_id)
        WHERE a.meter_id = ? GROUP BY a.meter_id""",
        [meter_id],
    ).to_pylist()
    return rows[0] if rows else None


def readings(
    meter_reads: MeterReads,
    meter_id: str,
    *,
    start: datetime,
    end: datetime,
    resolution: str,
    limit: int,
) -> list[dict[str, Any]]:
    """Interval kWh of one meter in ``[start, end)``: raw reads or sums per hour/day/week/month."""
    reads = meter_reads(meter_id, start, end)
    unit = UNITS[resolution]
    table = raw(reads, limit) if unit is None else per_period(reads, unit, limit)
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows


def forecasts(
    meter_intervals: MeterIntervals,
    meter_id: str,
    *,
    window: tuple[datetime, datetime],
    quantiles: tuple[float, ...],
    recent_from: datetime | None,
    predict: Predict | None = None,
    recent: pa.Table | None = None,
) -> list[dict[str, Any]]:
    """168 hourly forecasts after the last observed hour with the chosen quantiles."""
    history = hourly_history(meter_intervals, meter_id, *window, recent_from, recent=recent)
    if not history:
        return []
    begin, values = (predict or naive_predict)(history, quantiles)
    return [
        {
            "time": begin + timedelta(hours=step),
            "quantiles": {
                f"p{round(q * 100):02d}": float(v) for q, v in zip(quantiles, row, strict=True)
            },
        }
        for step, row in enumerate(values)
    ]


def quality(query: Query) -> list[dict[str, Any]]:
    """Quarantined rows per run, file and reason."""
    rows: list[dict[str, Any]] = query(
        """SELECT run_id, file, split_part(reason, ':', 1) AS reason, count(*) AS rows,
            min(line) AS first_line
        FROM quarantine GROUP BY ALL ORDER BY run_id DESC, file, reason""",
        [],
    ).to_pylist()
    return rows


def _day(moment: datetime) -> str:
    return moment.strftime("%Y%m%d")


def consumption(
    query: Query, meter_id: str, *, start: datetime, end: datetime, period: str
) -> list[dict[str, Any]]:
    """Interval kWh of one meter per day, ISO week or month between two days (``end`` excluded)."""
    day_from, day_to = _day(start), _day(end)
    if period == "day":
        sql = """SELECT strptime(date_str, '%Y%m%d')::DATE AS start, aggregated_consumption AS kwh
            FROM aggregated_daily WHERE meter_id = ? AND date_str >= ? AND date_str < ?
            ORDER BY date_str"""
    else:
        unit = "week" if period == "week" else "month"
        sql = f"""SELECT date_trunc('{unit}', strptime(date_str, '%Y%m%d'))::DATE AS start,
                round(sum(aggregated_consumption), 6) AS kwh, count(*) AS days
            FROM aggregated_daily WHERE meter_id = ? AND date_str >= ? AND date_str < ?
            GROUP BY 1 ORDER BY 1"""
    rows: list[dict[str, Any]] = query(sql, [meter_id, day_from, day_to]).to_pylist()
    return rows


def anomalies(
    query: Query, meter_id: str, *, start: datetime, end: datetime, outliers_only: bool
) -> list[dict[str, Any]]:
    """Anomaly rows of one meter as objects (``ds`` as a date)."""
    sql = """SELECT CAST(ds AS DATE) AS day, consumption, yhat_lower, yhat_upper, anomaly,
            importance
        FROM anomaly
        WHERE meter_id = ? AND CAST(ds AS TIMESTAMP) >= ? AND CAST(ds AS TIMESTAMP) < ?"""
    if outliers_only:
        sql += " AND anomaly <> 0"
    rows: list[dict[str, Any]] = query(sql + " ORDER BY ds", [meter_id, start, end]).to_pylist()
    return rows


def outages(
    query: Query, *, start: datetime, end: datetime, error_code: str | None, limit: int
) -> list[dict[str, Any]]:
    """ERR reads in ``[start, end]`` with coordinates where known."""
    sql = """SELECT d.meter_id, d.reading_date_time AS time, d.error_value AS error_code,
            d.obis_code, g.lat, g.long
        FROM err_readings d LEFT JOIN geodata g USING (meter_id)
        WHERE d.reading_date_time BETWEEN ? AND ? AND d.date_str >= ? AND d.date_str <= ?"""
    params: list[object] = [start, end, _day(start), _day(end)]
    if error_code is not None:
        sql += " AND d.error_value = ?"
        params.append(error_code)
    rows: list[dict[str, Any]] = query(
        sql + " ORDER BY time, d.meter_id LIMIT ?", [*params, limit]
    ).to_pylist()
    return rows
