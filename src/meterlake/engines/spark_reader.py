"""How the Spark engine reads a raw file's lines into a ``CsvLayout``'s typed columns.

The DuckDB engine's ``read_csv`` call, in Spark: each line is split by Spark's CSV parser into
text fields (``from_csv``, permissive, so that a line with too few or too many fields is flagged
instead of failing the file), the layout's null strings become NULL, and the time and value
fields are typed with ``try_cast`` or the layout's time pattern. A row that does not fit, or
whose time or value does not convert, gets a reason and becomes a reject with its line.
"""

from __future__ import annotations

import re
from typing import Any

from meterlake.engines import duckdb_sql as sql
from meterlake.errors import LakeError, MissingExtraError
from meterlake.formats.layout import CsvLayout
from meterlake.formats.mdm import FIXED_WIDTH_TIMES

try:
    from pyspark.sql import DataFrame
    from pyspark.sql import functions as F  # noqa: N812 (Spark's own convention)
except ImportError as exc:  # the extra is missing: say which command installs it
    raise MissingExtraError("spark", "engine = 'spark'") from exc

BAD = "_meterlake_bad_row"
LINE = "_meterlake_line"
RAW = "_meterlake_raw"


def parse_lines(lines: DataFrame, layout: CsvLayout) -> DataFrame:
    """Split lines into the layout's text columns; a reason for rows that do not fit."""
    schema = ", ".join(f"`{c}` STRING" for c in [*_positional(layout), BAD])
    options = {
        "sep": layout.delimiter,
        "quote": '"',
        "escape": '"',
        "mode": "PERMISSIVE",
        "columnNameOfCorruptRecord": BAD,
    }
    fields = F.from_csv(F.col(RAW), schema, options).alias("row")
    split = lines.select(LINE, RAW, fields)
    nulls = list(layout.null_strings)
    columns = [
        F.when(F.col(f"row.`{name}`").isin(nulls), F.lit(None))
        .otherwise(F.col(f"row.`{name}`"))
        .alias(name)
        for name in _positional(layout)
    ]
    return split.select(LINE, RAW, *columns, F.col(f"row.`{BAD}`").alias(BAD)).withColumn(
        "reason", _reason(layout)
    )


def _positional(layout: CsvLayout) -> list[str]:
    return [f"c{i}" for i in range(len(layout.columns))]


def _reason(layout: CsvLayout) -> Any:
    """Why a row is rejected (NULL when it is not): shape, then the timestamp, then the value."""
    reason = F.when(
        F.col(BAD).isNotNull(),
        F.lit(f"row does not have {len(layout.columns)} fields separated by {layout.delimiter!r}"),
    )
    checks = [(layout.timestamp, _timestamp(layout, _column_of(layout, layout.timestamp)))]
    if not layout.value_holds_errors:
        value = _column_of(layout, layout.value)
        checks.append((layout.value, F.expr(f"try_cast({value} AS DOUBLE)")))
    for name, converted in checks:
        raw = F.col(_column_of(layout, name))
        kind = "TIMESTAMP" if name == layout.timestamp else "DOUBLE"
        message = F.format_string(f"CAST: could not convert %s in column {name} to {kind}", raw)
        reason = reason.when(raw.isNotNull() & converted.isNull(), message)
    return reason


def _column_of(layout: CsvLayout, name: str) -> str:
    return f"c{layout.index(name)}"


def _timestamp(layout: CsvLayout, column: str) -> Any:
    if layout.timestamp_format in FIXED_WIDTH_TIMES:  # exactly its width, as DuckDB reads it
        return F.expr(_strptime(f"trim({column})", layout.timestamp_format, _FIXED))
    if layout.timestamp_format:
        return F.expr(_strptime(column, layout.timestamp_format))
    return F.expr(f"try_cast({column} AS TIMESTAMP)")


def typed_column(layout: CsvLayout, name: str) -> Any:
    column = _column_of(layout, name)
    if name == layout.timestamp:
        return _timestamp(layout, column).alias(name)
    if name == layout.value and not layout.value_holds_errors:
        return F.expr(f"try_cast({column} AS DOUBLE)").alias(name)
    return F.col(column).alias(name)


_FIELDS = {"%Y": r"(\d{4})", "%m": r"(\d{1,2})", "%d": r"(\d{1,2})"}
_FIELDS |= {"%H": r"(\d{1,2})", "%M": r"(\d{1,2})", "%S": r"(\d{1,2})"}
_ORDER = ("%Y", "%m", "%d", "%H", "%M", "%S")
#: Field widths of the digit-only patterns (``FIXED_WIDTH_TIMES``).
_FIXED = {"%Y": r"(\d{4})"} | dict.fromkeys(_ORDER[1:], r"(\d{2})")


def _strptime(column: str, strptime: str, fields: dict[str, str] = _FIELDS) -> str:
    """DuckDB's ``try_strptime(column, pattern)`` as Spark SQL, for the patterns of the formats.

    Spark's own patterns cannot hold the literal ``24`` of ``yyyyMMddHH24mmss``, so the text is
    matched with a regular expression and the fields are put together with
    ``try_make_timestamp`` (an impossible date is NULL, as in DuckDB).
    """
    regex, rest = "", strptime
    found: list[str] = []
    while rest:
        if rest[:2] in fields:
            found.append(rest[:2])
            regex, rest = regex + fields[rest[:2]], rest[2:]
        elif rest[0] == "%":
            raise LakeError(f"timestamp format {strptime!r}: {rest[:2]} is not supported by Spark")
        else:
            regex, rest = regex + re.escape(rest[0]), rest[1:]
    missing = [field for field in _ORDER[:3] if field not in found]
    if missing:
        raise LakeError(f"timestamp format {strptime!r} lacks {', '.join(missing)}")
    pattern = sql.quote_literal(f"^{regex}$").replace("\\", "\\\\")
    parts = [
        f"int(regexp_extract({column}, {pattern}, {found.index(f) + 1}))" if f in found else "0"
        for f in _ORDER
    ]
    return f"CASE WHEN {column} RLIKE {pattern} THEN try_make_timestamp({', '.join(parts)}) END"
