"""A declarative description of a delimited meter-reading file, read by any engine."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CsvLayout:
    """How to read one delimited layout into the canonical reading columns.

    ``columns`` names every positional column of the file; ``meter_id``, ``timestamp`` and
    ``value`` say which of them hold the reading. Columns the layout lacks take the constants
    ``obis_code`` and ``reading_type`` (London rules, reference section 3.2).
    """

    name: str
    columns: tuple[str, ...]
    meter_id: str
    timestamp: str
    value: str
    delimiter: str = ","
    has_header: bool = True
    null_strings: tuple[str, ...] = ("Null", "")
    obis_code: str = ""
    reading_type: str = "INT"

    def __post_init__(self) -> None:
        """Check that the named columns exist."""
        missing = {self.meter_id, self.timestamp, self.value} - set(self.columns)
        if missing:
            raise ValueError(f"layout {self.name}: unknown columns {sorted(missing)}")

    def index(self, column: str) -> int:
        """Position of ``column`` in a row."""
        return self.columns.index(column)
