"""Self-describing inputs: JSON lines, Parquet, ORC and Avro, with canonical or mapped columns.

Each is turned into delimited text with its column names as the header, so the same layouts,
mappings, rejects and accounting apply as for CSV. A JSON line that does not parse is a bad
record, kept with its line number; the other formats are typed and fail whole when unreadable.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import fastavro
import pyarrow as pa
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
            table = pq.read_table(path)
        elif kind == "orc":
            table = paorc.read_table(str(path))
        else:
            with path.open("rb") as handle:
                table = pa.Table.from_pylist(list(fastavro.reader(handle)))
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise RejectedFileError(path, f"unreadable {kind} file: {exc}") from exc
    target.parent.mkdir(parents=True, exist_ok=True)
    pacsv.write_csv(table, target)
    return Tabular(target, kind, bad, lines)


def _json_lines(path: Path) -> tuple[pa.Table, tuple[Reject, ...], tuple[int, ...]]:
    records, bad, lines = [], [], []
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        for line, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                record = json.loads(text)
            except ValueError as exc:
                bad.append(Reject(line, text.rstrip("\n"), f"not a JSON object: {exc}"))
                continue
            if isinstance(record, dict):
                records.append(record)
                lines.append(line)
            else:
                bad.append(Reject(line, text.rstrip("\n"), "not a JSON object"))
    if not records:
        raise ValueError("no JSON records")
    names = dict.fromkeys(name for record in records for name in record)
    columns = {name: [record.get(name) for record in records] for name in names}
    return pa.table(columns), tuple(bad), tuple(lines)


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
