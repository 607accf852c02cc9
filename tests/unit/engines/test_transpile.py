"""The pipeline's DuckDB SQL as Spark SQL (no Spark needed: the translation is text)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from meterlake.config import Settings
from meterlake.engines import duckdb_sql as sql
from meterlake.engines.transpile import to_spark
from meterlake.errors import MissingExtraError
from meterlake.service import MeterLake


def test_temp_tables_become_cached_views_and_epoch_us_becomes_unix_micros():
    statement = to_spark(sql.METER_DAYS)
    assert (statement.view, statement.materialise) == ("meter_days", True)
    assert statement.query.startswith("SELECT")
    assert "UNIX_MICROS(local_time)" in statement.query
    assert "EPOCH_US" not in statement.query.upper()
    assert to_spark(sql.ALL_DAY_TOTALS).materialise is False


def test_every_merge_statement_translates():
    names = ["DIRTY_DAYS", "DIRTY_ROWS", "KEPT_ROWS", "DROPPED_BY_FILE", "DAY_TOTALS"]
    names += ["MERGED", "ALL_CANDIDATES", "AGGREGATE_DAILY", "MERGED_DAILY", "TOUCHED"]
    for name in names:
        query = to_spark(getattr(sql, name)).query
        assert "EXCLUDE" not in query and "UBIGINT" not in query, name
    assert "DATE_FORMAT(local_time, 'yyyyMMdd')" in to_spark(sql.MERGED_DAILY).query


def test_wall_clock_to_utc_takes_the_later_instant_of_an_ambiguous_hour():
    query = to_spark("SELECT " + sql.to_utc("t", "Europe/London")).query
    assert query.count("TO_UTC_TIMESTAMP(") == 3
    assert "INTERVAL '1' HOUR" in query and query.startswith("SELECT CASE WHEN")
    local = to_spark("SELECT " + sql.to_local("t", "Europe/London")).query
    assert local == "SELECT FROM_UTC_TIMESTAMP(t, 'Europe/London')"


def test_nested_zone_changes_are_all_rewritten():
    nested = sql.to_local(sql.to_utc("t", "Europe/London"), "America/New_York")
    query = to_spark(f"SELECT {nested}").query
    assert "TIMEZONE(" not in query.upper().replace("_TIMESTAMP", "")


def test_spark_engine_without_pyspark_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    for name in list(sys.modules):
        if name.startswith(("pyspark", "meterlake.engines.spark_")):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    lake = MeterLake(Settings(root=tmp_path, engine="spark"))
    with pytest.raises(MissingExtraError) as caught:
        lake.engine()
    assert str(caught.value) == (
        "engine = 'spark' needs the spark extra: pip install 'meterlake[spark]'"
    )
