"""Lines of a reference file -> its good rows as an Arrow table, plus each bad row with a reason."""

from __future__ import annotations

import csv
from collections.abc import Sequence

import pyarrow as pa

from meterlake.reference.fields import FieldError, Value, parse_field
from meterlake.reference.layout import Layout
from meterlake.reference.lines import Line, split_fields
from meterlake.reference.records import BadRow, ReferenceRead
from meterlake.reference.tables import TableSpec


def _values(layout: Layout, fields: list[str]) -> list[Value]:
    """The row's values in column order; raises ``FieldError`` naming every bad field."""
    values: list[Value] = []
    problems: list[str] = []
    for column, position in zip(layout.spec.columns, layout.positions, strict=True):
        try:
            values.append(parse_field(column, fields[position]))
        except FieldError as exc:
            problems.append(f"field {column.name!r}: {exc}")
    if problems:
        raise FieldError("; ".join(problems))
    return values


def convert_line(layout: Layout, line: Line) -> list[Value] | str:
    """The values of one line in column order, or the reason it is a bad row."""
    if line.error is not None:
        return line.error
    try:
        fields = split_fields(line.text, layout.spec.delimiter)
    except csv.Error as exc:
        return f"malformed CSV: {exc}"
    if len(fields) != layout.field_count:
        return f"expected {layout.field_count} fields, got {len(fields)}"
    try:
        return _values(layout, fields)
    except FieldError as exc:
        return str(exc)


def _table(spec: TableSpec, columns: list[list[Value]]) -> pa.Table:
    schema = spec.schema
    arrays = [
        pa.array(values, type=field.type) for values, field in zip(columns, schema, strict=True)
    ]
    return pa.Table.from_arrays(arrays, schema=schema)


def convert_lines(layout: Layout, lines: Sequence[Line]) -> ReferenceRead:
    """Every data line of a file (header lines already removed) as good rows or bad rows."""
    columns: list[list[Value]] = [[] for _ in layout.spec.columns]
    bad: list[BadRow] = []
    for line in lines:
        converted = convert_line(layout, line)
        if isinstance(converted, str):
            bad.append(BadRow(line.number, line.text, converted))
            continue
        for values, value in zip(columns, converted, strict=True):
            values.append(value)
    rows = _table(layout.spec, columns)
    return ReferenceRead(layout.spec.name, rows, tuple(bad), rows_read=len(lines))
