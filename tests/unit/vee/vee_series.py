"""Hand-made series for the VEE tests: rows of reads built from plain lists."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

import pyarrow as pa

from meterlake.vee.working_set import READS

START = datetime(2013, 1, 7)  # a Monday
IMPORT = "1-0:1.29.0"
REGISTER = "1-0:1.8.0"


def interval_rows(
    values: Sequence[float | None],
    meter: str = "M1",
    start: datetime = START,
    step_minutes: int = 30,
    obis: str = IMPORT,
) -> list[dict[str, object]]:
    """One INT read per value on a regular grid; ``None`` leaves the slot out (a gap)."""
    return [
        _row(meter, obis, "INT", start + timedelta(minutes=step_minutes * n), value)
        for n, value in enumerate(values)
        if value is not None
    ]


def register_rows(
    reads: Iterable[tuple[datetime, float]], meter: str = "M1", obis: str = REGISTER
) -> list[dict[str, object]]:
    """AGG register reads at the given times."""
    return [_row(meter, obis, "AGG", moment, value) for moment, value in reads]


def reads_table(*groups: list[dict[str, object]]) -> pa.Table:
    """The ``reads`` input of a pass."""
    return pa.Table.from_pylist([row for group in groups for row in group], schema=READS)


def daily_profile(days: int, base: float = 0.2, evening: float = 0.5) -> list[float | None]:
    """Half-hourly values with an evening peak, repeated for ``days`` days."""
    day = [base + (evening if 34 <= slot < 44 else 0.0) + slot * 0.001 for slot in range(48)]
    return [round(v, 4) for _ in range(days) for v in day]


def _row(meter: str, obis: str, kind: str, moment: datetime, value: float) -> dict[str, object]:
    return {
        "meter_id": meter,
        "obis_code": obis,
        "reading_type": kind,
        "reading_date_time": moment,
        "reading_value": value,
    }
