"""User column mappings for other CSV exports (the reference FAQ's "adapt the first ETL step").

A mapping names which source columns hold the meter id, the time (and its format), the value and,
optionally, the OBIS code, reading type and error code; everything downstream is unchanged.
"""

from __future__ import annotations

import csv

from pydantic import BaseModel, ConfigDict

from meterlake.formats.layout import CsvLayout


class ColumnMapping(BaseModel):
    """How one export's columns map to the canonical reading (``meterlake.toml`` ``[mappings.X]``).

    Values are converted to kWh from the ``unit`` column's Wh, kWh or MWh, or from
    ``default_unit`` when the export has no unit column.

    Columns are named by their header text, or as ``col0``, ``col1``... when ``header`` is false.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    delimiter: str = ","
    header: bool = True
    meter_id: str
    time: str
    value: str
    time_format: str | None = None
    obis: str | None = None
    reading_type: str | None = None
    error: str | None = None
    unit: str | None = None
    default_unit: str = "kWh"
    obis_code: str = ""
    default_reading_type: str = "INT"


def mapping_layout(name: str, mapping: ColumnMapping, first_line: str) -> CsvLayout | str:
    """The layout of a file under ``mapping``, or why the file does not fit it."""
    fields = next(csv.reader([first_line], delimiter=mapping.delimiter), [])
    names = (
        [f.strip() for f in fields] if mapping.header else [f"col{i}" for i in range(len(fields))]
    )
    wanted = {
        "meter_id": mapping.meter_id,
        "timestamp": mapping.time,
        "value": mapping.value,
        "obis_column": mapping.obis,
        "type_column": mapping.reading_type,
        "error_column": mapping.error,
        "unit_column": mapping.unit,
    }
    missing = [column for column in wanted.values() if column and column not in names]
    if missing:
        return f"mapping {name}: columns {missing} not in {names}"
    position = {column: f"c{names.index(column)}" for column in wanted.values() if column}
    return CsvLayout(
        name=f"mapping:{name}",
        columns=tuple(f"c{i}" for i in range(len(names))),
        delimiter=mapping.delimiter,
        has_header=mapping.header,
        null_strings=("",),
        timestamp_format=mapping.time_format,
        obis_code=mapping.obis_code,
        reading_type=mapping.default_reading_type,
        unit=mapping.default_unit,
        **{field: position[column] for field, column in wanted.items() if column},  # type: ignore[arg-type]
    )
