"""The tables a VEE pass works on, in one DuckDB connection.

Inputs (created by the caller, see ``load_frames``): ``reads`` (interval and register reads of a
window of days), ``conflicts`` (duplicates the ingest discarded), ``edits`` (the latest edit of
each reading), ``temperature`` (daily mean temperature) and ``meter_limits`` (per-meter kW).

``prepare`` derives what the rules and the estimators share: ``series`` (the interval of each
meter and channel), ``ints`` (interval reads with a value, none from the future) and ``grid``
(the reads on their series' grid with the previous one beside each).
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pyarrow as pa

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
CONFLICTS = pa.schema(
    [
        ("meter_id", pa.string()),
        ("obis_code", pa.string()),
        ("reading_type", pa.string()),
        ("reading_date_time", pa.timestamp("us")),
        ("kept_value", pa.float64()),
        ("discarded_value", pa.float64()),
        ("source_seq", pa.int32()),
        ("run_id", pa.string()),
    ]
)
EDITS = pa.schema(
    [
        ("meter_id", pa.string()),
        ("obis_code", pa.string()),
        ("reading_type", pa.string()),
        ("reading_date_time", pa.timestamp("us")),
        ("action", pa.string()),
        ("value", pa.float64()),
    ]
)
TEMPERATURE = pa.schema([("day", pa.date32()), ("temperature", pa.float64())])

_SERIES = """
CREATE OR REPLACE TEMP TABLE series AS
SELECT meter_id, obis_code, coalesce($fixed::BIGINT, mode(step)) AS step_us
FROM (SELECT meter_id, obis_code,
        us - lag(us) OVER (PARTITION BY meter_id, obis_code ORDER BY us) AS step
      FROM (SELECT meter_id, obis_code, epoch_us(reading_date_time) AS us FROM reads
            WHERE reading_type = 'INT' AND reading_value IS NOT NULL))
WHERE step > 0
GROUP BY ALL"""

_INTS = """
CREATE OR REPLACE TEMP TABLE ints AS
SELECT r.meter_id, r.obis_code, r.reading_date_time AS t, epoch_us(r.reading_date_time) AS us,
    r.reading_value AS v, coalesce(s.step_us, $fixed::BIGINT, $default::BIGINT) AS step_us
FROM reads r LEFT JOIN series s ON r.meter_id = s.meter_id AND r.obis_code = s.obis_code
WHERE r.reading_type = 'INT' AND r.reading_value IS NOT NULL AND r.reading_date_time <= $now"""

_GRID = """
CREATE OR REPLACE TEMP TABLE grid AS
SELECT *, lag(us) OVER w AS prev_us, lag(v) OVER w AS prev_v
FROM ints WHERE us % step_us = 0
WINDOW w AS (PARTITION BY meter_id, obis_code ORDER BY us)"""


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


def prepare(con: duckdb.DuckDBPyConnection, settings: VeeSettings, now: datetime) -> None:
    """Derive ``series``, ``ints`` and ``grid`` from ``reads`` (reads after ``now`` left out)."""
    fixed = settings.interval_minutes * US_PER_MINUTE if settings.interval_minutes else None
    default = settings.default_interval_minutes * US_PER_MINUTE
    con.execute(_SERIES, {"fixed": fixed})
    con.execute(_INTS, {"fixed": fixed, "default": default, "now": now})
    con.execute(_GRID)
    load_limits(con, settings.rules.max_value.per_meter_kw)
