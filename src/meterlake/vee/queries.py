"""Questions about validated data, answered from the lake's VEE tables (SQL text + shaping).

Status of a reading (or of a missing interval that has an estimate):

- ``edited``: its latest edit overrides the value (the override is used);
- ``estimated``: missing, rejected by an ``error`` flag, or rejected by an edit, and estimated
  (the estimate is used);
- ``suspect``: a ``warning`` flag (the raw value is used), or rejected with no estimate (no
  value is used);
- ``actual``: everything else, and readings accepted by an edit (the raw value is used).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import pyarrow as pa

#: ``MeterLake.sql``: parameterised SQL (``?`` placeholders) over the lake's views.
Query = Callable[[str, Sequence[object] | None], pa.Table]
_NAMED = re.compile(r"\$([a-z_]+)")


def ask(query: Query, sql: str, params: Mapping[str, object]) -> pa.Table:
    """Run ``sql`` written with ``$name`` placeholders as positional ``?`` parameters."""
    values = [params[name] for name in _NAMED.findall(sql)]
    return query(_NAMED.sub("?", sql), values)


PERIODS = ("hour", "day", "week", "month")
STATUSES = ("actual", "estimated", "edited", "suspect")

_WINDOW = """meter_id = $meter AND date_str BETWEEN $first_day AND $last_day
    AND reading_date_time >= $start AND reading_date_time < $end"""

VALIDATED = f"""
WITH d AS (SELECT obis_code, reading_type, reading_date_time, reading_value FROM daily
        WHERE reading_type IN ('INT', 'AGG') AND {_WINDOW}),
    e AS (SELECT obis_code, 'INT' AS reading_type, reading_date_time, estimated_value, method
        FROM reading_estimates WHERE {_WINDOW}),
    f AS (SELECT obis_code, reading_type, reading_date_time,
            max(CASE severity WHEN 'error' THEN 3 WHEN 'warning' THEN 2 ELSE 1 END) AS level,
            string_agg(DISTINCT rule, ',' ORDER BY rule) AS rules
        FROM reading_flags WHERE rule <> 'gap' AND {_WINDOW} GROUP BY ALL),
    x AS (SELECT obis_code, reading_type, reading_date_time, action, value AS edited_value
        FROM reading_edits
        WHERE meter_id = $meter AND reading_date_time >= $start AND reading_date_time < $end
        QUALIFY row_number() OVER (PARTITION BY obis_code, reading_type, reading_date_time
            ORDER BY edited_at DESC, edit_id DESC) = 1),
    k AS (SELECT obis_code, reading_type, reading_date_time FROM d
        UNION SELECT obis_code, reading_type, reading_date_time FROM e
        UNION SELECT obis_code, reading_type, reading_date_time FROM x),
    j AS (SELECT k.*, d.reading_value AS raw_value, e.estimated_value, e.method,
            coalesce(f.level, 0) AS level, f.rules, x.action, x.edited_value
        FROM k LEFT JOIN d USING (obis_code, reading_type, reading_date_time)
        LEFT JOIN e USING (obis_code, reading_type, reading_date_time)
        LEFT JOIN f USING (obis_code, reading_type, reading_date_time)
        LEFT JOIN x USING (obis_code, reading_type, reading_date_time)),
    s AS (SELECT *, action = 'reject' OR level = 3 OR raw_value IS NULL AS rejected,
            CASE WHEN action = 'override' THEN 'edited'
                 WHEN action = 'accept' THEN 'actual'
                 WHEN action = 'reject' OR level = 3 OR raw_value IS NULL
                    THEN CASE WHEN estimated_value IS NOT NULL THEN 'estimated' ELSE 'suspect' END
                 WHEN level = 2 THEN 'suspect'
                 ELSE 'actual' END AS status
        FROM j)
SELECT reading_date_time, reading_type, obis_code, raw_value,
    CASE status WHEN 'edited' THEN edited_value WHEN 'estimated' THEN estimated_value
        WHEN 'actual' THEN raw_value ELSE CASE WHEN rejected THEN NULL ELSE raw_value END
    END AS value,
    status, CASE WHEN status = 'estimated' THEN method END AS method, estimated_value,
    coalesce(rules, '') AS rules
FROM s"""

CONSUMPTION = f"""
SELECT date_trunc($period, reading_date_time) AS period_start,
    coalesce(sum(value) FILTER (WHERE status IN ('actual', 'suspect')), 0) AS actual_kwh,
    coalesce(sum(value) FILTER (WHERE status = 'edited'), 0) AS edited_kwh,
    coalesce(sum(value) FILTER (WHERE status = 'estimated'), 0) AS estimated_kwh,
    count(value) FILTER (WHERE status = 'estimated') AS estimated_intervals,
    count(value) AS intervals
FROM ({VALIDATED}) WHERE reading_type = 'INT'
GROUP BY 1 ORDER BY 1"""

FLAGS = f"""
SELECT reading_date_time, reading_type, obis_code, rule, severity, detail, measure
FROM reading_flags WHERE {_WINDOW} AND ($rule IS NULL OR rule = $rule)
ORDER BY reading_date_time, rule LIMIT $limit"""

EDITS = """
SELECT edit_id, meter_id, obis_code, reading_type, reading_date_time, action, value,
    previous_value, reason, "user", role, note, edited_at, findings
FROM reading_edits WHERE $meter IS NULL OR meter_id = $meter
ORDER BY edited_at DESC, edit_id DESC LIMIT $limit"""


def window_params(meter_id: str, start: datetime, end: datetime) -> dict[str, object]:
    """Bound values of ``_WINDOW`` (a day of ``date_str`` margin either side for time zones)."""
    return {
        "meter": meter_id,
        "start": start,
        "end": end,
        "first_day": f"{start - timedelta(days=1):%Y%m%d}",
        "last_day": f"{end + timedelta(days=1):%Y%m%d}",
    }


def validated_readings(
    query: Query, meter_id: str, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Every reading and estimated slot of a meter in ``[start, end)`` with its status."""
    sql = VALIDATED + " ORDER BY reading_date_time, reading_type, obis_code"
    return _rows(ask(query, sql, window_params(meter_id, start, end)))


def validated_consumption(  # noqa: PLR0917 (a meter, a window, a period and the switch)
    query: Query,
    meter_id: str,
    start: datetime,
    end: datetime,
    period: str,
    with_estimates: bool,
) -> list[dict[str, Any]]:
    """Interval kWh per period: actual, edited and estimated parts, and the share estimated."""
    params = {**window_params(meter_id, start, end), "period": period}
    rows = _rows(ask(query, CONSUMPTION, params))
    for row in rows:
        measured = row["actual_kwh"] + row["edited_kwh"]
        row["total_kwh"] = measured + (row["estimated_kwh"] if with_estimates else 0.0)
        whole = measured + row["estimated_kwh"]
        row["estimated_share"] = row["estimated_kwh"] / whole if whole else 0.0
        row["with_estimates"] = with_estimates
    return rows


def flags(  # noqa: PLR0917 (a meter, a window, a rule and a page)
    query: Query,
    meter_id: str,
    start: datetime,
    end: datetime,
    rule: str | None,
    limit: int,
) -> list[dict[str, Any]]:
    """One meter's flags in ``[start, end)``, optionally of one rule."""
    params = {**window_params(meter_id, start, end), "rule": rule, "limit": limit}
    return _rows(ask(query, FLAGS, params))


def edits(query: Query, meter_id: str | None, limit: int) -> list[dict[str, Any]]:
    """The audit log, newest first."""
    return _rows(ask(query, EDITS, {"meter": meter_id, "limit": limit}))


def day_span(start: date, end: date) -> dict[str, object]:
    """``date_str`` bounds of the days ``[start, end)``."""
    return {"first_day": f"{start:%Y%m%d}", "last_day": f"{end - timedelta(days=1):%Y%m%d}"}


def _rows(table: pa.Table) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows
