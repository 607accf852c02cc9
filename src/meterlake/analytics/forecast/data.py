"""Reading hourly panels, weather, meter attributes and the training sample from the lake's views.

Each function takes ``query(sql, params) -> pa.Table`` over the catalog's views (values bound).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from meterlake.analytics.forecast.attributes import encode
from meterlake.analytics.forecast.calendar import WEATHER_COLUMNS, Weather
from meterlake.analytics.forecast.series import HourlyPanel, panel_from_arrays

Query = Callable[[str, Sequence[object]], pa.Table]
_MARGIN = timedelta(days=1)


def all_meters(query: Query) -> list[str]:
    """Every meter with interval reads, sorted (the reference's batch order, section 4.6)."""
    table = query("SELECT DISTINCT meter_id FROM aggregated_monthly ORDER BY 1", [])
    return [str(m) for m in table.column(0).to_pylist()]


def training_sample(query: Query, samples: int) -> list[str]:
    """A deterministic sample of ``samples`` meters (by MD5 of the id), sorted.

    The reference took ``select distinct meter_id limit N`` (an arbitrary set, section 9 #15).
    """
    table = query(
        "SELECT meter_id FROM (SELECT DISTINCT meter_id FROM aggregated_monthly)"
        " ORDER BY md5(meter_id) LIMIT ?",
        [samples],
    )
    return sorted(str(m) for m in table.column(0).to_pylist())


def hourly_panel(
    query: Query, meters: Sequence[str] | None, start: datetime, end: datetime
) -> HourlyPanel:
    """Hourly INT kWh of ``meters`` (all when ``None``) in ``[start, end)``, gaps as NaN."""
    sql = """SELECT meter_id, date_trunc('hour', reading_date_time) AS hour,
            sum(reading_value) AS kwh
        FROM daily WHERE reading_type = 'INT' AND date_str >= ? AND date_str <= ?
            AND reading_date_time >= ? AND reading_date_time < ?"""
    params: list[object] = [_day(start - _MARGIN), _day(end + _MARGIN), start, end]
    if meters is not None:
        sql += " AND meter_id IN (SELECT unnest(?))"
        params.append(list(meters))
    table = query(sql + " GROUP BY ALL", params)
    names = sorted(set(meters)) if meters is not None else None
    return _panel(table, names, start, end)


def _panel(table: pa.Table, names: list[str] | None, start: datetime, end: datetime) -> HourlyPanel:
    ids = table.column("meter_id").combine_chunks()
    known = names if names is not None else sorted(set(ids.unique().to_pylist()))
    rows = pc.index_in(ids, value_set=pa.array(known, pa.string())).to_numpy(zero_copy_only=False)
    micros = table.column("hour").cast(pa.timestamp("us")).cast(pa.int64()).to_numpy()
    kwh = table.column("kwh").cast(pa.float64()).to_numpy(zero_copy_only=False)
    hours = (micros // 3_600_000_000).astype(np.int64)
    return panel_from_arrays(tuple(known), rows.astype(np.int64), hours, kwh, (start, end))


def weather(query: Query) -> Weather | None:
    """Hourly mean weather of the whole ``weather`` table, or ``None`` when none is loaded."""
    columns = ", ".join(f"avg({c}) AS {c}" for c in WEATHER_COLUMNS)
    table = query(
        f"SELECT date_trunc('hour', time) AS hour, {columns} FROM weather"
        " WHERE time IS NOT NULL GROUP BY 1 ORDER BY 1",
        [],
    )
    if table.num_rows == 0:
        return None
    micros = table.column("hour").cast(pa.timestamp("us")).cast(pa.int64()).to_numpy()
    hours = micros // 3_600_000_000
    first = int(hours[0])
    values = np.full((int(hours[-1]) - first + 1, len(WEATHER_COLUMNS)), np.nan)
    for j, name in enumerate(WEATHER_COLUMNS):
        values[hours - first, j] = table.column(name).to_numpy(zero_copy_only=False)
    return Weather(first, values)


def attributes(query: Query) -> dict[str, tuple[float, ...]]:
    """Every meter's encoded tariff and Acorn attributes from the ``households`` table."""
    table = query("SELECT lclid, stdortou, acorn, acorn_grouped FROM households", [])
    columns = [table.column(i).to_pylist() for i in range(4)]
    return {
        str(meter): encode(tariff, acorn, grouped)
        for meter, tariff, acorn, grouped in zip(*columns, strict=True)
        if meter is not None
    }


def _day(moment: datetime) -> str:
    return moment.strftime("%Y%m%d")
