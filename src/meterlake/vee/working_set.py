"""The tables a VEE pass works on, in one DuckDB connection.

Inputs (created by the caller, see ``load_frames``): ``reads`` (interval and register reads of a
window of days), ``conflicts`` (duplicates the ingest discarded), ``edits`` (the latest edit of
each reading), ``temperature`` (daily mean temperature) and ``meter_limits`` (per-meter kW).

``prepare`` derives what the rules and the estimators share: ``series`` (an integer id and the
interval of each meter and channel), ``ints`` (interval reads with a value, none from the
future, by series id), ``percentiles`` (each series' 99th percentile, for the spike rule) and
``grid`` (the reads on their series' grid with their neighbours). A focused pass
(``focus.run_focused``) derives ``series`` and ``percentiles`` from the whole window itself and
lets ``prepare`` derive only the rest from a shorter ``reads``.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pyarrow as pa

from meterlake import schema
from meterlake.vee.settings import VeeSettings

US_PER_MINUTE = 60_000_000
US_PER_HOUR = 60 * US_PER_MINUTE
US_PER_DAY = 24 * US_PER_HOUR

READS = pa.schema(
    [
        ("meter_id", pa.string()),
        ("obis_code", pa.string()),
        ("reading_type", pa.string()),
        ("reading_date_time", pa.timestamp("us")),
        ("reading_value", pa.float64()),
    ]
)
#: The lake's tables as the working set reads them (without their partition column).
CONFLICTS = pa.schema([f for f in schema.READING_CONFLICTS if f.name != "date_str"])
EDITS = pa.schema(
    [
        schema.READING_EDITS.field(name)
        for name in (
            "meter_id",
            "obis_code",
            "reading_type",
            "reading_date_time",
            "action",
            "value",
        )
    ]
)
TEMPERATURE = pa.schema([("day", pa.date32()), ("temperature", pa.float64())])

#: Intervals a series may have, longest first, in minutes.
STEPS = (1440, 60, 30, 15, 10, 5, 1)
#: The ``WHEN`` branches choosing a series' interval from its reads' ``us`` (in a group-by).
ALIGNED_STEP = " ".join(
    f"WHEN avg((us % {m * 60_000_000} = 0)::INTEGER) >= 0.9 THEN {m * 60_000_000}" for m in STEPS
)

#: One row per interval series (meter and channel): an integer id and its interval, the longest
#: of ``STEPS`` on whose grid at least 90% of its reads lie (one group-by, no sort).
_SERIES = f"""
CREATE OR REPLACE TEMP TABLE series AS
WITH valued AS (
    SELECT meter_id, obis_code, epoch_us(reading_date_time) AS us FROM reads
    WHERE reading_type = 'INT' AND reading_value IS NOT NULL),
steps AS (
    SELECT meter_id, obis_code,
        CASE {ALIGNED_STEP} END AS step_us
    FROM valued GROUP BY ALL)
SELECT (row_number() OVER ())::INTEGER AS sid, meter_id, obis_code,
    coalesce($fixed::BIGINT, step_us, $default::BIGINT) AS step_us
FROM steps"""

#: Interval reads with a value, none from the future, by series id.
_INTS = """
CREATE OR REPLACE TEMP TABLE ints AS
SELECT s.sid, r.reading_date_time AS t, epoch_us(r.reading_date_time) AS us,
    r.reading_value AS v, s.step_us
FROM reads r JOIN series s ON r.meter_id = s.meter_id AND r.obis_code = s.obis_code
WHERE r.reading_type = 'INT' AND r.reading_value IS NOT NULL AND r.reading_date_time <= $now"""

#: Each series' 99th percentile of its non-negative values (the spike rule's reference).
_PERCENTILES = """
CREATE OR REPLACE TEMP TABLE percentiles AS
SELECT sid, quantile_cont(v, 0.99) AS p99 FROM ints WHERE v >= 0 GROUP BY ALL"""

#: On-grid reads with both neighbours (one sorted pass); ``same_prev``/``same_next``: the
#: neighbour is the adjacent slot and holds the same value (flat-line candidates).
_GRID = """
CREATE OR REPLACE TEMP TABLE grid AS
SELECT *,
    prev_us = us - step_us AND v = prev_v AS same_prev,
    next_us = us + step_us AND v = next_v AS same_next
FROM (SELECT *, lag(us) OVER w AS prev_us, lag(v) OVER w AS prev_v,
        lead(us) OVER w AS next_us, lead(v) OVER w AS next_v
      FROM ints WHERE us % step_us = 0
      WINDOW w AS (PARTITION BY sid ORDER BY us))"""


def load_frames(
    con: duckdb.DuckDBPyConnection,
    reads: pa.Table,
    conflicts: pa.Table | None = None,
    edits: pa.Table | None = None,
    temperature: pa.Table | None = None,
) -> None:
    """Create the input tables from Arrow tables (tests and benchmarks; the lake uses SQL)."""
    inputs = {
        "reads": (reads, READS),
        "conflicts": (conflicts, CONFLICTS),
        "edits": (edits, EDITS),
        "temperature": (temperature, TEMPERATURE),
    }
    for name, (table, columns) in inputs.items():
        frame = columns.empty_table() if table is None else table.select(columns.names)
        con.register(f"_{name}_frame", frame.cast(columns))
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _{name}_frame")
        con.unregister(f"_{name}_frame")


def load_limits(con: duckdb.DuckDBPyConnection, per_meter_kw: dict[str, float]) -> None:
    """The per-meter maxima of the ``max_value`` rule as a table."""
    con.execute("CREATE OR REPLACE TEMP TABLE meter_limits (meter_id VARCHAR, max_kw DOUBLE)")
    if per_meter_kw:
        con.executemany("INSERT INTO meter_limits VALUES (?, ?)", list(per_meter_kw.items()))


def series_params(settings: VeeSettings) -> dict[str, int | None]:
    """The ``$fixed`` and ``$default`` intervals (microseconds) of the ``series`` statements."""
    fixed = settings.interval_minutes * US_PER_MINUTE if settings.interval_minutes else None
    return {"fixed": fixed, "default": settings.default_interval_minutes * US_PER_MINUTE}


def prepare(
    con: duckdb.DuckDBPyConnection,
    settings: VeeSettings,
    now: datetime,
    *,
    series_given: bool = False,
) -> None:
    """Derive ``series``, ``ints``, ``percentiles`` and ``grid`` from ``reads``.

    Reads after ``now`` are left out. ``series_given``: ``series`` and ``percentiles`` exist
    already (computed over a longer window than ``reads``) and are kept.
    """
    if not series_given:
        con.execute(_SERIES, series_params(settings))
    con.execute(_INTS, {"now": now})
    if not series_given and settings.rules.spike.enabled:
        con.execute(_PERCENTILES)
    con.execute(_GRID)
    load_limits(con, settings.rules.max_value.per_meter_kw)
