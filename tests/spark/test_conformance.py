"""One pipeline, two engines: the same inputs give the same lake on DuckDB and on Spark.

Every format sample of tests/data, a file with bad rows, duplicates within and across files,
late data that rewrites committed partitions, and the 2013 clock changes on a London calendar,
ingested in the same runs by both engines; business and aggregate tables must agree row for row
(floats to 1e-9 relative), quarantine lines and run counts exactly.
"""

from __future__ import annotations

import gzip
import json
import math
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from spark_lakes import duckdb_lake, spark_lake

from meterlake.service import MeterLake

pytestmark = [pytest.mark.spark, pytest.mark.integration]

TABLES = {
    "daily": "meter_id, obis_code, reading_type, reading_date_time, reading_value, error_value,"
    " week_of_year, day_of_month, month, year, hour, minute, date_str",
    "clean": "{run} AS run, meter_id, obis_code, reading_type,"
    " reading_date_time, reading_value, error_value, date_str",
    "aggregated_daily": "meter_id, date_str, aggregated_consumption",
    "aggregated_weekly": "meter_id, year, week_of_year, month, aggregated_consumption",
    "aggregated_monthly": "meter_id, year, month, aggregated_consumption",
    "quarantine": "file, line, trim(raw, chr(10) || chr(13)) AS raw",
    "reading_conflicts": "{run} AS run, meter_id, obis_code, reading_type, reading_date_time,"
    " kept_value, discarded_value, source_seq, date_str",
}
KAGGLE = "LCLid,tstp,energy(kWh/hh)\n"


def _half_hours(meter: str, start: datetime, hours: int, kwh: float) -> list[str]:
    return [
        f"{meter},{start + timedelta(minutes=30 * i):%Y-%m-%d %H:%M:%S}.0000000,{kwh + i % 7 / 100}"
        for i in range(hours * 2)
    ]


def _inputs(folder: Path, data_dir: Path) -> list[list[Path]]:
    """Runs of files: every sample first, then duplicates, late data and the clock changes."""
    samples = folder / "samples"
    shutil.copytree(data_dir, samples)
    duplicates = folder / "duplicates.csv"
    rows = _half_hours("MAC000002", datetime(2013, 1, 1), 24, 0.25)
    duplicates.write_text(
        KAGGLE + "\n".join([*rows, rows[3], rows[7].replace(",0.", ",9.")]) + "\n"
    )
    late = folder / "late.csv"  # days the first run committed, a new meter and an overlap
    late.write_text(
        KAGGLE
        + "\n".join(
            _half_hours("MAC000002", datetime(2012, 12, 31, 12), 24, 0.5)
            + _half_hours("MAC000777", datetime(2013, 1, 1), 6, 0.1)
        )
        + "\n"
    )
    clocks = folder / "clocks.csv"  # UTC readings across both 2013 changes (London calendar)
    clocks.write_text(
        KAGGLE
        + "\n".join(
            _half_hours("MAC000300", datetime(2013, 3, 30), 72, 0.3)
            + _half_hours("MAC000300", datetime(2013, 10, 26), 72, 0.2)
        )
        + "\n"
    )
    local = folder / "local"  # naive London times, the ambiguous and the missing hour included
    local.mkdir()
    (local / "local.csv").write_text(
        KAGGLE
        + "MAC000301,2013-10-27 01:30:00.0000000,1\n"
        + "MAC000301,2013-10-27 00:30:00.0000000,2\n"
        + "MAC000301,2013-03-31 01:30:00.0000000,3\n"
        + "MAC000301,2013-03-31 02:30:00.0000000,4\n"
    )
    unknown = samples / "flow.txt"  # rejected whole, before any engine reads it
    unknown.write_text("ZHV|0000001|D0999001|X|LOND|Q|ACME|20210101120000||||OPER|\nZPT|1|\n")
    truncated = samples / "truncated.csv.gz"  # rejected by the engine that reads it
    truncated.write_bytes(
        gzip.compress((data_dir / "london" / "lcl_sample.csv").read_bytes())[:-40]
    )
    return [[samples], [duplicates, late], [clocks, local]]


def _ingest_all(lake: MeterLake, runs: list[list[Path]]) -> tuple[list[Any], list[str]]:
    """Outcomes of each run's files, and the run ids in order."""
    reports, run_ids = [], []
    for paths in runs:
        report = lake.ingest(paths)
        run_ids.append(report.run_id)
        reports.append(
            sorted(
                (
                    f.file,
                    f.status,
                    f.reader,
                    f.rows_read,
                    f.rows_clean,
                    f.duplicates,
                    f.quarantined,
                    f.null_values,
                )
                for f in report.files
            )
        )
    return reports, run_ids


def _table(lake: MeterLake, name: str, run_ids: list[str]) -> list[dict[str, Any]]:
    """Rows of a table in one order; the clean zone's run ids become the run's position."""
    cases = " ".join(f"WHEN '{run}' THEN {i}" for i, run in enumerate(run_ids))
    columns = TABLES[name].format(run=f"CASE run_id {cases} END")
    return lake.sql(f"SELECT {columns} FROM {name} ORDER BY ALL").to_pylist()


def _same_rows(left: list[dict[str, Any]], right: list[dict[str, Any]]) -> None:
    assert len(left) == len(right)
    for a, b in zip(left, right, strict=True):
        assert a.keys() == b.keys()
        for key, value in a.items():
            if isinstance(value, float) and isinstance(b[key], float):
                assert math.isclose(value, b[key], rel_tol=1e-9), (key, a, b)
            else:
                assert value == b[key], (key, a, b)


def test_both_engines_build_the_same_lake(spark: Any, tmp_path: Path, data_dir: Path):
    del spark
    runs = _inputs(tmp_path / "inputs", data_dir)
    settings: dict[str, Any] = {
        "calendar_timezone": "Europe/London",
        "source_timezones": {"london_kaggle": "Europe/London"},
        "formats": {},
    }
    reference = duckdb_lake(tmp_path / "duckdb", **settings)
    candidate = spark_lake(tmp_path / "spark", **settings)
    duckdb_reports, duckdb_runs = _ingest_all(reference, runs)
    spark_reports, spark_runs = _ingest_all(candidate, runs)
    assert spark_reports == duckdb_reports
    statuses = {row[1] for report in duckdb_reports for row in report}
    assert statuses == {"ingested", "rejected", "skipped"}  # every kind of outcome is compared
    for name in TABLES:
        expected = _table(reference, name, duckdb_runs)
        assert expected, name  # every table has rows to compare
        _same_rows(_table(candidate, name, spark_runs), expected)
    duplicates = [row for report in duckdb_reports for row in report if row[5]]
    assert duplicates  # the dirty path (de-duplication) ran on both engines
    _written_for_every_reader(candidate)


def _written_for_every_reader(lake: MeterLake) -> None:
    """One ``part-0.parquet`` per partition; naive micro-second times (no INT96, no UTC flag)."""
    folder = lake.layout.table("daily")
    partitions = {p.parent for p in folder.glob("*/*/*") if p.is_file()}
    assert {p.name for p in folder.glob("*/*/*")} == {"part-0.parquet"}
    file = next(iter(partitions)) / "part-0.parquet"
    column = pq.ParquetFile(file).schema.column(2)
    assert column.name == "reading_date_time"
    assert column.physical_type == "INT64"
    logical = json.loads(column.logical_type.to_json())
    assert (logical["Type"], logical["isAdjustedToUTC"]) == ("Timestamp", False)
    assert logical["timeUnit"] == "microseconds"
    assert pq.read_schema(file).field("reading_date_time").type == pa.timestamp("us")
