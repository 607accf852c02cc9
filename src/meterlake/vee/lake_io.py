"""Where a VEE pass reads its inputs and writes its results in the lake (the I/O edge).

Inputs come from the committed files a window of days needs (named one by one, never a glob
over every partition); results are written per ``date_str`` partition into a transaction's
staging area, one file per validated day (an empty file where a day has no rows, so that a
day's old flags never outlive a re-validation).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from meterlake import schema
from meterlake.engines.duckdb_sql import list_literal, quote_literal, to_local
from meterlake.lake.catalog import empty_select
from meterlake.lake.layout import PART_FILE, LakeLayout
from meterlake.lake.transaction import Transaction

_HIVE = "hive_partitioning=true, hive_types_autocast=false"
_PARQUET = "FORMAT PARQUET, COMPRESSION zstd"


def day_range(first: date, last: date) -> list[date]:
    """Every day from ``first`` to ``last`` inclusive."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def as_day(date_str: str) -> date:
    """A ``yyyyMMdd`` partition value as a date."""
    return date(int(date_str[:4]), int(date_str[4:6]), int(date_str[6:]))


def daily_files(layout: LakeLayout, days: Iterable[date]) -> list[str]:
    """The committed interval and register partitions of ``days``."""
    folder = layout.table("daily")
    return [
        str(path)
        for day in days
        for reading_type in ("INT", "AGG")
        if (
            path := folder / f"reading_type={reading_type}/date_str={day:%Y%m%d}" / PART_FILE
        ).exists()
    ]


def reads_source(files: Sequence[str]) -> str:
    """The reads of daily partition files (with each row's ``date_str``) as a SQL relation."""
    if not files:
        return """(SELECT NULL::VARCHAR AS meter_id, NULL::VARCHAR AS obis_code,
            NULL::VARCHAR AS reading_type, NULL::TIMESTAMP AS reading_date_time,
            NULL::DOUBLE AS reading_value, NULL::VARCHAR AS date_str WHERE false)"""
    return f"""(SELECT meter_id, obis_code, reading_type, reading_date_time, reading_value, date_str
        FROM read_parquet({list_literal(files)}, {_HIVE}))"""


def load_reads(con: duckdb.DuckDBPyConnection, files: Sequence[str]) -> None:
    """The ``reads`` table (with each row's ``date_str``) from daily partition files."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE reads AS SELECT * FROM {reads_source(files)}")


def load_conflicts(con: duckdb.DuckDBPyConnection, layout: LakeLayout, days: list[str]) -> None:
    """Duplicates the ingests discarded on ``days`` (every run's)."""
    folder = layout.table("reading_conflicts")
    files = [str(p) for day in days for p in folder.glob(f"run_id=*/date_str={day}/{PART_FILE}")]
    columns = (
        "meter_id, obis_code, reading_type, reading_date_time, kept_value, discarded_value,"
        " source_seq::INTEGER AS source_seq, run_id"
    )
    source = f"read_parquet({list_literal(files)}, {_HIVE})" if files else None
    _table(con, "conflicts", columns, source, schema.READING_CONFLICTS)


def load_edits(
    con: duckdb.DuckDBPyConnection, layout: LakeLayout, extra: pa.Table | None = None
) -> None:
    """The latest edit of each reading: the committed audit log plus ``extra`` (staged) rows."""
    files = sorted(str(p) for p in layout.table("reading_edits").glob("*.parquet"))
    parts = [pq.read_table(f, schema=schema.READING_EDITS) for f in files]
    if extra is not None:
        parts.append(extra.cast(schema.READING_EDITS))
    if parts:
        con.register("_edit_log", pa.concat_tables(parts))
    log = "_edit_log" if parts else f"({empty_select(schema.READING_EDITS)})"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE edits AS
        SELECT meter_id, obis_code, reading_type, reading_date_time, action, value FROM {log}
        QUALIFY row_number() OVER (PARTITION BY meter_id, obis_code, reading_type,
            reading_date_time ORDER BY edited_at DESC, edit_id DESC) = 1""")
    if parts:
        con.unregister("_edit_log")


def load_temperature(con: duckdb.DuckDBPyConnection, layout: LakeLayout) -> bool:
    """Daily mean temperature from the weather table; whether there is any."""
    files = [str(p) for p in layout.table("weather").glob("*.parquet")]
    source = (
        f"""(SELECT time::DATE AS day, avg(temperature) AS temperature
            FROM read_parquet({list_literal(files)}) WHERE temperature IS NOT NULL GROUP BY 1)"""
        if files
        else None
    )
    columns = "day, temperature"
    empty = pa.schema([("day", pa.date32()), ("temperature", pa.float64())])
    _table(con, "temperature", columns, source, empty)
    found = con.execute("SELECT count(*) FROM temperature").fetchall()  # no pending result
    return bool(found and found[0][0])


def _table(
    con: duckdb.DuckDBPyConnection,
    name: str,
    columns: str,
    source: str | None,
    shape: pa.Schema,
) -> None:
    if source is None:
        source = f"({empty_select(shape)})"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT {columns} FROM {source}")


def stage_results(  # noqa: PLR0917 (the pass's outputs and where they go)
    con: duckdb.DuckDBPyConnection,
    layout: LakeLayout,
    txn: Transaction,
    days: list[str],
    run_id: str,
    calendar_timezone: str,
) -> None:
    """Write the ``flags`` and ``estimates`` of ``days`` as one file per day and table."""
    local = to_local("reading_date_time", calendar_timezone)
    outputs = {
        "reading_flags": (
            "meter_id, obis_code, reading_type, reading_date_time, rule, severity, detail, measure",
            "flags",
            schema.READING_FLAGS,
        ),
        "reading_estimates": (
            "meter_id, obis_code, reading_date_time, estimated_value, method, gap_intervals",
            "estimates",
            schema.READING_ESTIMATES,
        ),
    }
    for table, (columns, source, shape) in outputs.items():
        out_dir = txn.stage(layout.table(table))
        out_dir.mkdir(parents=True, exist_ok=True)
        query = f"""SELECT {columns}, $run_id AS run_id, strftime({local}, '%Y%m%d') AS date_str
            FROM {source}
            WHERE list_contains($days, strftime({local}, '%Y%m%d'))
            ORDER BY meter_id, reading_date_time"""
        con.execute(
            f"""COPY ({query}) TO {quote_literal(str(out_dir))} ({_PARQUET},
                PARTITION_BY (date_str), FILENAME_PATTERN 'part-{{i}}', OVERWRITE_OR_IGNORE)""",
            {"run_id": run_id, "days": days},
        )
        _fill_empty_days(out_dir, days, shape)


def _fill_empty_days(out_dir: Path, days: list[str], shape: pa.Schema) -> None:
    data = pa.schema([f for f in shape if f.name != "date_str"])
    for day in days:
        target = out_dir / f"date_str={day}" / PART_FILE
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(data.empty_table(), target, compression="zstd")
