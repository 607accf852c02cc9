"""One meter's reads in a time window: raw, or summed per hour, day, ISO week or month.

The rows come from ``MeterReads`` (the server's meter-clustered store, or the day partitions),
already restricted to one meter and ``[start, end)`` and ordered by time and reading type; the
sums are computed here, in Arrow, the same way whichever source answered.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc

#: ``meter_reads(meter_id, start, end)``: columns ``meter_id, reading_date_time, reading_value,
#: reading_type, obis_code, error_value``, rows in ``[start, end)`` by time then type.
MeterReads = Callable[[str, datetime, datetime], pa.Table]
#: Resolution -> the calendar unit its sums are taken over (``raw``: none).
UNITS = {"raw": None, "hour": "hour", "day": "day", "week": "week", "month": "month"}
INTERVAL = "INT"


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
    summed = _sums(reads, unit, with_count=True)
    kwh = pc.round(summed.column("kwh"), 6, round_mode="half_towards_infinity")
    return summed.set_column(1, "kwh", kwh).slice(0, limit)


def hourly(reads: pa.Table) -> pa.Table:
    """``hour, kwh``: interval kWh summed per hour (null when no read of the hour has a value)."""
    return _sums(reads, "hour", with_count=False).rename_columns(["hour", "kwh"])


def _sums(reads: pa.Table, unit: str, *, with_count: bool) -> pa.Table:
    interval = reads.filter(pc.equal(reads.column("reading_type"), INTERVAL))
    periods = pc.floor_temporal(interval.column("reading_date_time"), unit=unit)
    table = pa.table({"time": periods, "value": interval.column("reading_value")})
    aggregations: list[tuple[str, str] | tuple[str, str, pc.CountOptions]] = [("value", "sum")]
    if with_count:
        aggregations.append(("value", "count", pc.CountOptions(mode="all")))
    grouped = table.group_by("time", use_threads=False).aggregate(aggregations)
    columns = {"time": grouped.column("time"), "kwh": grouped.column("value_sum")}
    if with_count:
        columns["readings"] = grouped.column("value_count")
    return pa.table(columns).sort_by("time")
