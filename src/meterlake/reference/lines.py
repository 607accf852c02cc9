"""A file's bytes -> numbered text lines, and one line -> its delimited fields."""

from __future__ import annotations

import csv
from dataclasses import dataclass

UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Line:
    """One non-blank line: its 1-based number, its text, and why it is unreadable (if it is)."""

    number: int
    text: str
    error: str | None = None


def _decode(number: int, raw: bytes) -> Line:
    try:
        return Line(number, raw.decode("utf-8"))
    except UnicodeDecodeError:
        return Line(number, raw.decode("utf-8", errors="replace"), "not UTF-8 text")


def split_lines(content: bytes) -> list[Line]:
    """The non-blank lines of ``content`` (LF or CRLF line ends, a leading BOM dropped)."""
    content = content.removeprefix(UTF8_BOM)
    lines = []
    for index, raw in enumerate(content.split(b"\n")):
        if raw.strip():
            lines.append(_decode(index + 1, raw.removesuffix(b"\r")))
    return lines


def split_fields(text: str, delimiter: str) -> list[str]:
    """The fields of one line (quotes honoured); raises ``csv.Error`` on malformed quoting."""
    return next(csv.reader((text,), delimiter=delimiter, strict=True))
