"""The reference API's four answers (reference section 5), with the intended behaviour.

Each function takes ``query(sql, params) -> pa.Table`` over the lake's views and returns the
JSON-ready body of the reference's response. Values are always bound parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from meterlake.analytics.forecast import seasonal_naive
from meterlake.analytics.forecast.series import HourlyHistory
from meterlake.serving.meter_reads import MeterIntervals, hourly

Query = Callable[[str, Sequence[object]], pa.Table]
#: An online forecaster: ``(one meter's hourly history, levels) -> (first forecast hour,
#: 168 x levels kWh)``; the default is the seasonal-naive model.
Predict = Callable[[HourlyHistory, tuple[float, ...]], tuple[datetime, npt.NDArray[Any]]]
AGGREGATIONS = ("daily", "weekly", "monthly")
ANOMALY_COLUMNS = (
    "meter_id",
    "ds",
    "consumption",
    "yhat_lower",
    "yhat_upper",
    "anomaly",
    "importance",
)
FORECAST_HOURS = 168
FORECAST_QUANTILE = 0.9
#: History the seasonal-naive model looks at: the last four weeks before ``data_end``.
FORECAST_HISTORY = timedelta(days=28)

_CONSUMPTION = {
    "daily": """SELECT meter_id, date_str, aggregated_consumption FROM aggregated_daily
        WHERE meter_id = ? AND date_str >= ? AND date_str < ? ORDER BY date_str""",
    "weekly": """SELECT meter_id, year, week_of_year, sum(aggregated_consumption)
        FROM aggregated_weekly WHERE meter_id = ? AND year = ?
        GROUP BY ALL ORDER BY week_of_year""",
    "monthly": """SELECT meter_id, year, month, aggregated_consumption FROM aggregated_monthly
        WHERE meter_id = ? AND year = ? ORDER BY month""",
}


def consumption(query: Query, aggregation: str, year: int, meter_id: str) -> list[list[Any]]:
    """``[[meter_id, "yyyyMMdd" | year, (week | month,) kWh], ...]`` ordered by period."""
    if aggregation == "daily":
        params: list[object] = [meter_id, f"{year:04d}0101", f"{year + 1:04d}0101"]
    else:
        params = [meter_id, year]
    table = query(_CONSUMPTION[aggregation], params)
    return [list(row.values()) for row in table.to_pylist()]


def consumption_of_rows(aggregation: str, year: int, rows: pa.Table) -> list[list[Any]]:
    """``consumption``'s answer from one meter's rows of the ``aggregation`` table, no query."""
    value = "aggregated_consumption"
    if aggregation == "daily":
        day = rows.column("date_str")
        keep = pc.and_(
            pc.greater_equal(day, f"{year:04d}0101"), pc.less(day, f"{year + 1:04d}0101")
        )
        table = rows.filter(keep).sort_by("date_str")
        columns = ["meter_id", "date_str", value]
    else:
        period = "week_of_year" if aggregation == "weekly" else "month"
        table = rows.filter(pc.equal(rows.column("year"), year))
        if aggregation == "weekly":  # a week that spans two months has a row in each
            table = table.group_by(["meter_id", "year", period]).aggregate([(value, "sum")])
            table = table.rename_columns(
                [value if c == f"{value}_sum" else c for c in table.column_names]
            )
        table = table.sort_by(period)
        columns = ["meter_id", "year", period, value]
    return [list(row) for row in zip(*(table.column(c).to_pylist() for c in columns), strict=True)]


def anomalies(
    query: Query, meter_id: str, start: datetime, end: datetime, outlier_only: bool
) -> dict[str, dict[str, Any]]:
    """Column-oriented rows of ``anomaly`` for one meter, ``end`` exclusive."""
    sql = f"""SELECT {", ".join(ANOMALY_COLUMNS)} FROM anomaly
        WHERE meter_id = ? AND CAST(ds AS TIMESTAMP) >= ? AND CAST(ds AS TIMESTAMP) < ?
        {"AND anomaly <> 0" if outlier_only else ""} ORDER BY ds"""
    rows = query(sql, [meter_id, start, end]).to_pylist()
    return {c: {str(i): row[c] for i, row in enumerate(rows)} for c in ANOMALY_COLUMNS}


def anomalies_of_rows(
    rows: pa.Table, start: datetime, end: datetime, outlier_only: bool
) -> dict[str, dict[str, Any]]:
    """``anomalies``' answer from one meter's rows of the ``anomaly`` table, no query."""
    days = rows.column("ds").cast(pa.timestamp("us"))
    keep = pc.and_(pc.greater_equal(days, start), pc.less(days, end))
    if outlier_only:
        keep = pc.and_(keep, pc.not_equal(rows.column("anomaly"), 0))
    table = rows.filter(keep).sort_by("ds")
    return {
        column: {str(i): value for i, value in enumerate(table.column(column).to_pylist())}
        for column in ANOMALY_COLUMNS
    }


def forecast(
    meter_intervals: MeterIntervals,
    meter_id: str,
    start: datetime,
    end: datetime,
    recent_from: datetime | None,
    *,
    predict: Predict | None = None,
    recent: pa.Table | None = None,
) -> dict[str, Any]:
    """``{"consumption": {epoch_ms: P90 kWh}}`` for the 168 hours after the last observed hour.

    ``recent``: the meter's rows of the in-memory ``recent_hourly``, when the caller has them.
    """
    history = hourly_history(meter_intervals, meter_id, start, end, recent_from, recent=recent)
    if not history:
        return {"consumption": {}}
    begin, quantiles = (predict or naive_predict)(history, (FORECAST_QUANTILE,))
    values: list[float] = quantiles[:, 0].astype(float).tolist()
    first = (begin - datetime(1970, 1, 1)) // timedelta(milliseconds=1)
    keys = map(str, range(first, first + len(values) * 3_600_000, 3_600_000))
    return {"consumption": dict(zip(keys, values, strict=True))}


def naive_predict(
    history: HourlyHistory, levels: tuple[float, ...]
) -> tuple[datetime, npt.NDArray[Any]]:
    """The seasonal-naive answer (used when no model is trained or it is asked for by name)."""
    first, series = seasonal_naive.regular_hours(history.hours, history.kwh)
    return seasonal_naive.forecast_quantiles(first, series, FORECAST_HOURS, levels)


def hourly_history(
    meter_intervals: MeterIntervals,
    meter_id: str,
    start: datetime,
    end: datetime,
    recent_from: datetime | None,
    *,
    recent: pa.Table | None = None,
) -> HourlyHistory:
    """Interval kWh per hour of one meter over the last ``FORECAST_HISTORY`` before ``end``.

    From the meter's rows of the in-memory ``recent_hourly`` (``recent``) when they cover the
    window (``recent_from``), else summed from its reads.
    """
    start = max(start, end - FORECAST_HISTORY)
    if recent is not None and recent_from is not None and start >= recent_from:
        hours = recent.column("hour")
        return history_of(
            recent.filter(pc.and_(pc.greater_equal(hours, start), pc.less(hours, end)))
        )
    return hourly(meter_intervals(meter_id, start, end))


def history_of(table: pa.Table) -> HourlyHistory:
    """An ``HourlyHistory`` from rows with ``hour`` (ascending) and ``kwh``."""
    micros = table.column("hour").cast(pa.timestamp("us")).cast(pa.int64()).to_numpy()
    kwh = table.column("kwh").cast(pa.float64()).to_numpy(zero_copy_only=False)
    return HourlyHistory((micros // 3_600_000_000).astype(np.int64), kwh)


#: ``source`` of ``/outage``: ERR reads, meters of inferred outage events, or both.
OUTAGE_SOURCES = ("err", "inferred", "all")
#: ``error_value`` of an item that is a meter of an inferred outage event.
INFERRED_CODE = "OUTAGE"
#: Every meter of an inferred (or inferred and ERR) outage event as an ``/outage`` item, with
#: its event's span to pick the events overlapping a window. Events are few: filtered in Arrow.
INFERRED_ITEMS = f"""SELECT m.meter_id, m.start AS reading_date_time,
        strftime(m.start, '%Y%m%d') AS date_str, g.lat, g.long,
        '{INFERRED_CODE}' AS error_value, e.start AS event_start, e.restoration AS event_end
    FROM outage_meters m JOIN outage_events e USING (event_id) JOIN geodata g USING (meter_id)
    WHERE m.source <> 'err' ORDER BY m.start, m.meter_id"""


def outages(
    query: Query, start: datetime, end: datetime, error_code: str | None, source: str = "all"
) -> dict[str, Any]:
    """ERR reads and meters of inferred outages in the inclusive window; nulls omitted."""
    err: list[dict[str, Any]] = []
    if source != "inferred":
        sql = """SELECT d.*, g.lat, g.long FROM err_readings d JOIN geodata g USING (meter_id)
            WHERE d.reading_date_time BETWEEN ? AND ? AND d.date_str >= ? AND d.date_str <= ?"""
        params: list[object] = [start, end, _day(start), _day(end)]
        if error_code is not None:
            sql += " AND d.error_value = ?"
            params.append(error_code)
        err = query(sql + " ORDER BY d.reading_date_time, d.meter_id", params).to_pylist()
    inferred = query(INFERRED_ITEMS, []) if source != "err" else None
    return outage_answer(err, inferred, (start, end), error_code)


def outage_answer(
    err: list[dict[str, Any]],
    inferred: pa.Table | None,
    window: tuple[datetime, datetime],
    error_code: str | None,
) -> dict[str, Any]:
    """The ``/outage`` body: ERR rows and the inferred items whose event overlaps ``window``."""
    if inferred is None or error_code not in (None, INFERRED_CODE):
        return outage_body(err)
    start, end = (pa.scalar(moment, pa.timestamp("us")) for moment in window)
    ends = pc.fill_null(inferred.column("event_end"), end)
    overlapping = pc.and_(
        pc.less_equal(inferred.column("event_start"), end), pc.greater_equal(ends, start)
    )
    found = inferred.filter(overlapping).drop_columns(["event_start", "event_end"]).to_pylist()
    rows = sorted([*err, *found], key=lambda row: (row["reading_date_time"], row["meter_id"]))
    return outage_body(rows)


def outage_body(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """``{"Items": rows with null and empty fields omitted, "Count": n}`` (reference 5.4)."""
    items = [{k: _json_value(v) for k, v in row.items() if v not in (None, "")} for row in rows]
    return {"Items": items, "Count": len(items)}


def _json_value(value: object) -> object:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.") + f"{value.microsecond // 1000:03d}"
    return value


def _day(moment: datetime) -> str:
    return moment.strftime("%Y%m%d")
