"""Why a parsed row cannot be kept, in Python: the rules the engines apply in SQL.

The engines stage such rows with a NULL meter id (so that they are counted) and the merge
leaves them out; only their count comes back. ``row_problem`` names the reason for one row so
that the slow path (``meterlake.pipeline.reconcile``) can quarantine it by line. The two
definitions must agree: a disagreement is an ``AccountingError``, never a lost row.

Judgement calls, as a utility's data engineer expects them:

- blanks around a meter id are trimmed; an empty id, one with control characters or bytes that
  were not UTF-8, or one longer than ``MAX_ID_LENGTH`` is quarantined;
- a value of NaN, infinity, or beyond ``MAX_KWH`` kWh is quarantined (a missing value is
  written ``Null`` or left empty, and is kept as missing);
- an empty time, a digit-only time of the wrong width or an impossible date, and a time outside
  years 1 to 9999 are quarantined.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import datetime

from meterlake.formats.layout import UNITS, CsvLayout
from meterlake.formats.mdm import FIXED_WIDTH_TIMES

MISSING_ID = "missing meter id"
MISSING_TIME = "missing reading time"
VALID_TYPES = ("INT", "AGG", "ERR")
MAX_ID_LENGTH = 64
MAX_KWH = 1e12
#: Field slices of each digit-only pattern: year, month, day, hour, minute, second.
_DIGIT_FIELDS = {
    "%Y%m%d%H24%M%S": ((0, 4), (4, 6), (6, 8), (8, 10), (12, 14), (14, 16)),
    "%Y%m%d%H%M%S": ((0, 4), (4, 6), (6, 8), (8, 10), (10, 12), (12, 14)),
}
_ISO_YEAR = re.compile(r"\s*([+-]?\d+)-")


#: What ``clean_meter_id`` trims: ASCII white space and the Unicode space separators.
ID_BLANKS = " \t\n\r\f\v" + "".join(
    c for c in map(chr, range(0x10000)) if unicodedata.category(c) in {"Zs", "Zl", "Zp"}
)


def clean_meter_id(text: str) -> str:
    """A meter id without the blanks around it (spaces, tabs, no-break spaces...)."""
    return text.strip(ID_BLANKS)


def row_problem(layout: CsvLayout, fields: list[str]) -> str | None:
    """Why a row the engine parsed is left out of the lake, or ``None`` if it is kept.

    A row of the wrong width is the engine's to reject, so it is ``None`` here too; like DuckDB,
    a row may end in more delimiters (empty fields after the last column).
    """
    while len(fields) > len(layout.columns) and fields[-1] == "":
        fields = fields[:-1]
    if len(fields) != len(layout.columns):
        return None
    checks = (_id_problem, _time_problem, _value_problem, _type_problem, _unit_problem)
    return next((problem for check in checks if (problem := check(layout, fields))), None)


def _field(layout: CsvLayout, fields: list[str], column: str) -> str | None:
    text = fields[layout.index(column)]
    return None if text in layout.null_strings else text


def _id_problem(layout: CsvLayout, fields: list[str]) -> str | None:
    meter_id = clean_meter_id(_field(layout, fields, layout.meter_id) or "")
    if not meter_id:
        return MISSING_ID
    if len(meter_id) > MAX_ID_LENGTH or any(
        unicodedata.category(c) == "Cc" or c == "\ufffd" for c in meter_id
    ):
        return f"garbled meter id {meter_id[:40]!r}"
    return None


def _time_problem(layout: CsvLayout, fields: list[str]) -> str | None:
    text = _field(layout, fields, layout.timestamp)
    if text is None:
        return MISSING_TIME
    pattern = layout.timestamp_format or ""
    if pattern in FIXED_WIDTH_TIMES:
        problem = _digit_time_problem(text.strip(" "), pattern)
        return problem and f"{layout.timestamp}: {problem}"
    year = _ISO_YEAR.match(text)
    infinite = text.strip(" ").lower().lstrip("+-") in {"inf", "infinity"}  # DuckDB reads them
    if infinite or (year and not 1 <= int(year.group(1)) <= 9999):
        return f"{layout.timestamp}: time {text.strip()[:40]!r} outside years 1 to 9999"
    return None


def _digit_time_problem(text: str, pattern: str) -> str | None:
    wanted = pattern.replace("%Y", "yyyy").replace("%m", "MM").replace("%d", "dd")
    wanted = wanted.replace("%H", "HH").replace("%M", "mm").replace("%S", "ss")
    if re.fullmatch(FIXED_WIDTH_TIMES[pattern], text):
        year, month, day, hour, minute, second = (
            int(text[start:end]) for start, end in _DIGIT_FIELDS[pattern]
        )
        try:
            datetime(year, month, day, hour, minute, second)
        except ValueError:
            return f"impossible time {text[:40]!r}"
        return None
    return f"bad time {text[:40]!r} (expected {wanted})"


def _value_problem(layout: CsvLayout, fields: list[str]) -> str | None:
    text = _field(layout, fields, layout.value)
    if text is None or not text.isascii():  # Python's float reads digits DuckDB does not
        return None
    try:
        value = float(text)
    except ValueError:
        return None  # an error code, or text the engine rejected
    if layout.unit_column:
        value *= UNITS.get(fields[layout.index(layout.unit_column)].strip(" ").upper(), 1.0)
    else:
        value *= UNITS[layout.unit.upper()]
    if not math.isfinite(value) or abs(value) >= MAX_KWH:
        return f"value {text.strip()[:40]!r} is not finite or beyond {MAX_KWH:.0e} kWh"
    return None


def _type_problem(layout: CsvLayout, fields: list[str]) -> str | None:
    if not layout.type_column:
        return None
    kind = fields[layout.index(layout.type_column)].strip(" ").upper()
    if kind not in VALID_TYPES:
        return f"unknown reading type {kind!r} (expected INT, AGG or ERR)"
    return None


def _unit_problem(layout: CsvLayout, fields: list[str]) -> str | None:
    if not layout.unit_column:
        return None
    unit = fields[layout.index(layout.unit_column)].strip(" ")
    if unit.upper() not in UNITS:
        return f"unknown unit {unit!r} (expected Wh, kWh or MWh)"
    return None
