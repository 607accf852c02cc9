"""MRASCo Data Transfer Catalogue flows D0275 and D0010 as default MDM rows (reference section 2.3).

D0275 settlement periods are placed on the Europe/London settlement day (46 periods on the spring
clock change, 50 in autumn) and written as naive UTC; D0010 register read times are re-formatted as
given. ``convert_mrasco`` only reads; ``write_mdm`` writes the ``;``-delimited file atomically.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from meterlake.errors import RejectedFileError

Row = tuple[str, str, str, str, str, str]

MDM_HEADER: Row = (
    "meter_id",
    "obis_code",
    "reading_time",
    "reading_value",
    "error_code",
    "reading_type",
)
#: The reference's ``yyyyMMddHH24mmss``: a literal "24" between hour and minute.
MDM_TIME_FORMAT = "%Y%m%d%H24%M%S"
FLOWS = ("D0275", "D0010")
#: The zone of settlement days: a flow's rows are dated on them, whatever the lake's calendar.
SETTLEMENT_TIMEZONE = "Europe/London"
SETTLEMENT_ZONE = ZoneInfo(SETTLEMENT_TIMEZONE)
PERIOD = timedelta(minutes=30)

_FLOW_ID = re.compile(r"D\d{4}")
_DAY = re.compile(r"\d{8}")
_READ_TIME = re.compile(r"\d{14}")
_PERIOD_NUMBER = re.compile(r"\d{1,3}")
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


class _BadLineError(Exception):
    """One line cannot be converted; the caller adds the file and the line number."""


@dataclass(frozen=True)
class _State:
    """What the parent groups above the current line have set."""

    meter_id: str = ""  # D0275: MPAN core of the current 25B
    obis_code: str = ""  # D0275: from the measurement quantity of the current 25B
    day: date | None = None  # D0275: settlement date of the current 26B
    in_group: bool = False  # D0010: a 026 has been seen
    serial: str = ""  # D0010: meter serial of the current 028


Handler = Callable[[_State, list[str]], tuple[_State, Row | None]]


def is_mrasco(first_line: str) -> bool:
    """Whether ``first_line`` is a ``ZHV`` header naming a DTC flow (``Dnnnn``) in field 1 or 2.

    Unsupported flows count too, so that ``convert_mrasco`` rejects them with a precise reason.
    """
    fields = _header_fields(first_line)
    return fields[0] == "ZHV" and _flow_id(fields) is not None


def convert_mrasco(path: Path) -> list[Row]:
    """Rows in the default MDM layout; reading_time formatted yyyyMMddHH24mmss (literal '24').

    Strict: the first line that cannot be converted rejects the file (``meterlake convert``).
    """
    return rows_from_text(_flow_text(path), path)


def rows_from_text(text: str, path: Path) -> list[Row]:
    """Convert the text of a flow file strictly; ``path`` only names the file in errors."""
    flow = convert_lines(text, path)
    if flow.bad:
        number, _, reason = flow.bad[0]
        raise RejectedFileError(path, f"line {number}: {reason}")
    return flow.rows


@dataclass(frozen=True)
class Flow:
    """A flow converted line by line: rows, the flow line of each, and the lines that failed."""

    rows: list[Row]
    lines: list[int]
    bad: list[tuple[int, str, str]]  # (line, raw text, reason)


def convert_flow(path: Path) -> Flow:
    """Convert a flow, keeping every line that converts.

    A bad line costs itself (and the lines that depend on it, such as the periods under a bad
    settlement date), not the file. A file that is not a supported flow at all (header,
    trailer) is still rejected whole.
    """
    return convert_lines(_flow_text(path), path)


def _flow_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RejectedFileError(path, "not ASCII text") from exc


def convert_lines(text: str, path: Path) -> Flow:
    """Convert the text of a flow file line by line; ``path`` only names the file in errors."""
    lines = _numbered_lines(text)
    if not lines:
        raise RejectedFileError(path, "empty file")
    flow = _flow_or_reject(*lines[0], path)
    state, converted = _State(), Flow([], [], [])
    for number, line in _without_trailer(lines[1:], path):
        try:
            state, row = _apply(flow, state, [field.strip() for field in line.split("|")])
        except _BadLineError as exc:
            state = _after_bad_line(state, line)
            converted.bad.append((number, line, str(exc)))
            continue
        if row is not None:
            converted.rows.append(row)
            converted.lines.append(number)
    return converted


def _after_bad_line(state: _State, line: str) -> _State:
    """What a bad parent line leaves: its children cannot be placed (a bad 25B or 26B)."""
    group = line.split("|", maxsplit=1)[0].strip()
    if group in ("25B", "026"):
        return _State()
    if group == "26B":
        return replace(state, day=None)
    if group == "028":
        return replace(state, serial="")
    return state


def write_mdm(rows: Iterable[Row], target: Path) -> None:
    """';'-delimited text with the MDM_HEADER line, written to target via a temp file + rename."""
    text = "".join(";".join(row) + "\n" for row in (MDM_HEADER, *rows))
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8", newline="")
        temporary.replace(target)
    finally:
        temporary.unlink(missing_ok=True)


def periods_in_day(day: date) -> int:
    """Number of half-hour settlement periods of ``day`` in UK time: 48, or 46 / 50 on changes."""
    return (_uk_midnight_utc(day + timedelta(days=1)) - _uk_midnight_utc(day)) // PERIOD


def period_start_utc(day: date, period: int) -> datetime:
    """Naive UTC start of settlement period ``period`` (1-based) of ``day``."""
    return _uk_midnight_utc(day) + (period - 1) * PERIOD


def _uk_midnight_utc(day: date) -> datetime:
    local = datetime(day.year, day.month, day.day, tzinfo=SETTLEMENT_ZONE)
    return local.astimezone(UTC).replace(tzinfo=None)


def _numbered_lines(text: str) -> list[tuple[int, str]]:
    lines = (line.rstrip("\r") for line in text.split("\n"))
    return [(number, line) for number, line in enumerate(lines, start=1) if line.strip()]


def _header_fields(line: str) -> list[str]:
    return [field.strip().upper() for field in line.lstrip("\ufeff").rstrip("\r\n").split("|")]


def _flow_id(fields: list[str]) -> str | None:
    return next((field for field in fields[1:3] if _FLOW_ID.match(field)), None)


def _flow_or_reject(number: int, line: str, path: Path) -> str:
    fields = _header_fields(line)
    if fields[0] != "ZHV":
        raise RejectedFileError(
            path, f"line {number}: expected a 'ZHV|...' header, got {line[:40]!r}"
        )
    flow = next((f for field in fields[1:3] for f in FLOWS if field.startswith(f)), None)
    if flow is None:
        named = _flow_id(fields) or "|".join(fields[1:3])
        supported = ", ".join(FLOWS)
        raise RejectedFileError(
            path, f"line {number}: unknown flow {named!r} (supported: {supported})"
        )
    return flow


def _without_trailer(lines: list[tuple[int, str]], path: Path) -> list[tuple[int, str]]:
    """Drop a real ``ZPT`` trailer; it must be the last line."""
    for index, (number, line) in enumerate(lines):
        if line.split("|")[0].strip() == "ZPT":
            if index + 1 < len(lines):
                after = lines[index + 1][0]
                raise RejectedFileError(
                    path, f"line {after}: data after the ZPT trailer on line {number}"
                )
            return lines[:index]
    return lines


def _apply(flow: str, state: _State, fields: list[str]) -> tuple[_State, Row | None]:
    handler = _GROUPS[flow].get(fields[0])
    if handler is None:
        raise _BadLineError(f"unknown record group {fields[0]!r} in a {flow} flow")
    state, row = handler(state, fields)
    if row is not None and any(";" in value for value in row):
        raise _BadLineError(f"';' (the MDM delimiter) in a value of {row!r}")
    return state, row


def _field(fields: list[str], index: int, what: str) -> str:
    if index >= len(fields) or not fields[index]:
        raise _BadLineError(f"{fields[0]} needs {what} in field {index}")
    return fields[index]


def _decimal(text: str) -> str:
    if not _DECIMAL.fullmatch(text):
        raise _BadLineError(f"bad value {text!r} (expected a decimal number)")
    return text


def _parse_day(text: str) -> date:
    parsed = _parse_digits(text, _DAY, "%Y%m%d")
    if parsed is None:
        raise _BadLineError(f"bad settlement date {text!r} (expected yyyyMMdd)")
    return parsed.date()


def _parse_read_time(text: str) -> datetime:
    parsed = _parse_digits(text, _READ_TIME, "%Y%m%d%H%M%S")
    if parsed is None:
        raise _BadLineError(f"bad read time {text!r} (expected yyyyMMddHHmmss)")
    return parsed


def _parse_digits(text: str, shape: re.Pattern[str], pattern: str) -> datetime | None:
    """``strptime`` on text of exactly ``shape`` (strptime alone accepts '2021011')."""
    if not shape.fullmatch(text):
        return None
    try:
        return datetime.strptime(text, pattern)
    except ValueError:
        return None


def _parse_period(text: str, day: date) -> int:
    count = periods_in_day(day)
    if not _PERIOD_NUMBER.fullmatch(text) or not 1 <= int(text) <= count:
        raise _BadLineError(f"settlement period {text!r} outside 1..{count} for {day:%Y-%m-%d}")
    return int(text)


def _d0275_meter(_state: _State, fields: list[str]) -> tuple[_State, Row | None]:
    """``25B``: a new meter (MPAN core) and its measurement quantity."""
    mpan = _field(fields, 1, "an MPAN core")
    quantity = _field(fields, 2, "a measurement quantity")
    obis_code = "3.8.0" if quantity.upper().startswith("R") else "1.8.0"
    return _State(meter_id=mpan, obis_code=obis_code), None


def _d0275_day(state: _State, fields: list[str]) -> tuple[_State, Row | None]:
    """``26B``: the settlement date of the periods that follow."""
    if not state.meter_id:
        raise _BadLineError("26B settlement date before any 25B meter")
    return replace(state, day=_parse_day(_field(fields, 1, "a settlement date"))), None


def _d0275_period(state: _State, fields: list[str]) -> tuple[_State, Row | None]:
    """``27B``: one half-hourly advance, an INT row."""
    if state.day is None:
        raise _BadLineError("27B period before any 26B settlement date")
    period = _parse_period(_field(fields, 1, "a settlement period"), state.day)
    value = _decimal(_field(fields, 2, "a value"))
    time = period_start_utc(state.day, period).strftime(MDM_TIME_FORMAT)
    return state, (state.meter_id, state.obis_code, time, value, "", "INT")


def _d0010_group(_state: _State, _fields: list[str]) -> tuple[_State, Row | None]:
    """``026``: a new MPAN group (the MPAN itself is not used)."""
    return _State(in_group=True), None


def _d0010_meter(state: _State, fields: list[str]) -> tuple[_State, Row | None]:
    """``028``: the meter serial of the register reads that follow."""
    if not state.in_group:
        raise _BadLineError("028 meter before any 026 MPAN")
    return replace(state, serial=_field(fields, 1, "a meter serial")), None


def _d0010_read(state: _State, fields: list[str]) -> tuple[_State, Row | None]:
    """``029``: one register read, an AGG row for meter serial + register id."""
    if not state.serial:
        raise _BadLineError("029 register read before any 028 meter")
    register = _field(fields, 1, "a register id")
    read_at = _parse_read_time(_field(fields, 2, "a read time"))
    value = _decimal(_field(fields, 3, "a reading value"))
    meter_id = state.serial + register
    return state, (meter_id, "", read_at.strftime(MDM_TIME_FORMAT), value, "", "AGG")


_GROUPS: dict[str, dict[str, Handler]] = {
    "D0275": {"25B": _d0275_meter, "26B": _d0275_day, "27B": _d0275_period},
    "D0010": {"026": _d0010_group, "028": _d0010_meter, "029": _d0010_read},
}
