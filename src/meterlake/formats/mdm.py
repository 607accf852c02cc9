"""The reference's "default" MDM layouts (section 2.2): positional, any of , ; | tab, header or not.

- ``mdm``: meter id, OBIS code, reading time, value, error code, reading type (global version);
- ``mdm_cn``: the China-region five columns (no error code);
- ``mdm_generator``: the reference generator's 12 ``|`` fields, whose ERR rows carry the error code
  in the value column and whose INT/AGG labels are inverted (section 2.4): read with the
  documented semantics (interval consumption as INT, error code in ``error_value``).

Reading times are 16-digit ``yyyyMMddHH24mmss`` with a literal "24" (hour and minute come from
the parsed time), 14-digit ``yyyyMMddHHmmss``, or ISO text.
"""

from __future__ import annotations

import csv
import re
from dataclasses import replace

from meterlake.formats.layout import CsvLayout

DELIMITERS = (";", "|", "\t", ",")
READING_TYPES = ("INT", "AGG", "ERR")
TIME_FORMATS = (
    (re.compile(r"^\d{10}24\d{4}$"), "%Y%m%d%H24%M%S"),
    (re.compile(r"^\d{14}$"), "%Y%m%d%H%M%S"),
    (re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"), None),
)
#: The digit-only patterns, read strictly: exactly their width (a strptime reads ``%S`` from one
#: digit, so a 15-digit ``yyyyMMddHH24mmss`` would otherwise pass as a valid time).
FIXED_WIDTH_TIMES = {"%Y%m%d%H24%M%S": r"\d{10}24\d{4}", "%Y%m%d%H%M%S": r"\d{14}"}
_SIX = ("meter_id", "obis_code", "reading_time", "reading_value", "error_code", "reading_type")
_GENERATOR_EXTRA = ("spid", "rq", "ansi", "smult", "dst", "accnum", "sqcode")

MDM = CsvLayout(
    name="mdm",
    columns=_SIX,
    meter_id="meter_id",
    timestamp="reading_time",
    value="reading_value",
    obis_column="obis_code",
    type_column="reading_type",
    error_column="error_code",
    null_strings=("",),
)
MDM_CN = CsvLayout(
    name="mdm_cn",
    columns=("meter_id", "obis_code", "reading_time", "reading_value", "reading_type"),
    meter_id="meter_id",
    timestamp="reading_time",
    value="reading_value",
    obis_column="obis_code",
    type_column="reading_type",
    null_strings=("",),
)
MDM_GENERATOR = CsvLayout(
    name="mdm_generator",
    columns=(
        "meter_id",
        "obis_code",
        "reading_time",
        "reading_value",
        "reading_type",
        *_GENERATOR_EXTRA,
    ),
    meter_id="meter_id",
    timestamp="reading_time",
    value="reading_value",
    obis_column="obis_code",
    type_column="reading_type",
    null_strings=("",),
    value_holds_errors=True,
    swap_int_agg=True,
)
BY_WIDTH = {6: MDM, 5: MDM_CN, 12: MDM_GENERATOR}


def match_mdm(lines: list[str]) -> tuple[CsvLayout | None, str]:
    """The MDM layout of a file's first lines, or ``None`` with the reason it is not one."""
    delimiter = max(DELIMITERS, key=lines[0].count)
    rows = list(csv.reader([line for line in lines if line.strip()], delimiter=delimiter))
    layout = BY_WIDTH.get(len(rows[0]))
    if layout is None:
        return None, f"{len(rows[0])} fields split on {delimiter!r} (MDM has 5, 6 or 12)"
    has_header = _time_format(rows[0][2]) is False
    data = rows[1:] if has_header else rows
    if not data:
        return None, "a header but no data rows"
    time_format = _time_format(data[0][2])
    if time_format is False:
        return None, f"reading time {data[0][2]!r} is not yyyyMMddHH24mmss, yyyyMMddHHmmss or ISO"
    type_field = data[0][layout.index("reading_type")].strip().upper()
    if type_field not in READING_TYPES:
        return None, f"reading type {type_field!r} is not one of {', '.join(READING_TYPES)}"
    shaped = layout.with_file_shape(delimiter, has_header)
    return _with_time_format(shaped, time_format), ""


def _time_format(text: str) -> str | bool | None:
    """The strptime pattern of a reading time, ``None`` for ISO text, ``False`` if unknown."""
    for pattern, time_format in TIME_FORMATS:
        if pattern.match(text.strip()):
            return time_format
    return False


def _with_time_format(layout: CsvLayout, time_format: str | bool | None) -> CsvLayout:
    return replace(layout, timestamp_format=time_format if isinstance(time_format, str) else None)
