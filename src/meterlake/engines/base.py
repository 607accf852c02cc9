"""The narrow engine protocol: the handful of table operations the pipeline needs.

Paths are folders of Hive-partitioned Parquet laid out by ``meterlake.lake.layout``; the pipeline
decides *which* files and partitions, the engine does the reading, de-duplication and writing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pyarrow as pa

from meterlake.formats.layout import CsvLayout


@dataclass(frozen=True)
class Reject:
    """A raw row that could not be read, with its 1-based line in the file."""

    line: int
    raw: str
    reason: str


@dataclass(frozen=True)
class StagedFile:
    """What reading one raw file into the clean zone produced."""

    rows_clean: int
    null_values: int
    rejects: tuple[Reject, ...]
    rows_by_month: dict[tuple[int, int], int]


@dataclass
class MergedMonth:
    """What merging a batch of months of new clean rows into the business zone produced."""

    duplicates_by_file: dict[int, int] = field(default_factory=dict)
    dates: set[str] = field(default_factory=set)
    interval_dates: set[str] = field(default_factory=set)


class Engine(Protocol):
    """Table operations of the ingest pipeline, plus SQL over the lake."""

    name: str
    capabilities: frozenset[str]

    def stage_file(
        self, source: Path, layout: CsvLayout, clean_dir: Path, file_seq: int
    ) -> StagedFile:
        """Parse ``source`` into canonical rows under ``clean_dir`` (partitioned by year/month)."""
        ...

    def merge_months(
        self,
        new_files: Sequence[Path],
        existing: Mapping[tuple[str, str], Path],
        daily_out: Path,
        aggregate_out: Path,
    ) -> MergedMonth:
        """De-duplicate new rows against existing partitions; write daily + aggregated_daily.

        ``existing`` maps every committed ``(reading_type, date_str)`` partition of the months to
        its file; only those the new rows touch are read and rewritten.
        """
        ...

    def roll_up(self, daily_aggregates: Sequence[Path], kind: str, out_dir: Path) -> int:
        """Write ``aggregated_weekly`` or ``aggregated_monthly`` partitions from daily sums."""
        ...

    def execute(self, sql: str, params: Sequence[object] | None = None) -> None:
        """Run a statement (view definitions and the like)."""
        ...

    def query(self, sql: str, params: Sequence[object] | None = None) -> pa.Table:
        """Run parameterised SQL over the lake's views."""
        ...

    def close(self) -> None:
        """Release the engine's resources."""
        ...
