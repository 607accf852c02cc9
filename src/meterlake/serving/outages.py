"""Answers about outage events: lists, one event, per-meter counts and reliability indices.

Plain functions over ``query(sql, params)``; values are always bound parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

import pyarrow as pa

from meterlake.analytics.outage.reliability import SUSTAINED_MINUTES, reliability_indices
from meterlake.errors import InputError

Query = Callable[[str, Sequence[object]], pa.Table]
PERIODS = ("day", "week", "month")
SOURCES = ("err", "inferred", "both")
#: south, west, north, east (degrees)
BBox = tuple[float, float, float, float]


def events(
    query: Query,
    *,
    window: tuple[datetime, datetime],
    source: str | None,
    min_confidence: float,
    page: tuple[int, int],
) -> list[dict[str, Any]]:
    """Events overlapping ``[start, end)``, oldest first, one page (limit, offset)."""
    start, end = window
    sql = """SELECT * FROM outage_events
        WHERE start < ? AND restoration > ? AND confidence >= ?"""
    params: list[object] = [end, start, min_confidence]
    if source is not None:
        sql += " AND source = ?"
        params.append(source)
    rows: list[dict[str, Any]] = query(
        sql + " ORDER BY start, event_id LIMIT ? OFFSET ?", [*params, *page]
    ).to_pylist()
    return rows


def event(query: Query, event_id: str) -> dict[str, Any] | None:
    """One event with its meters (their own start, restoration, customers and position)."""
    found = query("SELECT * FROM outage_events WHERE event_id = ?", [event_id]).to_pylist()
    if not found:
        return None
    meters = query(
        """SELECT m.meter_id, m.start, m.restoration, m.customers, m.source, g.lat, g.long
        FROM outage_meters m LEFT JOIN geodata g USING (meter_id)
        WHERE m.event_id = ? ORDER BY m.meter_id""",
        [event_id],
    ).to_pylist()
    return {**found[0], "meters": meters}


def counts(
    query: Query, *, period: str, window: tuple[datetime, datetime], meter_id: str | None
) -> list[dict[str, Any]]:
    """Outages per meter and day, ISO week or month (by the meter's own start)."""
    sql = f"""SELECT meter_id, date_trunc('{period}', start)::DATE AS period_start,
            count(DISTINCT event_id) AS outages,
            round(sum(date_diff('second', start, restoration)) / 60.0, 1) AS minutes
        FROM outage_meters WHERE start >= ? AND start < ?"""
    params: list[object] = [*window]
    if meter_id is not None:
        sql += " AND meter_id = ?"
        params.append(meter_id)
    rows: list[dict[str, Any]] = query(
        sql + " GROUP BY ALL ORDER BY meter_id, period_start", params
    ).to_pylist()
    return rows


def reliability(
    query: Query, *, window: tuple[datetime, datetime], bbox: BBox | None, min_confidence: float
) -> dict[str, Any]:
    """SAIFI, SAIDI, CAIDI and MAIFI of events starting in the window, in the area when given.

    Customers served: the CIS customers (1 for a meter without a CIS row) of every meter that
    reported in the window and, with an area, lies in it.
    """
    start, end = window
    area, area_params = "", []
    if bbox is not None:
        area = "AND g.lat BETWEEN ? AND ? AND g.long BETWEEN ? AND ?"
        area_params = [bbox[0], bbox[2], bbox[1], bbox[3]]
    row = query(
        f"""WITH customers AS (
                SELECT meter_id, count(DISTINCT customer_id) AS n FROM cis GROUP BY 1),
            served AS (
                SELECT a.meter_id, coalesce(any_value(c.n), 1) AS n
                FROM aggregated_daily a LEFT JOIN customers c USING (meter_id)
                    LEFT JOIN geodata g USING (meter_id)
                WHERE a.date_str >= ? AND a.date_str <= ? {area} GROUP BY 1),
            hit AS (
                SELECT m.event_id, s.n,
                    date_diff('second', m.start, m.restoration) / 60.0 AS minutes
                FROM outage_meters m JOIN outage_events e USING (event_id)
                    JOIN served s USING (meter_id)
                WHERE e.start >= ? AND e.start < ? AND e.confidence >= ?)
        SELECT (SELECT coalesce(sum(n), 0) FROM served) AS served,
            coalesce(sum(n) FILTER (WHERE minutes > ?), 0) AS sustained,
            coalesce(sum(n) FILTER (WHERE minutes <= ?), 0) AS momentary,
            coalesce(sum(n * minutes) FILTER (WHERE minutes > ?), 0) AS minutes,
            count(DISTINCT event_id) AS events
        FROM hit""",
        [_day(start), _day(end - timedelta(microseconds=1)), *area_params, start, end,
         min_confidence, *[SUSTAINED_MINUTES] * 3],
    ).to_pylist()[0]  # fmt: skip
    indices = reliability_indices(
        int(row["served"]),
        (int(row["sustained"]), int(row["momentary"])),
        float(row["minutes"]),
        int(row["events"]),
    )
    return {"start": start, "end": end, "bbox": bbox, **asdict(indices)}


def parse_bbox(text: str | None) -> BBox | None:
    """``south,west,north,east`` as four floats (``None`` stays ``None``)."""
    if text is None:
        return None
    try:
        south, west, north, east = (float(part) for part in text.split(","))
    except ValueError as exc:
        raise InputError(f"bbox must be four numbers south,west,north,east: {text!r}") from exc
    return south, west, north, east


def _day(moment: datetime) -> str:
    return moment.strftime("%Y%m%d")
