"""Typed outcomes of an ingest run, serialised into the run record."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

FileStatus = Literal["ingested", "skipped", "rejected"]


@dataclass
class FileOutcome:
    """What happened to one raw file.

    For an ingested file ``rows_read == rows_clean + duplicates + quarantined``.
    """

    file: str
    status: FileStatus
    reader: str = ""
    sha: str = ""
    size: int = 0
    rows_read: int = 0
    rows_clean: int = 0
    duplicates: int = 0
    quarantined: int = 0
    null_values: int = 0
    reason: str = ""

    @property
    def balanced(self) -> bool:
        """The nothing-is-lost invariant."""
        return self.rows_read == self.rows_clean + self.duplicates + self.quarantined


@dataclass
class RunReport:
    """The record of one ingest run."""

    run_id: str
    started: str
    first_run: bool
    engine: str
    schema_version: int
    finished: str = ""
    files: list[FileOutcome] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def total(self, name: str) -> int:
        """Sum of one counter over the ingested files."""
        return sum(int(getattr(f, name)) for f in self.files if f.status == "ingested")

    def to_json(self) -> dict[str, Any]:
        """The run record as stored."""
        record = asdict(self)
        record["totals"] = {
            name: self.total(name)
            for name in ("rows_read", "rows_clean", "duplicates", "quarantined", "null_values")
        }
        record["counts"] = {
            status: sum(f.status == status for f in self.files)
            for status in ("ingested", "skipped", "rejected")
        }
        return record
