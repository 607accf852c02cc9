"""Each estimation method on hand-made series, and the choice between them by gap length."""

from __future__ import annotations

from datetime import date, timedelta

import pyarrow as pa
import pytest
from vee_series import IMPORT, START, daily_profile, interval_rows, reads_table, register_rows

from meterlake.vee.settings import VeeSettings
from meterlake.vee.vee_pass import VeeTables, run_on_tables
from meterlake.vee.working_set import EDITS, TEMPERATURE


def _estimates(tables: VeeTables) -> dict[int, tuple[float, str]]:
    """Slot number (from START, half-hours) -> (estimate, method)."""
    return {
        int((row["reading_date_time"] - START) / timedelta(minutes=30)): (
            row["estimated_value"],
            row["method"],
        )
        for row in tables.estimates.to_pylist()
    }


def test_short_gaps_are_interpolated_linearly():
    values: list[float | None] = [float(n) / 10 for n in range(48)]
    values[10] = values[11] = None
    tables = run_on_tables(reads_table(interval_rows(values)))
    found = _estimates(tables)
    assert found == {10: (pytest.approx(1.0), "linear"), 11: (pytest.approx(1.1), "linear")}
    assert tables.estimates["gap_intervals"].to_pylist() == [2, 2]


def test_longer_gaps_use_the_same_weekday_of_other_weeks():
    values = daily_profile(22)
    day = 14 * 48  # a Monday, like START
    for slot in range(day + 30, day + 40):  # 5 hours
        values[slot] = None
    values[7 * 48 + 35] = 0.9  # one of the similar days differs at 17:30
    found = _estimates(run_on_tables(reads_table(interval_rows(values))))
    assert {method for _, method in found.values()} == {"similar_day"}
    assert found[day + 30] == (pytest.approx(values[30]), "similar_day")
    expected = (values[35] * 2 + 0.9) / 3  # weeks -2 and +1 are plain, week -1 differs
    assert found[day + 35][0] == pytest.approx(expected)


def test_weather_scales_the_similar_days_by_the_meters_temperature_line():
    days = 29
    temperatures = [10.0 + 5.0 * ((n * 7) % 5 - 2) / 2 for n in range(days)]
    temperatures[14] = -5.0  # a cold Monday: the other Mondays were milder
    shape = [0.1 + 0.01 * slot for slot in range(48)]
    values: list[float | None] = [
        shape[slot] * (2.0 - 0.05 * temperatures[day]) for day in range(days) for slot in range(48)
    ]
    truth = {14 * 48 + slot: values[14 * 48 + slot] for slot in range(20, 40)}
    for slot in truth:
        values[slot] = None
    weather = pa.Table.from_pylist(
        [
            {"day": START.date() + timedelta(days=n), "temperature": t}
            for n, t in enumerate(temperatures)
        ],
        schema=TEMPERATURE,
    )
    reads = reads_table(interval_rows(values))
    found = _estimates(run_on_tables(reads, temperature=weather))
    assert {method for _, method in found.values()} == {"weather_similar_day"}
    for slot, value in truth.items():
        assert found[slot][0] == pytest.approx(value)  # daily kWh is linear in temperature
    plain = _estimates(run_on_tables(reads))
    assert {method for _, method in plain.values()} == {"similar_day"}
    assert plain[14 * 48 + 30][0] < truth[14 * 48 + 30] * 0.9  # milder days use less


def test_register_reads_around_a_gap_share_out_its_missing_energy():
    values: list[float | None] = [0.25, 0.5] * 48  # two days
    for slot in range(50, 60):
        values[slot] = None  # 10 missing slots on day 2, worth 3.75 kWh
    registers = register_rows(
        [(START + timedelta(days=1), 100.0), (START + timedelta(days=2), 100.0 + 18.0 + 2.0)]
    )
    tables = run_on_tables(reads_table(interval_rows(values), registers))
    found = _estimates(tables)
    assert {method for _, method in found.values()} == {"register_prorate"}
    # 20 kWh advance - 14.25 kWh read = 5.75 kWh over 10 slots, in the linear shape (flat here)
    assert sum(v for v, _ in found.values()) == pytest.approx(20.0 - 14.25)


def test_prorating_is_skipped_when_the_register_bracket_is_not_whole():
    values: list[float | None] = [0.25, 0.5] * 48
    values[50] = values[51] = None
    registers = register_rows(
        [(START + timedelta(days=1), 100.0), (START + timedelta(days=2, hours=1), 130.0)]
    )
    found = _estimates(run_on_tables(reads_table(interval_rows(values), registers)))
    assert {method for _, method in found.values()} == {"linear"}


def test_rejected_values_are_estimated_and_the_raw_value_is_not_used():
    values = daily_profile(1)
    values[20] = -3.0
    values[21] = 99.0
    tables = run_on_tables(reads_table(interval_rows(values)))
    found = _estimates(tables)
    assert found[20] == (pytest.approx(values[19] + (values[22] - values[19]) / 3), "linear")
    assert found[21][1] == "linear"
    assert found[21][0] < 1.0


def test_edits_decide_what_is_rejected_and_what_estimation_trusts():
    values = daily_profile(1)
    values[20] = -3.0  # accepted by an edit: not estimated
    values[30] = 0.4  # rejected by an edit: estimated
    edits = pa.Table.from_pylist(
        [
            _edit(20, "accept", None),
            _edit(30, "reject", None),
            _edit(31, "override", 5.0),  # its neighbour 32 is missing: interpolate from 5.0
        ],
        schema=EDITS,
    )
    values[32] = None
    found = _estimates(run_on_tables(reads_table(interval_rows(values)), edits=edits))
    assert set(found) == {30, 32}
    assert found[32][0] == pytest.approx((5.0 + values[33]) / 2)


def _edit(slot: int, action: str, value: float | None) -> dict[str, object]:
    return {
        "meter_id": "M1",
        "obis_code": IMPORT,
        "reading_type": "INT",
        "reading_date_time": START + timedelta(minutes=30 * slot),
        "action": action,
        "value": value,
    }


def test_gaps_longer_than_the_limit_are_not_estimated():
    values = daily_profile(10)
    for slot in range(48, 48 * 4):
        values[slot] = None
    settings = VeeSettings.model_validate({"estimation": {"max_gap_hours": 48}})
    tables = run_on_tables(reads_table(interval_rows(values)), settings)
    assert tables.estimates.num_rows == 0
    assert tables.targets == 0


def test_a_gap_at_the_edge_with_no_similar_day_stays_unestimated():
    values = daily_profile(1)
    values[10] = -1.0  # rejected, but the series is too short for a similar day
    rows = interval_rows(values)[:11]  # the rejected read is the last one: no right neighbour
    tables = run_on_tables(reads_table(rows))
    assert tables.targets == 1
    assert tables.estimates.num_rows == 0


def test_estimates_by_length_choose_linear_only_up_to_the_limit():
    values = daily_profile(15)
    day = 7 * 48
    for slot in range(day + 10, day + 14):  # 2 hours: linear
        values[slot] = None
    for slot in range(day + 20, day + 25):  # 2.5 hours: similar day
        values[slot] = None
    found = _estimates(run_on_tables(reads_table(interval_rows(values))))
    assert {found[s][1] for s in range(day + 10, day + 14)} == {"linear"}
    assert {found[s][1] for s in range(day + 20, day + 25)} == {"similar_day"}
    assert date(2013, 1, 14) == (START + timedelta(days=7)).date()
