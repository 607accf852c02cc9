"""Pick a layout from a file's content (never its name), or reject the file whole."""

from __future__ import annotations

import codecs
import csv
from pathlib import Path

from meterlake.errors import RejectedFileError
from meterlake.formats.layout import CsvLayout
from meterlake.formats.london import match_london
from meterlake.formats.mdm import match_mdm

SNIFF_BYTES = 64 * 1024
SNIFF_LINES = 20


def sniff_layout(path: Path, head: bytes | None = None) -> CsvLayout:
    """Return the layout of ``path`` or raise ``RejectedFileError`` saying what was tried.

    ``head`` is the start of the (decompressed) content when the caller has it already.
    """
    lines = _head_lines(path, head if head is not None else _read_head(path))
    header = next(csv.reader([lines[0]]))
    layout = match_london(header)
    if layout is not None:
        return layout
    layout, why_not_mdm = match_mdm(lines)
    if layout is not None:
        return layout
    tried = (
        f"london (LCL 6-column or Kaggle 3-column header; found {lines[0][:80]!r}),"
        f" mdm ({why_not_mdm}), mrasco (no ZHV header naming a D-flow),"
        " weather/geodata/full_geo/cis/households (no matching header or rows),"
        " json/parquet/orc/avro (no JSON object or file signature)"
    )
    raise RejectedFileError(path, f"unknown layout; tried {tried}")


def _read_head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(SNIFF_BYTES)


def _head_lines(path: Path, head: bytes) -> list[str]:
    if not head.strip():
        raise RejectedFileError(path, "empty file")
    if b"\x00" in head:
        raise RejectedFileError(path, "binary content (NUL bytes), not a delimited text file")
    body = head.removeprefix(codecs.BOM_UTF8)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Bytes that are not UTF-8 after the first line cost their rows (the engine rejects
        # them), not the file; a first line that is not text says the file is not one.
        ends = [i for i in (body.find(b"\n"), body.find(b"\r")) if i >= 0]
        cut_short = len(head) >= SNIFF_BYTES and exc.start >= len(body) - 4
        if not ((ends and min(ends) < exc.start) or cut_short):
            raise RejectedFileError(path, "not UTF-8 text") from exc
        text = body.decode("utf-8", errors="replace")
    lines = [line for line in text.splitlines() if line.strip()]
    if len(head) >= SNIFF_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut short
    return lines[:SNIFF_LINES]
