"""The narrow engine protocol: the handful of table operations the pipeline needs.

Paths are folders of Hive-partitioned Parquet laid out by ``meterlake.lake.layout``; the pipeline
decides *which* files and partitions, the engine does the reading, de-duplication and writing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from meterlake.formats.layout import CsvLayout


@dataclass(frozen=True)
class Reject:
    """A raw row that could not be read, with its 1-based line in the file."""

    line: int
    raw: str
    reason: str


@dataclass(frozen=True)
class RawSource:
    """A raw file as an engine reads it: a path and its compression (by content, not name)."""

    path: Path
    compression: str = "none"


@dataclass
class StagedFile:
    """What reading one raw file into the run's staging area produced."""

    layout: CsvLayout
    rejects: tuple[Reject, ...] = ()
    rows: int = 0
    #: Rows staged that the merge leaves out: no meter id, or an unknown reading type.
    invalid_rows: int = 0
    null_values: int = 0
    rows_by_month: dict[tuple[int, int], int] = field(default_factory=dict)
    files_by_month: dict[tuple[int, int], list[Path]] = field(default_factory=dict)


@dataclass(frozen=True)
class MergeBatch:
    """Consecutive months of staged rows to merge into the lake in one pass.

    ``staged`` groups staging files by the layout that wrote them (its constants fill the
    columns the files leave out); ``existing`` maps every committed ``(reading_type, date_str)``
    partition of the months to its file, of which only the touched ones are read and rewritten.
    """

    staged: list[tuple[list[Path], CsvLayout]]
    existing: Mapping[tuple[str, str], Path]
    daily_out: Path
    aggregate_out: Path
    clean_out: Path
    calendar_timezone: str = "UTC"
    #: Where duplicates whose value differs from the kept row go (partitioned by ``date_str``).
    conflicts_out: Path | None = None


@dataclass
class MergeResult:
    """What merging one batch of months into the business zone produced."""

    duplicates_by_file: dict[int, int] = field(default_factory=dict)
    dates: set[str] = field(default_factory=set)
    interval_dates: set[str] = field(default_factory=set)


class Engine(Protocol):
    """Table operations of the ingest pipeline."""

    name: str
    capabilities: frozenset[str]

    def stage_file(
        self, source: RawSource, layout: CsvLayout, staging: Path, file_seq: int
    ) -> StagedFile:
        """Parse ``source`` into run-scoped staging files partitioned by year/month."""
        ...

    def merge(self, batch: MergeBatch) -> MergeResult:
        """De-duplicate staged rows against existing partitions; write daily, clean, aggregates."""
        ...

    def roll_up(self, daily_aggregates: Sequence[Path], kind: str, out_dir: Path) -> int:
        """Write ``aggregated_weekly`` or ``aggregated_monthly`` partitions from daily sums."""
        ...

    def close(self) -> None:
        """Release the engine's resources."""
        ...
