"""A focused pass gives the plain pass's flags, estimates and targets after its start.

The working set is six weeks of several meters with what needs context: gaps and flat lines that
enter the validated days from before, a zero run of weeks, spikes judged against the history,
registers, conflicts, edits, an hourly series, a series that starts on the validated days and
one that ends before them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import pyarrow as pa
import pytest
from vee_series import IMPORT, START, daily_profile, interval_rows, reads_table, register_rows

from meterlake.vee.focus import run_focused
from meterlake.vee.settings import VeeSettings
from meterlake.vee.vee_pass import VeeTables, run_on_tables
from meterlake.vee.working_set import CONFLICTS, EDITS, TEMPERATURE, load_frames

DAYS = 42
SLOTS = 48
#: The validated days of most cases: day 35 and 36 (a Monday and a Tuesday).
FIRST = START + timedelta(days=35)


def _noisy(days: int, seed: int, scale: float = 1.0) -> list[float | None]:
    base = daily_profile(days)
    return [
        round(scale * (v or 0.0) * (0.8 + 0.4 * ((n * 7919 + seed * 104729) % 97) / 97), 3)
        for n, v in enumerate(base)
    ]


def _slot(day: int, hour: float) -> int:
    return day * SLOTS + int(hour * 2)


def _fleet() -> pa.Table:
    """Meters M1..M11, each with its own kind of trouble around day 35."""
    m1 = _noisy(DAYS, 1)
    for n in range(_slot(33, 20), _slot(35, 2)):  # a gap from day 33 into day 35
        m1[n] = None
    for n in range(_slot(35, 20), _slot(36, 6)):  # a flat line crossing midnight
        m1[n] = 0.7
    m1[_slot(36, 12)] = 9.0  # a spike
    m1[_slot(36, 13)] = -0.4  # a negative
    m1[_slot(36, 18)] = None  # a short gap: linear
    for n in range(_slot(37, 8), _slot(37, 16)):  # a longer gap: similar days
        m1[n] = None
    m2 = _noisy(DAYS, 2)
    for n in range(_slot(24, 10), _slot(36, 9)):  # a zero run of 12 days into day 36
        m2[n] = 0.0
    m3 = _noisy(DAYS, 3)
    totals = [1000.0 + sum(v or 0.0 for v in m3[: d * SLOTS]) for d in range(DAYS)]
    totals[38:] = [total + 3.0 for total in totals[38:]]  # day 37 does not add up
    registers = [(START + timedelta(days=d), round(total, 3)) for d, total in enumerate(totals)]
    m3[_slot(35, 7)] = None  # bracketed by registers: prorated
    m4 = _noisy(DAYS, 4)
    for n in range(_slot(32, 0), _slot(35, 9)):  # silent for three days before day 35
        m4[n] = None
    m5 = _noisy(30, 5)  # stopped before the validated days
    m6: list[float | None] = [None] * (35 * SLOTS) + _noisy(DAYS - 35, 6)  # starts on day 35
    m7 = [round(0.5 + 0.01 * (n % 24), 3) for n in range(DAYS * 24)]  # hourly
    m8 = _noisy(DAYS, 8, scale=6.0)  # high values all along: 4 kWh is no spike here
    m8[_slot(35, 3)] = 4.0
    m9 = _noisy(DAYS, 9)
    m9[_slot(34, 23.5)] = -1.0  # rejected just before the day
    m9[_slot(35, 0)] = None  # the gap after it: its usable neighbour is further back
    m9[_slot(35, 1)] = None
    m10 = _noisy(DAYS, 10)
    m10[_slot(36, 12)] = 6.0  # only a spike
    m11 = _noisy(DAYS, 11)
    m11[_slot(34, 10)] = 5.0  # a spike at the focus start (an error in the strict settings)
    m11[_slot(34, 10.5)] = None  # a gap right after it
    m11[_slot(34, 11)] = None
    hourly = interval_rows(m7, meter="M7", step_minutes=60)
    hourly.extend(interval_rows([0.3], meter="M7", start=FIRST + timedelta(minutes=530)))
    return reads_table(
        interval_rows(m1, meter="M1"),
        interval_rows(m2, meter="M2"),
        interval_rows(m3, meter="M3"),
        register_rows(registers, meter="M3"),
        interval_rows(m4, meter="M4"),
        interval_rows(m5, meter="M5"),
        interval_rows(m6, meter="M6"),
        hourly,
        interval_rows(m8, meter="M8"),
        interval_rows(m9, meter="M9"),
        interval_rows(m10, meter="M10"),
        interval_rows(m11, meter="M11"),
    )


def _conflicts() -> pa.Table:
    row = {
        "meter_id": "M1",
        "obis_code": IMPORT,
        "reading_type": "INT",
        "reading_date_time": FIRST + timedelta(hours=10),
        "kept_value": 0.2,
        "discarded_value": 0.9,
        "source_seq": 2,
        "run_id": "R",
    }
    return pa.Table.from_pylist([row], schema=CONFLICTS)


def _edits() -> pa.Table:
    def edit(meter: str, moment: datetime, action: str, value: float | None) -> dict[str, object]:
        return {
            "meter_id": meter,
            "obis_code": IMPORT,
            "reading_type": "INT",
            "reading_date_time": moment,
            "action": action,
            "value": value,
        }

    return pa.Table.from_pylist(
        [
            edit("M1", START + timedelta(days=36, hours=13), "accept", None),
            edit("M8", FIRST + timedelta(hours=4), "reject", None),
            edit("M8", FIRST + timedelta(hours=5), "override", 1.5),
            edit("M2", START + timedelta(days=30), "override", 0.4),  # in the history
        ],
        schema=EDITS,
    )


def _weather() -> pa.Table:
    return pa.Table.from_pylist(
        [
            {"day": (START + timedelta(days=n)).date(), "temperature": 5.0 + (n * 3) % 7}
            for n in range(DAYS)
        ],
        schema=TEMPERATURE,
    )


def _after(tables: VeeTables, after: datetime) -> dict[str, list[dict[str, object]]]:
    return {
        "flags": [r for r in tables.flags.to_pylist() if r["reading_date_time"] > after],
        "estimates": [r for r in tables.estimates.to_pylist() if r["reading_date_time"] > after],
    }


def _both(settings: VeeSettings, after: datetime) -> tuple[VeeTables, VeeTables]:
    inputs = {
        "reads": _fleet(),
        "settings": settings,
        "conflicts": _conflicts(),
        "edits": _edits(),
        "temperature": _weather(),
    }
    return run_on_tables(**inputs), run_on_tables(**inputs, after=after)  # type: ignore[arg-type]


STRICT = VeeSettings.model_validate(
    {"rules": {"spike": {"severity": "error"}, "flat_line": {"severity": "error"}}}
)


@pytest.mark.parametrize("settings", [VeeSettings(), STRICT], ids=["default", "strict"])
@pytest.mark.parametrize("day", [35, 36, 38])
def test_a_focused_pass_gives_the_plain_rows_after_its_start(settings: VeeSettings, day: int):
    after = START + timedelta(days=day) - timedelta(hours=14)
    plain, focused = _both(settings, after)
    expected = _after(plain, after)
    assert _after(focused, after) == expected
    assert len(focused.flags) == len(expected["flags"])  # nothing from before ``after``
    assert focused.targets == len(expected["estimates"])  # every target here gets one


def test_the_fleet_has_what_needs_the_history():
    after = FIRST - timedelta(hours=14)
    _, focused = _both(VeeSettings(), after)
    flags = _after(focused, after)["flags"]
    found = {(f["meter_id"], f["rule"]) for f in flags}
    assert {
        ("M1", "gap"),
        ("M1", "flat_line"),
        ("M1", "spike"),
        ("M1", "negative"),
        ("M1", "duplicate_conflict"),
        ("M2", "zero_run"),
        ("M3", "register_mismatch"),
        ("M4", "gap"),
        ("M7", "off_grid"),
        ("M9", "negative"),
        ("M10", "spike"),
    } <= found
    assert ("M8", "spike") not in found  # its history is as high
    zero = next(f for f in flags if f["rule"] == "zero_run")
    assert "from 2013-01-31 10:00" in str(zero["detail"])  # the run's start, 12 days back
    gap = next(f for f in flags if f["meter_id"] == "M4" and f["rule"] == "gap")
    assert "from 2013-02-08 00:00" in str(gap["detail"])
    methods = {(e["meter_id"], e["method"]) for e in _after(focused, after)["estimates"]}
    assert {("M1", "linear"), ("M1", "weather_similar_day"), ("M3", "register_prorate")} <= methods


def test_only_the_meters_that_need_the_history_read_it():
    con = duckdb.connect(config={"threads": 1})
    load_frames(con, _fleet(), _conflicts(), _edits(), _weather())
    con.execute("ALTER TABLE reads RENAME TO window_reads")
    after = FIRST - timedelta(hours=14)
    report = run_focused(con, VeeSettings(), datetime(2100, 1, 1), "window_reads", after)
    found = {row[0] for row in con.execute("SELECT meter_id FROM context_meters").fetchall()}
    # M1: a spike and a long gap; M2: a zero run from far back; M3: registers; M4: a gap from
    # before the tail; M10: a spike; M11: a gap whose neighbour lies before ``after``. M6 (no
    # reads before the days), M8 (no spike against its own history) and M9 (a gap interpolated
    # between reads after ``after``) need none.
    assert found == {"M1", "M2", "M3", "M4", "M10", "M11"}
    assert report.context_meters == len(found)
