"""The default engine: DuckDB reading CSV and writing Hive-partitioned zstd Parquet."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from meterlake.engines import duckdb_sql as sql
from meterlake.engines.base import MergeBatch, MergeResult, RawSource, Reject, StagedFile
from meterlake.errors import LakeError, RejectedFileError
from meterlake.formats.layout import CsvLayout
from meterlake.lake.layout import PART_FILE, date_str

PARTITION_FILE_PATTERN = PART_FILE.removesuffix(".parquet").replace("0", "{i}")
FINAL_PARQUET = "FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880"
STAGING_PARQUET = "FORMAT parquet, COMPRESSION snappy"
DAILY_PARTITIONS = sql.DAILY_PARTITIONS


class DuckDBEngine:
    """Pipeline table work on one DuckDB connection."""

    name = "duckdb"
    capabilities = frozenset({"csv", "parquet"})

    def __init__(self, memory_limit: str, threads: int | None, scratch: Path) -> None:
        """Open an in-memory database that spills to ``scratch``."""
        scratch.mkdir(parents=True, exist_ok=True)
        config: dict[str, Any] = {
            "memory_limit": memory_limit,
            "temp_directory": str(scratch),
            "preserve_insertion_order": False,
        }
        if threads:
            config["threads"] = threads
        self.con = duckdb.connect(config=config)
        self._ids = itertools.count()

    def stage_file(
        self, source: RawSource, layout: CsvLayout, staging: Path, file_seq: int
    ) -> StagedFile:
        """Read one raw file into run-scoped staging Parquet partitioned by year and month."""
        rejects = f"rejects_{next(self._ids)}"
        reader = sql.read_csv_call(layout, str(source.path), rejects, source.compression)
        copy = f"""COPY ({sql.stage_select(layout, reader, file_seq)})
            TO {sql.quote_literal(str(staging))} ({STAGING_PARQUET},
            PARTITION_BY (year, month), FILENAME_PATTERN 'file{file_seq}_{{i}}',
            OVERWRITE_OR_IGNORE, RETURN_STATS)"""
        staging.mkdir(parents=True, exist_ok=True)
        try:
            stats = self.con.execute(copy).fetchall()
        except duckdb.Error as exc:
            for partial in staging.glob(f"*/*/file{file_seq}_*.parquet"):
                partial.unlink()
            self.con.execute(f"DROP TABLE IF EXISTS {rejects}; DROP TABLE IF EXISTS {rejects}_scan")
            raise RejectedFileError(source.path, _first_line(exc)) from exc
        staged = StagedFile(layout=layout, rejects=self._rejects(rejects))
        for row in stats:
            rows, columns, keys = int(row[1]), row[4], row[5]
            staged.rows += rows
            staged.invalid_rows += int(columns['"meter_id"']["null_count"])
            staged.null_values += int(columns['"reading_value"']["null_count"])
            month = (int(keys["year"]), int(keys["month"]))
            staged.files_by_month.setdefault(month, []).append(Path(row[0]))
            staged.rows_by_month[month] = staged.rows_by_month.get(month, 0) + rows
        if (layout.type_column or layout.unit_column) and staged.rows:
            files = [str(p) for paths in staged.files_by_month.values() for p in paths]
            staged.invalid_rows = int(self._run(sql.invalid_staged_rows(layout, files))[0][0])
        return staged

    def _rejects(self, table: str) -> tuple[Reject, ...]:
        rows = self.con.execute(
            f"""SELECT line, any_value(csv_line),
                    string_agg(DISTINCT error_type || ': ' || error_message, '; ')
                FROM {table} GROUP BY line ORDER BY line"""
        ).fetchall()
        self.con.execute(f"DROP TABLE IF EXISTS {table}; DROP TABLE IF EXISTS {table}_scan")
        return tuple(Reject(int(line), str(raw), str(reason)) for line, raw, reason in rows)

    def merge(self, batch: MergeBatch) -> MergeResult:
        """De-duplicate staged rows against existing partitions and write the business zone."""
        groups = [([str(p) for p in files], layout) for files, layout in batch.staged]
        touched = {
            (str(reading_type), date_str(day))
            for reading_type, day in self._run(
                sql.candidates_view(groups, [], batch.calendar_timezone) + ";" + sql.TOUCHED
            )
        }
        rewrite = sorted(key for key in touched if key in batch.existing)
        existing = [str(batch.existing[key]) for key in rewrite]
        self._run(sql.candidates_view(groups, existing, batch.calendar_timezone))
        result = MergeResult()
        self._run(sql.METER_DAYS)
        self._run(sql.DIRTY_DAYS)
        if self._run("SELECT count(*) FROM dirty_days")[0][0]:
            self._run(sql.DIRTY_ROWS)
            self._run(sql.KEPT_ROWS)
            if batch.conflicts_out is not None:
                self._write_conflicts(batch.conflicts_out)
            for seq, count in self._run(sql.DROPPED_BY_FILE):
                result.duplicates_by_file[seq] = result.duplicates_by_file.get(seq, 0) + count
            self._run(sql.DAY_TOTALS)
            self._run(sql.MERGED)
        else:
            self._run(sql.ALL_CANDIDATES)
            self._run(sql.ALL_DAY_TOTALS)
        for key, path in self._write_daily(batch, touched):
            result.dates.add(key[1])
            if key[0] == "INT":
                result.interval_dates.add(key[1])
            if key not in batch.existing:
                _link(path, _partition_file(batch.clean_out, key))
        if rewrite:
            self._copy(sql.merged_new_rows(rewrite), batch.clean_out, DAILY_PARTITIONS)
        if result.interval_dates:
            self._copy(sql.AGGREGATE_DAILY, batch.aggregate_out, ("date_str",))
        self._run(
            "DROP VIEW merged_rows; DROP VIEW candidate_rows; DROP VIEW day_totals;"
            " DROP TABLE meter_days; DROP TABLE dirty_days;"
            " DROP TABLE IF EXISTS dirty_rows; DROP TABLE IF EXISTS kept_rows"
        )
        return result

    def _write_daily(
        self, batch: MergeBatch, touched: set[tuple[str, str]]
    ) -> list[tuple[tuple[str, str], Path]]:
        """Write the merged rows to business ``daily``: (partition, file) of each written file.

        Partitioned by the integer day key unless a day is before year 1000, and by the day
        alone when every staged row and every rewritten partition has the same reading type.
        """
        types = {reading_type for reading_type, _ in touched}
        early = self._run(sql.EARLY_DAYS)[0][0]
        if len(types) == 1 and not early:
            (reading_type,) = types
            folder = batch.daily_out / f"reading_type={reading_type}"
            written = self._copy_stats(sql.MERGED_DAILY_ONE_TYPE, folder, ("date_str",))
            return [((reading_type, str(row[5]["date_str"])), Path(row[0])) for row in written]
        query = sql.MERGED_DAILY if early else sql.MERGED_DAILY_DAY_KEY
        written = self._copy_stats(query, batch.daily_out, DAILY_PARTITIONS)
        return [
            ((str(row[5]["reading_type"]), str(row[5]["date_str"])), Path(row[0]))
            for row in written
        ]

    def _write_conflicts(self, out_dir: Path) -> None:
        if self._run(f"SELECT count(*) FROM ({sql.CONFLICTS})")[0][0]:
            self._copy(sql.CONFLICTS, out_dir, ("date_str",))

    def roll_up(self, daily_aggregates: Sequence[Path], kind: str, out_dir: Path) -> int:
        """Write weekly or monthly sums of the given daily-aggregate partitions."""
        query = sql.roll_up(kind, [str(p) for p in daily_aggregates])
        return self._copy(query, out_dir, sql.ROLL_UPS[kind][1])

    def _copy(
        self,
        query: str,
        out_dir: Path,
        partitions: tuple[str, ...],
        params: dict[str, object] | None = None,
    ) -> int:
        return sum(int(row[1]) for row in self._copy_stats(query, out_dir, partitions, params))

    def _copy_stats(
        self,
        query: str,
        out_dir: Path,
        partitions: tuple[str, ...],
        params: dict[str, object] | None = None,
    ) -> list[Any]:
        out_dir.mkdir(parents=True, exist_ok=True)
        return self._run(
            f"""COPY ({query}) TO {sql.quote_literal(str(out_dir))} ({FINAL_PARQUET},
                PARTITION_BY ({", ".join(partitions)}),
                FILENAME_PATTERN '{PARTITION_FILE_PATTERN}', OVERWRITE_OR_IGNORE, RETURN_STATS)""",
            params,
        )

    def _run(self, statement: str, params: object = None) -> list[Any]:
        """Execute lake-maintenance SQL; DuckDB failures become ``LakeError``."""
        try:
            return self.con.execute(statement, params).fetchall()
        except duckdb.Error as exc:
            raise LakeError(_first_line(exc)) from exc

    def close(self) -> None:
        """Close the connection."""
        self.con.close()


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]


def _partition_file(table: Path, key: tuple[str, str]) -> Path:
    return table / f"reading_type={key[0]}" / f"date_str={key[1]}" / PART_FILE


def _link(source: Path, target: Path) -> None:
    """Share one written file between two tables (a hard link; a copy where links fail)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
