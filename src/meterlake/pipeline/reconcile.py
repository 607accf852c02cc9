"""Find the rows an engine staged but the merge leaves out, so every row read is accounted for.

Engines report rows staged and rows rejected with their lines. Rows whose meter id, time or
value cannot be kept (``meterlake.formats.row_checks``), with a reading type other than INT, AGG
or ERR, or with an unknown unit parse fine but cannot be kept; when a file has any, this slow
path reads it once more in Python to find their lines and reasons.
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
from meterlake.formats.layout import CsvLayout
from meterlake.formats.row_checks import MISSING_ID, row_problem

__all__ = ["MISSING_ID", "open_text", "records", "scan_rows"]


def scan_rows(raw: RawSource, layout: CsvLayout, rejected: set[int]) -> tuple[int, list[Reject]]:
    """Count non-blank data rows and find those the merge leaves out, with reasons.

    Lines in ``rejected`` were already quarantined by the engine and are only counted.
    """
    rows = 0
    found: list[Reject] = []
    with open_text(raw) as handle:
        for line, raw_text, fields in records(handle, layout.delimiter):
            if (line == 1 and layout.has_header) or not fields:
                continue
            rows += 1
            if line not in rejected:
                reason = row_problem(layout, fields)
                if reason:
                    found.append(Reject(line, raw_text, reason))
    return rows, found


def records(handle: TextIO, delimiter: str) -> Iterator[tuple[int, str, list[str]]]:
    """(line, raw text, fields) of each CSV record; a quoted field may span lines.

    Records are numbered as DuckDB numbers its rejects: a blank line counts, a record whose
    quoted field spans lines counts once (so after one, a number is not the physical line).
    """
    buffer: list[str] = []

    def lines() -> Iterator[str]:
        for text in handle:
            buffer.append(text)
            yield text

    for number, fields in enumerate(csv.reader(lines(), delimiter=delimiter), start=1):
        raw_text = "".join(buffer).rstrip("\r\n").removeprefix("\ufeff")
        buffer.clear()
        yield number, raw_text, fields


@contextmanager
def open_text(raw: RawSource) -> Iterator[TextIO]:
    """The decoded text of a file the engine reads; bytes that are not UTF-8 become U+FFFD."""
    if raw.compression == "gzip":
        with gzip.open(raw.path, "rt", encoding="utf-8-sig", errors="replace", newline="") as f:
            yield f
    elif raw.compression == "zstd":
        with raw.path.open("rb") as packed, zstandard.ZstdDecompressor().stream_reader(packed) as s:
            yield io.TextIOWrapper(s, encoding="utf-8-sig", errors="replace", newline="")
    else:
        with raw.path.open(encoding="utf-8-sig", errors="replace", newline="") as plain:
            yield plain
