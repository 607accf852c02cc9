"""Pick a layout from a file's content (never its name), or reject the file whole."""

from __future__ import annotations

import csv
from pathlib import Path

from meterlake.errors import RejectedFileError
from meterlake.formats.layout import CsvLayout
from meterlake.formats.london import match_london

SNIFF_BYTES = 64 * 1024
LAYOUTS = {"london": "LCL 6-column header", "london_kaggle": "Kaggle 3-column header"}


def sniff_layout(path: Path) -> CsvLayout:
    """Return the layout of ``path`` or raise ``RejectedFileError`` saying what was tried."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if not head.strip():
        raise RejectedFileError(path, "empty file")
    if b"\x00" in head:
        raise RejectedFileError(path, "binary content (NUL bytes), not a delimited text file")
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if len(head) < SNIFF_BYTES or exc.start < len(head) - 4:
            raise RejectedFileError(path, "not UTF-8 text") from exc
        text = head[: exc.start].decode("utf-8-sig")
    first_line = text.splitlines()[0]
    header = next(csv.reader([first_line]))
    layout = match_london(header)
    if layout is None:
        tried = ", ".join(f"{name} ({what})" for name, what in LAYOUTS.items())
        raise RejectedFileError(path, f"unknown header {first_line[:120]!r}; tried {tried}")
    return layout
