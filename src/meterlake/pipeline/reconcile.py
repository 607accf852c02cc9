"""Find the rows an engine silently left out, so that every row read is accounted for.

Engines report rows written and rows rejected. When their sum is below the file's line count,
this slow path reads the file once more in Python to find the missing rows (rows without a meter
id) with their line numbers. It runs only for files that need it.
"""

from __future__ import annotations

import csv
from pathlib import Path

from meterlake.engines.base import Reject
from meterlake.formats.layout import CsvLayout

MISSING_ID = "missing meter id"


def scan_rows(path: Path, layout: CsvLayout, rejected: set[int]) -> tuple[int, list[Reject]]:
    """Count non-blank data rows and find those with an empty meter id.

    Lines in ``rejected`` were already quarantined by the engine and are only counted.
    """
    rows = 0
    found: list[Reject] = []
    position = layout.index(layout.meter_id)
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        for line, text in enumerate(handle, start=1):
            if line == 1 and layout.has_header:
                continue
            raw = text.rstrip("\r\n")
            if not raw:
                continue
            rows += 1
            if line in rejected:
                continue
            fields = next(csv.reader([raw], delimiter=layout.delimiter), [])
            if len(fields) == len(layout.columns) and not fields[position].strip():
                found.append(Reject(line, raw, MISSING_ID))
    return rows, found
