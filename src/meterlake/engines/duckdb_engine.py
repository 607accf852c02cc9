"""The default engine: DuckDB reading CSV and writing Hive-partitioned zstd Parquet."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from meterlake.engines import duckdb_sql as sql
from meterlake.engines.base import MergedMonth, Reject, StagedFile
from meterlake.errors import LakeError, QueryError, RejectedFileError
from meterlake.formats.layout import CsvLayout
from meterlake.lake.layout import PART_FILE

PARTITION_FILE_PATTERN = PART_FILE.removesuffix(".parquet").replace("0", "{i}")
FINAL_PARQUET = "FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880"
CLEAN_PARQUET = "FORMAT parquet, COMPRESSION snappy"


class DuckDBEngine:
    """Pipeline table work on one DuckDB connection."""

    name = "duckdb"
    capabilities = frozenset({"csv", "parquet", "sql"})

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
        self, source: Path, layout: CsvLayout, clean_dir: Path, file_seq: int
    ) -> StagedFile:
        """Read one raw file into clean-zone Parquet partitioned by year and month."""
        rejects = f"rejects_{next(self._ids)}"
        reader = sql.read_csv_call(layout, str(source), rejects)
        copy = f"""COPY ({sql.stage_select(layout, reader, file_seq)})
            TO {sql.quote_literal(str(clean_dir))} ({CLEAN_PARQUET},
            PARTITION_BY (year, month), WRITE_PARTITION_COLUMNS true,
            FILENAME_PATTERN 'file{file_seq}_{{i}}', OVERWRITE_OR_IGNORE, RETURN_STATS)"""
        clean_dir.mkdir(parents=True, exist_ok=True)
        try:
            stats = self.con.execute(copy).fetchall()
        except duckdb.Error as exc:
            for partial in clean_dir.glob(f"*/*/file{file_seq}_*.parquet"):
                partial.unlink()
            self._rejects(rejects)
            raise RejectedFileError(source, _first_line(exc)) from exc
        rows = sum(int(row[1]) for row in stats)
        nulls = sum(int(row[4]['"reading_value"']["null_count"]) for row in stats)
        months: dict[tuple[int, int], int] = {}
        for row in stats:
            key = (int(row[5]["year"]), int(row[5]["month"]))
            months[key] = months.get(key, 0) + int(row[1])
        return StagedFile(rows, nulls, self._rejects(rejects), months)

    def _rejects(self, table: str) -> tuple[Reject, ...]:
        rows = self.con.execute(
            f"""SELECT line, any_value(csv_line),
                    string_agg(DISTINCT error_type || ': ' || error_message, '; ')
                FROM {table} GROUP BY line ORDER BY line"""
        ).fetchall()
        self.con.execute(f"DROP TABLE IF EXISTS {table}; DROP TABLE IF EXISTS {table}_scan")
        return tuple(Reject(int(line), str(raw), str(reason)) for line, raw, reason in rows)

    def merge_months(
        self,
        new_files: Sequence[Path],
        existing: Mapping[tuple[str, str], Path],
        daily_out: Path,
        aggregate_out: Path,
    ) -> MergedMonth:
        """De-duplicate new rows against existing partitions and write both tables."""
        files = [str(p) for p in new_files]
        touched = self._run(
            "SELECT DISTINCT reading_type, date_str FROM read_parquet($files)", {"files": files}
        )
        rewrite = [str(existing[key]) for key in touched if key in existing]
        self._run(sql.rows_view(files, rewrite))
        self._run(sql.DUPLICATE_HASHES)
        self._run(sql.DUPLICATE_KEYS)
        result = MergedMonth()
        merged = sql.ALL_CANDIDATES
        if self._run("SELECT count(*) FROM duplicate_keys")[0][0]:
            self._run(sql.DUPLICATE_WINNERS)
            for seq, count in self._run(sql.DROPPED_BY_FILE):
                result.duplicates_by_file[seq] = result.duplicates_by_file.get(seq, 0) + count
            merged = sql.MERGED_DAILY
        written = self._copy_stats(merged, daily_out, ("reading_type", "date_str"))
        interval_files = []
        for row in written:
            result.dates.add(str(row[5]["date_str"]))
            if row[5]["reading_type"] == "INT":
                result.interval_dates.add(str(row[5]["date_str"]))
                interval_files.append(str(row[0]))
        if interval_files:
            self._copy(sql.AGGREGATE_DAILY, aggregate_out, ("date_str",), {"files": interval_files})
        self._run(
            "DROP TABLE duplicate_hashes; DROP TABLE duplicate_keys;"
            " DROP TABLE IF EXISTS duplicate_winners;"
            " DROP VIEW candidate_rows"
        )
        return result

    def roll_up(self, daily_aggregates: Sequence[Path], kind: str, out_dir: Path) -> int:
        """Write weekly or monthly sums of the given daily-aggregate partitions."""
        query, partitions = sql.ROLL_UPS[kind]
        return self._copy(query, out_dir, partitions, {"files": [str(p) for p in daily_aggregates]})

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

    def query(self, sql_text: str, params: Sequence[object] | None = None) -> pa.Table:
        """Run parameterised SQL; DuckDB errors become ``QueryError``."""
        try:
            relation = self.con.sql(sql_text, params=params)
            if relation is None:
                raise QueryError("the statement returns no rows; use a SELECT query")
            return relation.to_arrow_table()
        except duckdb.Error as exc:
            raise QueryError(_first_line(exc)) from exc

    def execute(self, sql_text: str, params: Sequence[object] | None = None) -> None:
        """Run a statement that returns nothing of interest."""
        try:
            self.con.execute(sql_text, params)
        except duckdb.Error as exc:
            raise QueryError(_first_line(exc)) from exc

    def close(self) -> None:
        """Close the connection."""
        self.con.close()


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]
