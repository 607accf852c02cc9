"""Read a reference file from disk: detect its table, convert its rows, or reject it whole."""

from __future__ import annotations

from pathlib import Path

from meterlake.errors import InputError, RejectedFileError
from meterlake.reference.detect import detect_layout, match_layout, unreadable_reason
from meterlake.reference.layout import Layout
from meterlake.reference.lines import Line, split_lines
from meterlake.reference.records import ReferenceRead
from meterlake.reference.rows import convert_lines
from meterlake.reference.tables import TABLE_SPECS

#: Bytes of a file's start that detection reads.
SNIFF_BYTES = 64 * 1024


def _head(path: Path) -> bytes:
    """The file's first ``SNIFF_BYTES``, cut after the last whole line when there is more."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if len(head) < SNIFF_BYTES:
        return head
    return head[: head.rfind(b"\n") + 1]


def detect_reference(path: Path) -> str | None:
    """The reference table ``path`` holds, judged from its first lines, or ``None``."""
    head = _head(path)
    if unreadable_reason(head) is not None:
        return None
    found = detect_layout(split_lines(head))
    return found.spec.name if isinstance(found, Layout) else None


def _layout(path: Path, lines: list[Line], table: str | None) -> Layout:
    if table is None:
        found = detect_layout(lines)
        if isinstance(found, str):
            raise RejectedFileError(path, found)
        return found
    spec = TABLE_SPECS[table]
    found = match_layout(spec, lines)
    if isinstance(found, str):
        raise RejectedFileError(path, f"not a {table} file ({spec.description}): {found}")
    return found


def read_reference(path: Path, table: str | None = None) -> ReferenceRead:
    """Good and bad rows of a reference file; ``table=None`` detects the table from content.

    Raises ``RejectedFileError`` when the file is empty, binary or none of the tables (or not
    ``table``), and ``InputError`` for an unknown ``table`` name.
    """
    if table is not None and table not in TABLE_SPECS:
        known = ", ".join(TABLE_SPECS)
        raise InputError(f"unknown reference table {table!r}; known: {known}")
    content = path.read_bytes()
    reason = unreadable_reason(content[:SNIFF_BYTES])
    if reason is not None:
        raise RejectedFileError(path, reason)
    lines = split_lines(content)
    layout = _layout(path, lines, table)
    return convert_lines(layout, lines[layout.header_lines :])
