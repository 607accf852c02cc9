"""A declarative description of a delimited meter-reading file, read by any engine."""

from __future__ import annotations

from dataclasses import dataclass, replace

#: Energy units a value may come in, as the factor to kWh.
UNITS = {"WH": 0.001, "KWH": 1.0, "MWH": 1000.0}


@dataclass(frozen=True)
class CsvLayout:
    """How to read one delimited layout into the canonical reading columns.

    ``columns`` names every positional column of the file; ``meter_id``, ``timestamp`` and
    ``value`` say which of them hold the reading, and ``obis_column``, ``type_column`` and
    ``error_column`` the optional per-row fields. Fields a layout lacks take the constants
    ``obis_code`` and ``reading_type`` (London rules, reference section 3.2).
    ``timestamp_format`` is a strptime pattern (``None``: ISO 8601 text).
    """

    name: str
    columns: tuple[str, ...]
    meter_id: str
    timestamp: str
    value: str
    delimiter: str = ","
    has_header: bool = True
    null_strings: tuple[str, ...] = ("Null", "")
    timestamp_format: str | None = None
    obis_column: str | None = None
    type_column: str | None = None
    error_column: str | None = None
    obis_code: str = ""
    reading_type: str = "INT"
    #: The reference generator writes error codes into the value column of ERR rows.
    value_holds_errors: bool = False
    #: The reference generator labels cumulative registers INT and interval reads AGG.
    swap_int_agg: bool = False
    #: Column naming each value's unit (Wh, kWh or MWh); else every value is in ``unit``.
    unit_column: str | None = None
    unit: str = "kWh"
    #: Zone of the file's naive timestamps (readings are stored in UTC).
    source_timezone: str = "UTC"
    #: Zone whose calendar days, weeks and months the lake uses (``date_str`` and aggregates).
    calendar_timezone: str = "UTC"

    def __post_init__(self) -> None:
        """Check that the named columns exist."""
        named = {self.meter_id, self.timestamp, self.value}
        optional = (self.obis_column, self.type_column, self.error_column, self.unit_column)
        named |= {c for c in optional if c}
        missing = named - set(self.columns)
        if missing:
            raise ValueError(f"layout {self.name}: unknown columns {sorted(missing)}")
        if self.unit.upper() not in UNITS:
            raise ValueError(f"layout {self.name}: unit {self.unit!r} is not one of Wh, kWh, MWh")

    def index(self, column: str) -> int:
        """Position of ``column`` in a row."""
        return self.columns.index(column)

    def with_file_shape(self, delimiter: str, has_header: bool) -> CsvLayout:
        """The same layout as one file spells it."""
        return replace(self, delimiter=delimiter, has_header=has_header)
