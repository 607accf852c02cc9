"""The data-quality report per meter and period, and the meters that stopped reporting.

For the days ``[start, end)``, per meter that had read before ``end``:

- ``readings``: interval reads with a value; ``rejected``: those with an ``error`` flag;
- ``expected``: the meter's usual reads per day (the mode over its days in the period; the
  fleet's mode for a meter without any) times the days from its first day (or ``start``);
- ``completeness``: (readings - rejected) / expected, at most 1;
- ``flags``: counts per rule; ``longest_gap_hours``: the longest gap flagged in the period, or
  the silence since the last read when the meter stopped;
- ``estimated`` / ``share_estimated``: estimated intervals, and their share of the usable plus
  estimated ones;
- ``last_reading``: the last read in the period (else the start of its last day with reads),
  ``stopped``: the meter's last day with reads is more than ``stopped_after_hours`` before the
  fleet's last day (day precision).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from meterlake.vee.queries import Query, ask

_METERS = "($meter IS NULL OR meter_id = $meter)"
_DAYS = "date_str BETWEEN $first_day AND $last_day"

REPORT = f"""
WITH r AS (SELECT meter_id, date_str, count(*) AS n, max(reading_date_time) AS last_t
        FROM daily WHERE reading_type = 'INT' AND reading_value IS NOT NULL
            AND {_DAYS} AND {_METERS} GROUP BY ALL),
    per AS (SELECT meter_id, sum(n)::BIGINT AS readings, mode(n) AS per_day, max(last_t) AS last_t
        FROM r GROUP BY 1),
    span AS (SELECT meter_id, min(date_str) AS first_day, max(date_str) AS last_day
        FROM aggregated_daily WHERE date_str <= $last_day AND {_METERS} GROUP BY 1),
    fleet AS (SELECT max(date_str) AS last_day FROM aggregated_daily WHERE date_str <= $last_day),
    usual AS (SELECT coalesce(mode(per_day), 48) AS per_day FROM per),
    fl AS (SELECT meter_id, rule, count(*) AS n FROM reading_flags
        WHERE {_DAYS} AND {_METERS} GROUP BY ALL),
    rules AS (SELECT meter_id, list(struct_pack(rule := rule, n := n) ORDER BY rule) AS flags
        FROM fl GROUP BY 1),
    gaps AS (SELECT meter_id, max(measure) / 60 AS longest_gap_hours FROM reading_flags
        WHERE rule = 'gap' AND {_DAYS} AND {_METERS} GROUP BY 1),
    rej AS (SELECT meter_id, count(DISTINCT (obis_code, reading_date_time)) AS rejected
        FROM reading_flags WHERE severity = 'error' AND reading_type = 'INT'
            AND {_DAYS} AND {_METERS} GROUP BY 1),
    est AS (SELECT meter_id, count(*) AS estimated FROM reading_estimates
        WHERE {_DAYS} AND {_METERS} GROUP BY 1)
SELECT s.meter_id, coalesce(p.readings, 0) AS readings, coalesce(j.rejected, 0) AS rejected,
    coalesce(p.per_day, (SELECT per_day FROM usual)) AS per_day,
    date_diff('day', strptime(greatest(s.first_day, $first_day), '%Y%m%d'),
        strptime($last_day, '%Y%m%d')) + 1 AS days,
    coalesce(e.estimated, 0) AS estimated, coalesce(x.flags, []) AS flags,
    g.longest_gap_hours, p.last_t,
    strptime(s.last_day, '%Y%m%d') AS last_day,
    date_diff('day', strptime(s.last_day, '%Y%m%d'), strptime(f.last_day, '%Y%m%d'))
        AS days_behind
FROM span s CROSS JOIN fleet f
LEFT JOIN per p ON p.meter_id = s.meter_id
LEFT JOIN rej j ON j.meter_id = s.meter_id
LEFT JOIN est e ON e.meter_id = s.meter_id
LEFT JOIN rules x ON x.meter_id = s.meter_id
LEFT JOIN gaps g ON g.meter_id = s.meter_id
ORDER BY s.meter_id"""


def quality_report(
    query: Query,
    window: tuple[date, date],
    meter_id: str | None,
    stopped_after_hours: float,
) -> list[dict[str, Any]]:
    """One row per meter (or the one asked for) for the days ``[start, end)``."""
    start, end = window
    params = {
        "meter": meter_id,
        "first_day": f"{start:%Y%m%d}",
        "last_day": f"{end - timedelta(days=1):%Y%m%d}",
    }
    return [_shaped(row, stopped_after_hours) for row in ask(query, REPORT, params).to_pylist()]


def _shaped(row: dict[str, Any], stopped_after_hours: float) -> dict[str, Any]:
    expected = max(int(row["per_day"]) * max(int(row["days"]), 0), 0)
    usable = row["readings"] - row["rejected"]
    stopped = row["days_behind"] * 24 > stopped_after_hours
    last_reading: datetime = row["last_t"] or row["last_day"]
    longest = row["longest_gap_hours"] or 0.0
    if stopped:  # silent from the last read to the end of the fleet's last day
        fleet_end = row["last_day"] + timedelta(days=row["days_behind"] + 1)
        longest = max(longest, (fleet_end - last_reading).total_seconds() / 3600)
    return {
        "meter_id": row["meter_id"],
        "readings": row["readings"],
        "expected": expected,
        "completeness": round(min(usable / expected, 1.0), 6) if expected else 0.0,
        "rejected": row["rejected"],
        "estimated": row["estimated"],
        "share_estimated": _share(row["estimated"], usable + row["estimated"]),
        "flags": {item["rule"]: item["n"] for item in row["flags"]},
        "longest_gap_hours": round(longest, 3),
        "last_reading": last_reading,
        "stopped": stopped,
    }


def _share(part: int, whole: int) -> float:
    return round(part / whole, 6) if whole else 0.0


def stopped_meters(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The meters of a report that stopped reporting, longest silent first."""
    stopped = [r for r in rows if r["stopped"]]
    return sorted(stopped, key=lambda r: (r["last_reading"], r["meter_id"]))
