"""Which reference table a file holds, judged from its first lines (never its name)."""

from __future__ import annotations

import csv
from collections.abc import Sequence

from meterlake.reference.layout import Layout, header_layout, positional_layout
from meterlake.reference.lines import Line, split_fields
from meterlake.reference.rows import convert_line
from meterlake.reference.tables import TABLE_SPECS, TableSpec

#: Lines of a header-less file that detection looks at; most must be good rows.
SAMPLE_LINES = 5


def unreadable_reason(head: bytes) -> str | None:
    """Why the start of a file cannot be a delimited text file at all, or ``None``."""
    if not head.strip():
        return "empty file"
    if b"\x00" in head:
        return "binary content (NUL bytes), not a delimited text file"
    return None


def _match_header(spec: TableSpec, first: Line) -> Layout | str:
    if first.error is not None:
        return f"line {first.number}: {first.error}"
    try:
        header = split_fields(first.text, spec.delimiter)
    except csv.Error as exc:
        return f"line {first.number}: malformed header: {exc}"
    return header_layout(spec, header)


def _match_rows(spec: TableSpec, sample: Sequence[Line]) -> Layout | str:
    layout = positional_layout(spec)
    failures = [
        (line.number, reason)
        for line in sample
        if isinstance(reason := convert_line(layout, line), str)
    ]
    first_is_good = not failures or failures[0][0] != sample[0].number
    if first_is_good and len(failures) * 2 < len(sample):
        return layout
    number, reason = failures[0]
    return f"{len(failures)} of the first {len(sample)} lines are bad (line {number}: {reason})"


def match_layout(spec: TableSpec, lines: Sequence[Line]) -> Layout | str:
    """``spec``'s layout in a file whose non-blank lines start with ``lines``, or why not."""
    if not lines:
        return "no lines"
    if spec.has_header:
        return _match_header(spec, lines[0])
    return _match_rows(spec, lines[:SAMPLE_LINES])


def detect_layout(lines: Sequence[Line]) -> Layout | str:
    """The first table whose layout matches ``lines``, or what was tried and why each failed."""
    reasons = []
    for spec in TABLE_SPECS.values():
        found = match_layout(spec, lines)
        if isinstance(found, Layout):
            return found
        reasons.append(f"{spec.name} ({spec.description}): {found}")
    return "unknown layout; tried " + "; ".join(reasons)
