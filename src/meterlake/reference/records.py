"""What reading a reference file yields: the good rows as Arrow, and every bad row with a reason."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa


@dataclass(frozen=True)
class BadRow:
    """A line of the file that did not become a row."""

    line: int  # 1-based line in the file
    raw: str
    reason: str


@dataclass(frozen=True)
class ReferenceRead:
    """The rows of one reference file; ``rows_read == rows.num_rows + len(bad)``."""

    table: str
    rows: pa.Table
    bad: tuple[BadRow, ...]
    rows_read: int

    def __post_init__(self) -> None:
        """Check the row accounting."""
        if self.rows_read != self.rows.num_rows + len(self.bad):
            raise ValueError(
                f"{self.table}: rows_read {self.rows_read} != "
                f"{self.rows.num_rows} good + {len(self.bad)} bad"
            )
