"""Text of one field -> its typed value, or a ``FieldError`` saying precisely what is wrong."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable

from meterlake.reference.tables import Column, Kind

Value = str | float | int | dt.datetime | None

_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_INTEGER = re.compile(r"([+-]?\d+)(?:\.0*)?")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
_INT_BITS: dict[Kind, int] = {"int32": 32, "int64": 64}


class FieldError(ValueError):
    """A field's text cannot become a value of its column."""


def _double(text: str) -> float:
    if _DECIMAL.fullmatch(text) is None:
        raise FieldError(f"not a number: {text!r}")
    value = float(text)
    if not math.isfinite(value):
        raise FieldError(f"not a finite number: {text!r}")
    return value


def _integer(text: str, bits: int) -> int:
    match = _INTEGER.fullmatch(text)
    if match is None:
        raise FieldError(f"not an integer: {text!r}")
    value = int(match.group(1))
    if not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
        raise FieldError(f"out of int{bits} range: {text!r}")
    return value


def _time(text: str) -> dt.datetime:
    if _TIME.fullmatch(text) is None:
        raise FieldError(f"not a time (yyyy-MM-dd HH:mm:ss): {text!r}")
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise FieldError(f"not a valid time: {text!r}") from exc


_PARSERS: dict[Kind, Callable[[str], Value]] = {
    "text": str,
    "double": _double,
    "int32": lambda text: _integer(text, 32),
    "int64": lambda text: _integer(text, 64),
    "time": _time,
}


def _check_bounds(column: Column, value: Value, text: str) -> None:
    if column.bounds is None or not isinstance(value, float):
        return
    low, high = column.bounds
    if not low <= value <= high:
        raise FieldError(f"out of range [{low:g}, {high:g}]: {text!r}")


def parse_field(column: Column, text: str) -> Value:
    """The value of ``text`` (surrounding blanks ignored) in ``column``; empty -> ``None``."""
    stripped = text.strip()
    if not stripped:
        if column.mandatory:
            raise FieldError("empty")
        return None
    value = _PARSERS[column.kind](stripped)
    _check_bounds(column, value, stripped)
    return value
