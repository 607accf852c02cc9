"""A pass over a few days that reads their long context only where it changes the answer.

A plain pass (``vee_pass.run_pass``) derives everything from every read of its window: the
validated days plus ``history_days`` before them. Validating one new day that way handles about
30 days of reads. ``run_focused`` gives the same flags, estimates and targets for every instant
after ``after`` (the caller's validated days lie there) in three steps:

1. **Window statistics** in one aggregate over the whole window, without keeping its rows: each
   series' interval (as ``series`` derives it) and how many values its 99th percentile ranks.
2. **A short pass** over the reads from ``after - TAIL`` on (``reads``), with those intervals.
   Every rule on a read after ``after`` then sees what it would see in the whole window, as long
   as the read's series has an on-grid read in the tail (so a gap into the days starts where it
   really starts) or no read before it, no run of equal values reaches back to the tail's first
   read of a series with reads before it, and no value
   could be a spike: the short pass holds enough values of at least a fraction ``1 / factor``
   of it to put the window's 99th percentile that high. A slot after ``after`` gets the same
   estimate when it is interpolated linearly between usable reads after ``after``.
3. **A plain pass over the whole window for the meters that need it** (``context_meters``):
   a series with reads before the tail but no on-grid read in it, a flat-line or zero run
   reaching back to the tail's first read (with reads before it), a value that could be a
   spike, a slot after ``after`` estimated otherwise (similar days, the temperature line and
   farther neighbours come from the whole history), and register (AGG) reads anywhere in the
   window (register brackets span days). A pass depends on each meter's own reads only, so
   these meters get exactly the plain pass's rows.

The result replaces ``flags``, ``estimates`` and ``targets`` with the rows after ``after``: the
short pass's for most meters, the plain pass's for ``context_meters``; ``reads`` is
the short pass's, and ``targets`` keeps only its ``us`` meaningful (the two passes number their
series apart). The window is any SQL relation with the columns of ``reads`` (the lake's
partition files, or a table in tests), so filters reach the Parquet scan.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import duckdb

from meterlake.vee.estimation import estimate
from meterlake.vee.rules import validate
from meterlake.vee.settings import VeeSettings
from meterlake.vee.working_set import ALIGNED_STEP, US_PER_HOUR, prepare, series_params

#: Reads this long before ``after`` go into the short pass, for the neighbours of its first reads.
TAIL = timedelta(hours=10)
#: The largest UTC offset of a calendar: a local day starts at most this long before its UTC day.
MAX_UTC_OFFSET = timedelta(hours=14)

#: ``series`` from every read of the window in one aggregate (the expressions of ``working_set``'s
#: ``series``), with the number of values its ``percentiles`` would rank (``n_ranked``) and of
#: its values before the short pass's reads (``n_before``: without any, it sees them all).
_WINDOW_SERIES = f"""
CREATE OR REPLACE TEMP TABLE window_series AS
WITH steps AS (
    SELECT meter_id, obis_code, CASE {ALIGNED_STEP} END AS step_us,
        count(*) FILTER (WHERE reading_date_time <= $now AND reading_value >= 0) AS n_ranked,
        count(*) FILTER (WHERE reading_date_time <= $now AND reading_date_time < $cut)
            AS n_before
    FROM (SELECT meter_id, obis_code, epoch_us(reading_date_time) AS us, reading_date_time,
            reading_value
          FROM {{window}} WHERE reading_type = 'INT' AND reading_value IS NOT NULL)
    GROUP BY meter_id, obis_code)
SELECT (row_number() OVER ())::INTEGER AS sid, meter_id, obis_code,
    coalesce($fixed::BIGINT, step_us, $default::BIGINT) AS step_us, n_ranked, n_before
FROM steps"""

#: The short pass judges no spikes (``context_meters`` gets the series that could have one).
_SERIES_FROM_WINDOW = """
CREATE OR REPLACE TEMP TABLE series AS SELECT sid, meter_id, obis_code, step_us FROM window_series;
CREATE OR REPLACE TEMP TABLE percentiles (sid INTEGER, p99 DOUBLE);"""

#: Meters whose rows after ``$after`` need the whole window (see the module docstring). A value
#: ``top`` after ``$after`` is no spike when the short pass alone holds enough values of at least
#: ``top / factor`` (a hair more, against rounding) to put the window's 99th percentile there:
#: the rank ``floor((n - 1) * 0.99)`` of ``quantile_cont`` and one more.
_CONTEXT_METERS = """
CREATE OR REPLACE TEMP TABLE context_meters AS
WITH firsts AS (SELECT sid, min(us) AS first_us FROM grid GROUP BY sid),
spike_tops AS (
    SELECT sid, max(v) AS top FROM ints
    WHERE $spike AND t > $after AND v >= $min_kwh AND v >= 0 GROUP BY sid),
cut AS (SELECT f.* FROM firsts f JOIN window_series w ON w.sid = f.sid WHERE w.n_before > 0),
needy AS (
    SELECT sid FROM cut WHERE first_us > epoch_us($after::TIMESTAMP)
    UNION ALL
    SELECT r.sid FROM runs r JOIN cut f ON f.sid = r.sid
    WHERE r.t > $after AND epoch_us(r.first_t) = f.first_us
    UNION ALL
    SELECT sid FROM targets
    WHERE us > epoch_us($after::TIMESTAMP)
        AND NOT coalesce(prev_us > epoch_us($after::TIMESTAMP) AND next_us IS NOT NULL
            AND gap_intervals * step_us <= $linear_us, false)
    UNION ALL
    SELECT c.sid FROM spike_tops c JOIN window_series w ON w.sid = c.sid
    LEFT JOIN ints i ON i.sid = c.sid AND i.v >= 0 AND i.v >= c.top * (1 + 1e-9) / $factor
    GROUP BY c.sid, w.n_ranked
    HAVING count(i.sid) < w.n_ranked - floor((w.n_ranked - 1) * 0.99) + 1)
SELECT DISTINCT s.meter_id FROM needy n JOIN series s ON s.sid = n.sid
UNION
SELECT DISTINCT meter_id FROM {window} WHERE reading_type = 'AGG'"""

#: The short pass's rows after ``$after`` of the meters it answers for.
_KEEP = {
    "flags": "reading_date_time > $after",
    "estimates": "reading_date_time > $after",
    "targets": "us > epoch_us($after::TIMESTAMP)",
}


@dataclass
class FocusReport:
    """How many meters a focused pass sent through the whole window, and each step's time."""

    context_meters: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def focus_start(first_day: datetime) -> datetime:
    """The ``after`` of a run whose first validated (local) day starts at ``first_day``."""
    return first_day - MAX_UTC_OFFSET


def run_focused(
    con: duckdb.DuckDBPyConnection,
    settings: VeeSettings,
    now: datetime,
    window: str,
    after: datetime,
) -> FocusReport:
    """Fill ``flags``, ``estimates`` and ``targets`` for the instants after ``after``.

    ``window``: a SQL relation with the columns of ``reads`` holding every read of the window.
    The input tables other than ``reads`` (``conflicts``, ``edits``, ``temperature``) are as for
    ``run_pass``; ``reads`` is created here.
    """
    report = FocusReport()
    times = report.timings
    began = time.perf_counter()
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE reads AS SELECT * FROM {window}"
        " WHERE reading_date_time >= $cut",
        {"cut": after - TAIL},
    )
    add_lap(times, "read", began)
    began = time.perf_counter()
    con.execute(
        _WINDOW_SERIES.format(window=window),
        {"now": now, "cut": after - TAIL, **series_params(settings)},
    )
    con.execute(_SERIES_FROM_WINDOW)
    add_lap(times, "window", began)
    began = time.perf_counter()
    prepare(con, settings, now, series_given=True)
    validate(con, settings, now)
    estimate(con, settings)
    spike = settings.rules.spike
    context_params = {
        "after": after,
        "spike": spike.enabled,
        "min_kwh": spike.min_kwh,
        "factor": spike.factor,
        "linear_us": int(settings.estimation.linear_max_hours * US_PER_HOUR),
    }
    con.execute(_CONTEXT_METERS.format(window=window), context_params)
    add_lap(times, "short_pass", began)
    found = con.execute("SELECT count(*) FROM context_meters").fetchone()
    report.context_meters = int(found[0]) if found else 0
    params = {"after": after}
    for table, keep in _KEEP.items():
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE short_{table} AS SELECT * FROM {table} x
                WHERE {keep} AND NOT EXISTS ({_of_context_meter(table)})""",
            params,
        )
    con.execute("ALTER TABLE reads RENAME TO short_reads")
    if report.context_meters:
        began = time.perf_counter()
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE reads AS SELECT * FROM {window} w
                WHERE w.meter_id IN (SELECT meter_id FROM context_meters)"""
        )
        add_lap(times, "read", began)
        began = time.perf_counter()
        prepare(con, settings, now)
        validate(con, settings, now)
        estimate(con, settings)
        add_lap(times, "context_pass", began)
        for table, keep in _KEEP.items():
            con.execute(f"INSERT INTO short_{table} SELECT * FROM {table} WHERE {keep}", params)
    for table in (*_KEEP, "reads"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
        con.execute(f"ALTER TABLE short_{table} RENAME TO {table}")
    return report


def _of_context_meter(table: str) -> str:
    """A subquery finding the meter of row ``x`` of ``table`` in ``context_meters``."""
    if table == "targets":
        return (
            "SELECT 1 FROM series s JOIN context_meters c ON c.meter_id = s.meter_id"
            " WHERE s.sid = x.sid"
        )
    return "SELECT 1 FROM context_meters c WHERE c.meter_id = x.meter_id"


def add_lap(timings: dict[str, float], step: str, began: float) -> None:
    """Add the seconds since ``began`` to ``timings[step]``."""
    timings[step] = round(timings.get(step, 0.0) + time.perf_counter() - began, 3)
