"""The Spark engine: the same pipeline SQL as DuckDB (transpiled), run by PySpark.

Raw files are read as text lines with their line numbers, split by Spark's CSV parser and typed
as the layout says; rows that do not parse are rejects with their lines, as DuckDB reports them.
The staging query and every merge query are ``meterlake.engines.duckdb_sql`` translated by
``meterlake.engines.transpile``: one definition, two engines. Spark writes into scratch folders,
repartitioned by the partition columns (one file per partition), and each file is moved to the
lake's ``part-0.parquet`` of its partition inside the run's transaction.
"""

from __future__ import annotations

import itertools
import shutil
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from meterlake.engines import duckdb_sql as sql
from meterlake.engines.base import MergeBatch, MergeResult, RawSource, Reject, StagedFile
from meterlake.engines.duckdb_engine import _link
from meterlake.engines.spark_reader import LINE, RAW, parse_lines, typed_column
from meterlake.engines.spark_session import spark_session
from meterlake.engines.transpile import to_spark
from meterlake.errors import LakeError, MissingExtraError, RejectedFileError
from meterlake.formats.layout import CsvLayout
from meterlake.lake.layout import PART_FILE, date_str

try:
    from pyspark.errors import PySparkException
    from pyspark.sql import DataFrame
    from pyspark.sql import functions as F  # noqa: N812 (Spark's own convention)
    from pyspark.sql.types import TimestampType
except ImportError as exc:  # the extra is missing: say which command installs it
    raise MissingExtraError("spark", "engine = 'spark'") from exc

DAILY_PARTITIONS = sql.DAILY_PARTITIONS
#: ``(column, value)`` of each Hive folder level of a written partition.
PartitionKey = tuple[tuple[str, str], ...]


class SparkEngine:
    """Pipeline table work on a Spark session."""

    name = "spark"
    capabilities = frozenset({"csv", "parquet", "distributed"})

    def __init__(
        self, scratch: Path, master: str = "local[*]", conf: dict[str, str] | None = None
    ) -> None:
        """Use (or start) the Spark session; ``scratch`` holds Spark's output before it moves."""
        self.spark = spark_session(master, conf)
        self.scratch = scratch
        scratch.mkdir(parents=True, exist_ok=True)
        self._ids = itertools.count()
        self._views: list[str] = []
        self._cached: list[DataFrame] = []
        self._links: list[Path] = []

    # -- staging ---------------------------------------------------------------------------

    def stage_file(
        self, source: RawSource, layout: CsvLayout, staging: Path, file_seq: int
    ) -> StagedFile:
        """Read one raw file into run-scoped staging Parquet partitioned by year and month."""
        try:
            lines = self._numbered_lines(source, layout)
            parsed = parse_lines(lines, layout).cache()  # read twice: rejects, then staged rows
            self._cached.append(parsed)
            bad = parsed.where(F.col("reason").isNotNull()).select(LINE, RAW, "reason")
            rejects = tuple(
                Reject(int(r[LINE]), str(r[RAW]), str(r["reason"]))
                for r in bad.orderBy(LINE).collect()
            )
            typed = parsed.where(F.col("reason").isNull()).select(
                *[typed_column(layout, c) for c in layout.columns]
            )
            view = self._register(typed)
            staged_df = self._sql(sql.stage_select(layout, view, file_seq))
            written = self._write(
                staged_df, staging, ("year", "month"), f"file{file_seq}_{{i}}.parquet"
            )
            staged = StagedFile(layout=layout, rejects=rejects)
            _count_staged(staged, written)
            if staged.rows and (layout.type_column or layout.unit_column):
                files = [str(p) for paths in written.values() for p in paths]
                query = sql.invalid_staged_rows(layout, files, self._view)
                staged.invalid_rows = int(self._sql(query).collect()[0][0])
        except PySparkException as exc:
            for partial in staging.glob(f"*/*/file{file_seq}_*.parquet"):
                partial.unlink()
            raise RejectedFileError(source.path, _first_line(exc)) from exc
        finally:
            self._release()
        return staged

    def _numbered_lines(self, source: RawSource, layout: CsvLayout) -> DataFrame:
        """Non-blank lines of the file with their 1-based line numbers (the header left out)."""
        # Hadoop picks codecs by name, skips names starting with "_" or "." and globs "[]{}*?":
        # Spark reads a link with a plain name.
        suffix = ".csv.gz" if source.compression == "gzip" else ".csv"
        path = self.scratch / f"source-{uuid.uuid4().hex}{suffix}"
        path.symlink_to(source.path.resolve())
        self._links.append(path)
        text = self.spark.read.text(str(path)).select(
            "value",
            F.spark_partition_id().alias("split"),
            F.monotonically_increasing_id().alias("id"),
        )
        start = F.lit(0)
        if text.rdd.getNumPartitions() > 1:  # lines before each split: one counting pass
            counts = sorted(tuple(r) for r in text.groupBy("split").count().collect())
            total = 0
            for split, count in counts:
                start = F.when(F.col("split") == split, F.lit(total)).otherwise(start)
                total += count
        first_id = F.col("split").cast("long") * F.lit(1 << 33)  # monotonically_increasing_id
        numbered: DataFrame = text.select(
            F.regexp_replace("value", "^\ufeff", "").alias(RAW),
            (start + F.col("id") - first_id + 1).alias(LINE),
        )
        numbered = numbered.where(F.col(RAW) != "")
        if layout.has_header:
            numbered = numbered.where(F.col(LINE) > 1)
        return numbered

    # -- merge -----------------------------------------------------------------------------

    def merge(self, batch: MergeBatch) -> MergeResult:
        """De-duplicate staged rows against existing partitions and write the business zone."""
        groups = [([str(p) for p in files], layout) for files, layout in batch.staged]
        try:
            return self._merge(batch, groups)
        except PySparkException as exc:
            raise LakeError(_first_line(exc)) from exc
        finally:
            self._release()

    def _merge(self, batch: MergeBatch, groups: list[tuple[list[str], CsvLayout]]) -> MergeResult:
        zone = batch.calendar_timezone
        self._sql(sql.candidates_view(groups, [], zone, self._view))
        touched = {
            (str(reading_type), date_str(day))
            for reading_type, day in self._sql(sql.TOUCHED).collect()
        }
        rewrite = sorted(key for key in touched if key in batch.existing)
        existing = [str(batch.existing[key]) for key in rewrite]
        self._sql(sql.candidates_view(groups, existing, zone, self._view))
        result = MergeResult()
        self._sql(sql.METER_DAYS)
        self._sql(sql.DIRTY_DAYS)
        if self._sql("SELECT count(*) FROM dirty_days").collect()[0][0]:
            for name in ("DIRTY_ROWS", "KEPT_ROWS"):
                self._sql(getattr(sql, name))
            if batch.conflicts_out is not None:
                conflicts = self._sql(sql.CONFLICTS)
                if not conflicts.isEmpty():
                    self._write(conflicts, batch.conflicts_out, ("date_str",))
            for seq, count in self._sql(sql.DROPPED_BY_FILE).collect():
                result.duplicates_by_file[seq] = result.duplicates_by_file.get(seq, 0) + count
            self._sql(sql.DAY_TOTALS)
            self._sql(sql.MERGED)
        else:
            self._sql(sql.ALL_CANDIDATES)
            self._sql(sql.ALL_DAY_TOTALS)
        daily = self._write(self._sql(sql.MERGED_DAILY), batch.daily_out, DAILY_PARTITIONS)
        for key, (path,) in daily.items():
            partition = (dict(key)["reading_type"], dict(key)["date_str"])
            result.dates.add(partition[1])
            if partition[0] == "INT":
                result.interval_dates.add(partition[1])
            if partition not in batch.existing:
                _link(path, batch.clean_out / _partition_path(key) / PART_FILE)
        if rewrite:
            new_rows = self._sql(sql.merged_new_rows(rewrite))
            self._write(new_rows, batch.clean_out, DAILY_PARTITIONS)
        if result.interval_dates:
            self._write(self._sql(sql.AGGREGATE_DAILY), batch.aggregate_out, ("date_str",))
        return result

    def roll_up(self, daily_aggregates: Sequence[Path], kind: str, out_dir: Path) -> int:
        """Write weekly or monthly sums of the given daily-aggregate partitions."""
        try:
            query = sql.roll_up(kind, [str(p) for p in daily_aggregates], self._view)
            written = self._write(self._sql(query), out_dir, sql.ROLL_UPS[kind][1])
        except PySparkException as exc:
            raise LakeError(_first_line(exc)) from exc
        finally:
            self._release()
        return sum(pq.read_metadata(p).num_rows for paths in written.values() for p in paths)

    # -- running and writing ---------------------------------------------------------------

    def _sql(self, statement: str) -> DataFrame:
        """Run one pipeline statement; a ``CREATE`` registers its (cached) view."""
        spark_statement = to_spark(statement)
        frame: DataFrame = self.spark.sql(spark_statement.query)
        if spark_statement.view is None:
            return frame
        if spark_statement.materialise:
            frame = frame.cache()
            self._cached.append(frame)
        frame.createOrReplaceTempView(spark_statement.view)
        self._views.append(spark_statement.view)
        return frame

    def _view(self, files: Sequence[str], partitions: tuple[str, ...]) -> str:
        """A temporary view over Parquet files; Hive partition columns come from their paths."""
        by_base: dict[str, list[str]] = {}
        for file in files:  # committed and staged partitions live under different roots
            by_base.setdefault(str(Path(file).parents[len(partitions)]), []).append(file)
        frames = [
            (self.spark.read.option("basePath", base) if partitions else self.spark.read).parquet(
                *group
            )
            for base, group in sorted(by_base.items())
        ]
        frame = frames[0]
        for other in frames[1:]:
            frame = frame.unionByName(other)
        for field in frame.schema.fields:  # DuckDB's naive TIMESTAMP arrives as TIMESTAMP_NTZ
            if field.name == "reading_date_time":
                frame = frame.withColumn(field.name, F.col(field.name).cast(TimestampType()))
        return self._register(frame)

    def _register(self, frame: DataFrame) -> str:
        name = f"meterlake_input_{next(self._ids)}"
        frame.createOrReplaceTempView(name)
        self._views.append(name)
        return name

    def _write(
        self,
        frame: DataFrame,
        out_dir: Path,
        partitions: tuple[str, ...],
        pattern: str = PART_FILE,
    ) -> dict[PartitionKey, list[Path]]:
        """Write ``frame`` partitioned, one file per partition; returns partition -> files."""
        frame = frame.select(
            *[
                F.col(f.name).cast("timestamp_ntz")
                if isinstance(f.dataType, TimestampType)
                else F.col(f.name)
                for f in frame.schema.fields
            ]
        )
        temporary = self.scratch / f"spark-{uuid.uuid4().hex}"
        try:
            frame.repartition(*partitions).write.partitionBy(*partitions).parquet(str(temporary))
            return _move_parts(temporary, out_dir, pattern)
        finally:
            shutil.rmtree(temporary, ignore_errors=True)

    def _release(self) -> None:
        for frame in self._cached:
            frame.unpersist()
        for view in self._views:
            self.spark.catalog.dropTempView(view)
        for link in self._links:
            link.unlink(missing_ok=True)
        self._cached, self._views, self._links = [], [], []

    def close(self) -> None:
        """Drop this engine's views and caches (the session stays for its owner)."""
        self._release()


def _move_parts(temporary: Path, out_dir: Path, pattern: str) -> dict[PartitionKey, list[Path]]:
    """Move what Spark wrote under ``temporary`` to ``out_dir``, named by ``pattern``."""
    written: dict[PartitionKey, list[Path]] = {}
    for part in sorted(temporary.rglob("*.parquet")):
        relative = part.parent.relative_to(temporary)
        key = tuple((name, value) for name, value in (p.split("=", 1) for p in relative.parts))
        files = written.setdefault(key, [])
        target = out_dir / relative / pattern.format(i=len(files))
        if target.exists() or (files and "{i}" not in pattern):
            raise LakeError(f"Spark wrote more than one file for partition {relative}")
        target.parent.mkdir(parents=True, exist_ok=True)
        part.replace(target)
        files.append(target)
    return written


def _partition_path(key: PartitionKey) -> Path:
    return Path(*[f"{column}={value}" for column, value in key])


def _count_staged(staged: StagedFile, written: dict[PartitionKey, list[Path]]) -> None:
    """Rows, rows without a meter id and null values, from the written files' statistics."""
    for key, paths in written.items():
        month = (int(dict(key)["year"]), int(dict(key)["month"]))
        staged.files_by_month[month] = paths
        for path in paths:
            metadata = pq.read_metadata(path)
            staged.rows += metadata.num_rows
            staged.rows_by_month[month] = staged.rows_by_month.get(month, 0) + metadata.num_rows
            staged.invalid_rows += _nulls(metadata, "meter_id")
            staged.null_values += _nulls(metadata, "reading_value")


def _nulls(metadata: Any, column: str) -> int:
    position = metadata.schema.names.index(column)
    total = 0
    for group in range(metadata.num_row_groups):
        statistics = metadata.row_group(group).column(position).statistics
        if statistics is None or not statistics.has_null_count:
            raise LakeError(f"Spark wrote no null count of {column}")
        total += statistics.null_count
    return total


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]
