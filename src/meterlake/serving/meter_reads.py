"""One meter's reads in a time window: raw, or summed per hour, day, ISO week or month.

The rows come from ``MeterReads`` (the server's meter-clustered store, or the day partitions),
already restricted to one meter and ``[start, end)`` and ordered by time and reading type; the
sums are computed here, in Arrow, the same way whichever source answered.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from meterlake.analytics.forecast.series import HourlyHistory
from meterlake.lake.reading_store import INTERVAL, IntervalReads

#: ``meter_reads(meter_id, start, end)``: columns ``meter_id, reading_date_time, reading_value,
#: reading_type, obis_code, error_value``, rows in ``[start, end)`` by time then type.
MeterReads = Callable[[str, datetime, datetime], pa.Table]
#: ``meter_intervals(meter_id, start, end)``: the same window's interval reads as arrays.
MeterIntervals = Callable[[str, datetime, datetime], IntervalReads]
#: Resolution -> the calendar unit its sums are taken over (``raw``: none).
UNITS = {"raw": None, "hour": "hour", "day": "day", "week": "week", "month": "month"}


def raw(reads: pa.Table, limit: int) -> pa.Table:
    """``time, kwh, reading_type, obis_code, error_value`` of the first ``limit`` reads."""
    first = reads.slice(0, limit)
    return pa.table(
        {
            "time": first.column("reading_date_time"),
            "kwh": first.column("reading_value"),
            "reading_type": first.column("reading_type"),
            "obis_code": first.column("obis_code"),
            "error_value": first.column("error_value"),
        }
    )


def per_period(reads: pa.Table, unit: str, limit: int) -> pa.Table:
    """``time, kwh, readings``: interval kWh summed per ``unit`` (rounded to 6 decimals).

    ``readings`` counts the interval reads of the period, those without a value included; a
    week starts on Monday.
    """
    summed = _sums(reads, unit)
    kwh = pc.round(summed.column("kwh"), 6, round_mode="half_towards_infinity")
    return summed.set_column(1, "kwh", kwh).slice(0, limit)


def hourly(interval: IntervalReads) -> HourlyHistory:
    """Interval kWh summed per hour (NaN when no read of the hour has a value), with numpy.

    The reads are in time order, so each hour is one run of rows: ``reduceat`` sums them.
    """
    micros, values = interval
    hours = micros // 3_600_000_000
    if not len(hours):
        return HourlyHistory(hours.astype(np.int64), np.zeros(0))
    starts = np.flatnonzero(np.concatenate(([True], hours[1:] != hours[:-1])))
    known = ~np.isnan(values)
    sums = np.add.reduceat(np.where(known, values, 0.0), starts)
    counts = np.add.reduceat(known.astype(np.int64), starts)
    return HourlyHistory(hours[starts].astype(np.int64), np.where(counts > 0, sums, np.nan))


def _sums(reads: pa.Table, unit: str) -> pa.Table:
    interval = reads.filter(pc.equal(reads.column("reading_type"), INTERVAL))
    periods = pc.floor_temporal(interval.column("reading_date_time"), unit=unit)
    table = pa.table({"time": periods, "value": interval.column("reading_value")})
    grouped = table.group_by("time", use_threads=False).aggregate(
        [("value", "sum"), ("value", "count", pc.CountOptions(mode="all"))]
    )
    columns = {
        "time": grouped.column("time"),
        "kwh": grouped.column("value_sum"),
        "readings": grouped.column("value_count"),
    }
    return pa.table(columns).sort_by("time")
