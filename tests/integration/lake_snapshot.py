"""Comparable contents of every lake table (sorted rows), for equality tests."""

from __future__ import annotations

from typing import Any

from meterlake.service import MeterLake

TABLES = ("daily", "aggregated_daily", "aggregated_weekly", "aggregated_monthly")


def snapshot(lake: MeterLake) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the business tables, sorted."""
    result = {}
    for table in TABLES:
        rows = lake.sql(f"SELECT * FROM {table}").to_pylist()
        result[table] = sorted(
            (tuple(row.values()) for row in rows), key=lambda r: tuple(map(str, r))
        )
    return result
