"""Find the rows an engine staged but the merge leaves out, so every row read is accounted for.

Engines report rows staged and rows rejected with their lines. Rows without a meter id, with a
reading type other than INT, AGG or ERR, or with an unknown unit parse fine but cannot be
kept; when a file has any, this slow path reads it once more in Python to find their lines.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

import zstandard

from meterlake.engines.base import RawSource, Reject
from meterlake.formats.layout import UNITS, CsvLayout

MISSING_ID = "missing meter id"
VALID_TYPES = ("INT", "AGG", "ERR")


def scan_rows(raw: RawSource, layout: CsvLayout, rejected: set[int]) -> tuple[int, list[Reject]]:
    """Count non-blank data rows and find those the merge leaves out, with reasons.

    Lines in ``rejected`` were already quarantined by the engine and are only counted.
    """
    rows = 0
    found: list[Reject] = []
    with _text(raw) as handle:
        for line, text in enumerate(handle, start=1):
            raw_line = text.rstrip("\r\n")
            if (line == 1 and layout.has_header) or not raw_line:
                continue
            rows += 1
            if line not in rejected:
                reason = _invalid(layout, next(csv.reader([raw_line], delimiter=layout.delimiter)))
                if reason:
                    found.append(Reject(line, raw_line, reason))
    return rows, found


def _invalid(layout: CsvLayout, fields: list[str]) -> str | None:
    if len(fields) != len(layout.columns):
        return None
    if fields[layout.index(layout.meter_id)] == "":
        return MISSING_ID
    if layout.type_column:
        kind = fields[layout.index(layout.type_column)].strip().upper()
        if kind not in VALID_TYPES:
            return f"unknown reading type {kind!r} (expected INT, AGG or ERR)"
    if layout.unit_column:
        unit = fields[layout.index(layout.unit_column)].strip()
        if unit.upper() not in UNITS:
            return f"unknown unit {unit!r} (expected Wh, kWh or MWh)"
    return None


@contextmanager
def _text(raw: RawSource) -> Iterator[TextIO]:
    if raw.compression == "gzip":
        with gzip.open(raw.path, "rt", encoding="utf-8-sig", errors="replace", newline="") as f:
            yield f
    elif raw.compression == "zstd":
        with raw.path.open("rb") as packed, zstandard.ZstdDecompressor().stream_reader(packed) as s:
            yield io.TextIOWrapper(s, encoding="utf-8-sig", errors="replace", newline="")
    else:
        with raw.path.open(encoding="utf-8-sig", errors="replace", newline="") as plain:
            yield plain
