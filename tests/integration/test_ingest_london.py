"""Ingest of London LCL files into a real lake (real DuckDB, real Parquet)."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from lake_snapshot import snapshot

from meterlake import schema
from meterlake.config import Settings
from meterlake.service import MeterLake
from meterlake.synth import FleetSpec

pytestmark = pytest.mark.integration


def _drop(lake: MeterLake, source: Path, name: str | None = None) -> Path:
    lake.layout.landing.mkdir(parents=True, exist_ok=True)
    target = lake.layout.landing / (name or source.name)
    shutil.copy(source, target)
    return target


def test_vector_3_london_row_becomes_the_clean_row(lake: MeterLake, data_dir: Path):
    _drop(lake, data_dir / "london" / "lcl_sample.csv")
    lake.ingest()
    row = lake.sql(
        "SELECT * FROM daily WHERE meter_id = ? AND reading_date_time = ?",
        ["MAC000002", datetime(2012, 10, 12, 1, 0)],
    ).to_pylist()
    assert row == [
        {
            "meter_id": "MAC000002",
            "obis_code": "",
            "reading_date_time": datetime(2012, 10, 12, 1, 0),
            "reading_value": 0.263,
            "error_value": None,
            "week_of_year": 41,
            "day_of_month": 12,
            "month": 10,
            "year": 2012,
            "hour": 1,
            "minute": 0,
            "reading_type": "INT",
            "date_str": "20121012",
        }
    ]
    clean = lake.sql(
        "SELECT hour, minute, date_str FROM clean WHERE reading_value = 0 AND meter_id = ?",
        ["MAC000002"],
    ).to_pylist()
    assert clean == [{"hour": 0, "minute": 30, "date_str": "20121012"}]


def test_accounting_nulls_and_duplicates(lake: MeterLake, data_dir: Path):
    _drop(lake, data_dir / "london" / "lcl_sample.csv")
    report = lake.ingest()
    (outcome,) = report.files
    assert (outcome.rows_read, outcome.rows_clean, outcome.duplicates) == (5, 4, 1)
    assert outcome.null_values == 2  # both copies of the Null row were read; one is kept
    assert outcome.balanced
    assert lake.sql("SELECT count(*) AS n FROM daily").to_pylist() == [{"n": 4}]


def test_bad_rows_are_quarantined_with_line_and_reason(lake: MeterLake, data_dir: Path):
    _drop(lake, data_dir / "london" / "lcl_bad_rows.csv")
    report = lake.ingest()
    (outcome,) = report.files
    assert (outcome.rows_read, outcome.rows_clean, outcome.quarantined) == (6, 2, 4)
    assert outcome.balanced
    rows = lake.sql("SELECT file, line, raw, reason FROM quarantine ORDER BY line").to_pylist()
    assert [(r["line"], r["reason"].split(":")[0]) for r in rows] == [
        (3, "missing meter id"),
        (4, "CAST"),
        (5, "MISSING COLUMNS"),
        (7, "CAST"),
    ]
    assert rows[0]["raw"].startswith(",Std,2012-10-12 01:00")
    assert all(r["file"] == "landing/lcl_bad_rows.csv" for r in rows)


def test_vector_23_and_24_state_file_and_rerun_without_new_files(lake: MeterLake, tmp_path: Path):
    lake.generate(FleetSpec(meters=3, start=date(2013, 1, 1), end=date(2013, 1, 3), seed=1))
    lake.ingest()
    state = json.loads(lake.layout.state_file.read_text())
    assert sorted(state["dates"]) == ["20130101", "20130102"]
    assert state["first_run"] is True
    before = snapshot(lake)
    report = lake.ingest()
    state = json.loads(lake.layout.state_file.read_text())
    assert state == {"dates": [], "first_run": False}
    assert [f.status for f in report.files] == ["skipped"]
    assert snapshot(lake) == before


def test_same_content_under_another_name_changes_nothing(lake: MeterLake, data_dir: Path):
    _drop(lake, data_dir / "london" / "lcl_sample.csv")
    lake.ingest()
    before = snapshot(lake)
    _drop(lake, data_dir / "london" / "lcl_sample.csv", "again.csv")
    report = lake.ingest()
    assert [f.status for f in report.files if f.file.endswith("again.csv")] == ["skipped"]
    assert snapshot(lake) == before


def test_rejected_file_stays_in_landing_and_is_reported(lake: MeterLake, data_dir: Path):
    _drop(lake, data_dir / "london" / "lcl_sample.csv")
    lake.layout.landing.joinpath("notes.txt").write_text("hello,world\n")
    report = lake.ingest()
    rejected = [f for f in report.files if f.status == "rejected"]
    assert [f.file for f in rejected] == ["landing/notes.txt"]
    assert "unknown layout; tried london" in rejected[0].reason
    assert lake.layout.landing.joinpath("notes.txt").exists()
    assert lake.status().files_rejected == 1


def _fleet_files(tmp_path: Path, name: str, spec: FleetSpec) -> Path:
    return MeterLake(Settings(root=tmp_path / name)).generate(spec).readings[0]


def test_late_data_and_incremental_runs_equal_a_full_rebuild(lake: MeterLake, tmp_path: Path):
    january = _fleet_files(
        tmp_path, "jan", FleetSpec(meters=4, start=date(2013, 1, 1), end=date(2013, 1, 20), seed=3)
    )
    late = _fleet_files(
        tmp_path, "late", FleetSpec(meters=6, start=date(2013, 1, 18), end=date(2013, 2, 3), seed=4)
    )
    first = lake.ingest([january])
    second = lake.ingest([late])
    assert "20130118" in second.dates  # late readings land in the partition of their own day
    assert second.first_run is False
    assert second.files[0].duplicates > 0  # meters 1-4 overlap on 18-19 January
    for report in (first, second):  # the clean zone holds each run's own new rows
        count = lake.sql("SELECT count(*) AS n FROM clean WHERE run_id = ?", [report.run_id])
        assert count.to_pylist() == [{"n": report.files[0].rows_clean}]
    incremental = snapshot(lake)

    rebuilt = MeterLake(Settings(root=tmp_path / "rebuild", threads=1))
    rebuilt.ingest([january, late])
    assert snapshot(rebuilt) == incremental


def test_aggregates_sum_interval_reads_per_period(lake: MeterLake, tmp_path: Path):
    lake.generate(FleetSpec(meters=3, start=date(2013, 12, 28), end=date(2014, 1, 3), seed=5))
    lake.ingest()
    daily = lake.sql(
        "SELECT meter_id, date_str, round(sum(reading_value), 6) AS kwh FROM daily"
        " WHERE reading_type = 'INT' GROUP BY ALL"
    ).to_pylist()
    aggregated = lake.sql(
        "SELECT meter_id, date_str, round(aggregated_consumption, 6) AS kwh FROM aggregated_daily"
    ).to_pylist()
    key = lambda r: (r["meter_id"], r["date_str"])  # noqa: E731
    assert sorted(daily, key=key) == sorted(aggregated, key=key)
    weekly = lake.sql(
        "SELECT year, week_of_year, month FROM aggregated_weekly GROUP BY ALL ORDER BY ALL"
    ).to_pylist()
    assert {"year": 2013, "week_of_year": 1, "month": 12} in weekly  # 30-31 Dec 2013, vector 8
    assert {"year": 2014, "week_of_year": 1, "month": 1} in weekly
    monthly = lake.sql(
        "SELECT year, month, round(sum(aggregated_consumption), 4) AS kwh"
        " FROM aggregated_monthly GROUP BY ALL ORDER BY ALL"
    ).to_pylist()
    total = lake.sql(
        "SELECT round(sum(aggregated_consumption), 4) AS kwh FROM aggregated_daily"
    ).to_pylist()[0]["kwh"]
    assert round(sum(r["kwh"] for r in monthly), 4) == total


@pytest.mark.parametrize(
    ("folder", "sample", "types"),
    [("london", "lcl_sample.csv", {"INT"}), ("mdm", "mdm_generator.csv", {"INT", "AGG", "ERR"})],
)
def test_daily_files_hold_the_data_columns_under_hive_partition_folders(
    lake: MeterLake, data_dir: Path, folder: str, sample: str, types: set[str]
):
    """One reading type (written by the day alone) or several: the same layout either way."""
    _drop(lake, data_dir / folder / sample)
    lake.ingest()
    files = sorted(lake.layout.table("daily").rglob("*.parquet"))
    assert {f.parent.parent.name.removeprefix("reading_type=") for f in files} == types
    for file in files:
        assert file.name == "part-0.parquet"
        assert re.fullmatch(r"date_str=\d{8}", file.parent.name)
        assert pq.read_schema(file).remove_metadata() == schema.DAILY_DATA
    written = lake.sql("SELECT DISTINCT reading_type, date_str FROM daily").to_pylist()
    assert {(r["reading_type"], r["date_str"]) for r in written} == {
        (f.parent.parent.name.split("=")[1], f.parent.name.split("=")[1]) for f in files
    }


def test_readings_before_1970_and_before_year_1000_are_ingested_with_their_own_dates(
    lake: MeterLake, tmp_path: Path
):
    header = "LCLid,stdorToU,DateTime,KWH/hh (per half hour) ,Acorn,Acorn_grouped\n"
    rows = [
        f"MAC1,Std,{moment}.0000000, {value} ,ACORN-A,Affluent\n"
        for moment, value in [
            ("1969-12-31 23:30:00", "0.5"),
            ("1969-12-31 23:30:00", "0.5"),  # a duplicate on a day before the epoch
            ("0999-10-12 00:30:00", "0.25"),
            ("2012-10-12 00:30:00", "1.0"),
        ]
    ]
    source = tmp_path / "early.csv"
    source.write_text(header + "".join(rows))
    report = lake.ingest([source])
    assert (report.files[0].rows_clean, report.files[0].duplicates) == (3, 1)
    daily = lake.sql("SELECT date_str, reading_value FROM daily ORDER BY date_str").to_pylist()
    assert daily == [
        {"date_str": "09991012", "reading_value": 0.25},
        {"date_str": "19691231", "reading_value": 0.5},
        {"date_str": "20121012", "reading_value": 1.0},
    ]
    totals = lake.sql(
        "SELECT date_str, aggregated_consumption FROM aggregated_daily ORDER BY date_str"
    ).to_pylist()
    assert [(t["date_str"], t["aggregated_consumption"]) for t in totals] == [
        ("09991012", 0.25),
        ("19691231", 0.5),
        ("20121012", 1.0),
    ]
    later = tmp_path / "later.csv"
    later.write_text(header + "MAC1,Std,0999-10-12 01:00:00.0000000, 0.75 ,ACORN-A,Affluent\n")
    lake.ingest([later])  # merged into the existing early partition, not written over it
    monthly = lake.sql(
        "SELECT year, month, aggregated_consumption FROM aggregated_monthly ORDER BY year"
    ).to_pylist()
    assert [(m["year"], m["month"], m["aggregated_consumption"]) for m in monthly] == [
        (999, 10, 1.0),
        (1969, 12, 0.5),
        (2012, 10, 1.0),
    ]
