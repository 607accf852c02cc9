"""Self-describing inputs: JSON lines, Parquet, ORC and Avro, with canonical or mapped columns.

Each is turned into delimited text with its column names as the header, so the same layouts,
mappings, rejects and accounting apply as for CSV. A JSON line that does not parse is a bad
record, kept with its line number; the other formats are typed and fail whole when unreadable.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import fastavro
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.orc as paorc
import pyarrow.parquet as pq

from meterlake.engines.base import Reject
from meterlake.errors import RejectedFileError
from meterlake.formats.layout import CsvLayout

MAGIC = {b"PAR1": "parquet", b"ORC": "orc", b"Obj\x01": "avro"}
#: Canonical column names a self-describing file may use, with the reference's aliases.
ALIASES = {
    "meter_id": ("meter_id", "meterid", "lclid"),
    "timestamp": ("reading_date_time", "reading_time", "datetime", "tstp", "time"),
    "value": ("reading_value", "value", "kwh"),
    "obis_column": ("obis_code",),
    "type_column": ("reading_type",),
    "error_column": ("error_value", "error_code"),
}
_ROLE_NAMES = frozenset(name for names in ALIASES.values() for name in names)


@dataclass(frozen=True)
class Tabular:
    """A self-describing file as delimited text plus the records that could not be read."""

    text_file: Path
    kind: str
    bad_records: tuple[Reject, ...]
    #: Line of each record in the original file (JSON lines); else records are numbered 1..n.
    record_lines: tuple[int, ...] = ()

    def origin(self, text_line: int) -> int:
        """Where a line of the text file came from: its JSON line, or its record number."""
        record = text_line - 1
        return self.record_lines[record - 1] if self.record_lines else record


def tabular_kind(head: bytes) -> str | None:
    """``parquet``, ``orc``, ``avro`` or ``json`` from a file's first bytes, else ``None``."""
    for magic, kind in MAGIC.items():
        if head.startswith(magic):
            return kind
    return "json" if head.lstrip().startswith(b"{") else None


def to_text(path: Path, kind: str, target: Path) -> Tabular:
    """Write the records of ``path`` as CSV with a header line to ``target``."""
    bad: tuple[Reject, ...] = ()
    lines: tuple[int, ...] = ()
    try:
        if kind == "json":
            table, bad, lines = _json_lines(path)
        elif kind == "parquet":
            table = _flat(pq.read_table(path))
        elif kind == "orc":
            table = _flat(paorc.read_table(str(path)))
        else:
            with path.open("rb") as handle:
                table, bad, lines = _records_table(enumerate(fastavro.reader(handle), start=1))
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise RejectedFileError(path, f"unreadable {kind} file: {exc}") from exc
    target.parent.mkdir(parents=True, exist_ok=True)
    pacsv.write_csv(table, target)
    return Tabular(target, kind, bad, lines)


def _json_lines(path: Path) -> tuple[pa.Table, tuple[Reject, ...], tuple[int, ...]]:
    records: list[tuple[int, object]] = []
    bad = []
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        for line, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                records.append((line, json.loads(text)))
            except ValueError as exc:
                bad.append(Reject(line, text.rstrip("\n"), f"not a JSON object: {exc}"))
    table, unusable, lines = _records_table(records)
    return table, tuple(sorted([*bad, *unusable], key=lambda r: r.line)), lines


def _records_table(
    records: Iterable[tuple[int, object]],
) -> tuple[pa.Table, tuple[Reject, ...], tuple[int, ...]]:
    """Records as a table of text columns, so that a column may mix numbers, text and nulls.

    A record whose meter id, time or value (any name in ``ALIASES``) holds a list or an object
    is a bad record; lists and objects elsewhere are kept as JSON text.
    """
    rows, bad, lines = [], [], []
    for line, record in records:
        if not isinstance(record, dict):
            bad.append(Reject(line, _json_text(record), "not a JSON object"))
            continue
        nested = [str(k) for k, v in record.items() if isinstance(v, (list, dict)) and _role(k)]
        if nested:
            reason = f"field {nested[0]!r} holds a list or an object, not a value"
            bad.append(Reject(line, _json_text(record), reason))
            continue
        rows.append({str(name): _text(value) for name, value in record.items()})
        lines.append(line)
    if not rows:
        raise ValueError("no JSON records" if not bad else f"no usable records ({bad[0].reason})")
    names = dict.fromkeys(name for row in rows for name in row)
    if not names:
        raise ValueError("no record has a field")
    columns = {name: pa.array([row.get(name) for row in rows], pa.string()) for name in names}
    return pa.table(columns), tuple(bad), tuple(lines)


def _role(name: object) -> bool:
    return str(name).strip().lower() in _ROLE_NAMES


def _text(value: object) -> str | None:
    """A record's value as the CSV text the layouts read."""
    if value is None:
        return None
    if isinstance(value, str):
        return _one_line(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(sep=" ")
    return _one_line(_json_text(value))


def _one_line(text: str) -> str:
    """Text without line breaks (as U+FFFD, which no id, time or value may hold).

    One CSV line per record, so that the lines of the text file map back to records.
    """
    return text.replace("\r", "\ufffd").replace("\n", "\ufffd")


def _json_text(value: object) -> str:
    return json.dumps(value, default=str, ensure_ascii=False)


def _flat(table: pa.Table) -> pa.Table:
    """A typed table whose nested or binary columns are JSON text (CSV cannot hold them).

    Text loses its line breaks (``_one_line``).
    """
    for index, original in enumerate(table.columns):
        column, kind = original, original.type
        if pa.types.is_nested(kind) or pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
            texts = [None if v is None else _json_text(v) for v in column.to_pylist()]
            column = pa.chunked_array([pa.array(texts, pa.string())])
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            column = pc.replace_substring_regex(column, "[\r\n]", "\ufffd")
            table = table.set_column(index, table.field(index).name, column)
    return table


def canonical_layout(kind: str, header: list[str]) -> CsvLayout | str:
    """A layout for a file whose columns use the canonical names, or why it has none."""
    lowered = [name.strip().lower() for name in header]
    found = {
        role: next((header[lowered.index(a)] for a in names if a in lowered), None)
        for role, names in ALIASES.items()
    }
    missing = [role for role in ("meter_id", "timestamp", "value") if found[role] is None]
    if missing:
        return f"{kind} columns {header} lack {missing} (or use a column mapping)"
    return CsvLayout(
        name=kind,
        columns=tuple(header),
        null_strings=("",),
        **{role: column for role, column in found.items() if column},  # type: ignore[arg-type]
    )
