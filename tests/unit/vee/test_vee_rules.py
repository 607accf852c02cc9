"""Each validation rule on hand-made series: what it flags, with what severity, and what not."""

from __future__ import annotations

from datetime import datetime, timedelta

import pyarrow as pa
import pytest
from vee_series import (
    IMPORT,
    START,
    daily_profile,
    interval_rows,
    reads_table,
    register_rows,
)

from meterlake.vee.settings import VeeSettings
from meterlake.vee.vee_pass import run_on_tables
from meterlake.vee.working_set import CONFLICTS


def _flags(reads: pa.Table, settings: VeeSettings | None = None, **kwargs: object) -> list[dict]:
    return run_on_tables(reads, settings, **kwargs).flags.to_pylist()  # type: ignore[arg-type]


def _rules(flags: list[dict]) -> list[str]:
    return sorted({f["rule"] for f in flags})


def test_a_clean_series_raises_no_flag():
    assert _flags(reads_table(interval_rows(daily_profile(3)))) == []


def test_gap_is_flagged_once_with_its_length_and_once_per_day_it_crosses():
    values = daily_profile(3)
    for slot in (10, 11, 12):
        values[slot] = None
    for slot in range(40, 60):  # from day 1 into day 2
        values[slot] = None
    gaps = [f for f in _flags(reads_table(interval_rows(values))) if f["rule"] == "gap"]
    assert [(g["reading_date_time"], g["measure"]) for g in gaps] == [
        (START + timedelta(hours=5), 90.0),
        (START + timedelta(hours=20), 600.0),
        (START + timedelta(days=1), 600.0),
    ]
    assert gaps[0]["severity"] == "info"
    assert gaps[0]["detail"].startswith("3 missing interval(s) from 2013-01-07 05:00")


def test_gap_min_intervals_leaves_short_gaps_alone():
    values = daily_profile(1)
    values[5] = None
    settings = VeeSettings.model_validate({"rules": {"gap": {"min_intervals": 2}}})
    assert _flags(reads_table(interval_rows(values)), settings) == []


def test_negative_values_are_errors_on_import_channels_only():
    values = daily_profile(1)
    values[3] = -0.4
    export = interval_rows(daily_profile(1), obis="1-0:2.8.0")
    export[3]["reading_value"] = -0.4
    flags = _flags(reads_table(interval_rows(values), export))
    assert [(f["rule"], f["obis_code"], f["severity"]) for f in flags] == [
        ("negative", IMPORT, "error")
    ]


def test_max_value_uses_the_interval_length_and_per_meter_limits():
    values = daily_profile(2)
    values[5] = 10.0  # 20 kW over half an hour: under the default 30 kW
    settings = VeeSettings.model_validate({"rules": {"spike": {"enabled": False}}})
    assert _flags(reads_table(interval_rows(values)), settings) == []
    limited = VeeSettings.model_validate(
        {"rules": {"spike": {"enabled": False}, "max_value": {"per_meter_kw": {"M1": 15.0}}}}
    )
    flags = _flags(reads_table(interval_rows(values)), limited)
    assert [(f["rule"], f["measure"]) for f in flags] == [("max_value", 10.0)]
    assert "maximum 7.500 kWh (15.0 kW over 30 min)" in flags[0]["detail"]


def test_spike_is_relative_to_the_meters_own_history():
    quiet = daily_profile(7, base=0.05, evening=0.1)
    quiet[100] = 1.5  # 10x this meter's usual peak
    busy = daily_profile(7, base=1.0, evening=1.0)
    busy[100] = 2.5  # within what this meter often uses
    flags = _flags(reads_table(interval_rows(quiet, meter="Q"), interval_rows(busy, meter="B")))
    assert [(f["meter_id"], f["rule"], f["severity"]) for f in flags] == [("Q", "spike", "warning")]


def test_flat_line_and_zero_run_need_their_minimum_length():
    values = daily_profile(3)
    values[10:22] = [0.7] * 12  # 6 hours flat
    values[60:107] = [0.0] * 47  # 23.5 hours of zero: not yet a zero run
    flags = _flags(reads_table(interval_rows(values)))
    assert _rules(flags) == ["flat_line"]
    assert len(flags) == 12
    values[107] = 0.0  # 24 hours of zero
    flags = _flags(reads_table(interval_rows(values)))
    assert _rules(flags) == ["flat_line", "zero_run"]
    assert sum(f["rule"] == "zero_run" for f in flags) == 48


def test_off_grid_and_future_timestamps():
    rows = interval_rows(daily_profile(1))
    rows[4]["reading_date_time"] = START + timedelta(minutes=127)
    now = START + timedelta(hours=12)
    flags = _flags(reads_table(rows), now=now)
    off_grid = [f for f in flags if f["rule"] == "off_grid"]
    future = [f for f in flags if f["rule"] == "future"]
    assert [f["reading_date_time"] for f in off_grid] == [START + timedelta(minutes=127)]
    assert len(future) == 23  # 12:30 .. 23:30
    assert {f["severity"] for f in off_grid + future} == {"error"}
    assert "gap" in _rules(flags)  # the slot the off-grid read should have filled


def test_future_reads_do_not_open_a_gap_to_the_future():
    rows = interval_rows(daily_profile(1))
    rows.append({**rows[-1], "reading_date_time": datetime(2030, 1, 1)})
    flags = _flags(reads_table(rows), now=datetime(2020, 1, 1))
    assert _rules(flags) == ["future"]


def test_duplicate_conflicts_come_from_the_ingests_discarded_rows():
    conflict = pa.Table.from_pylist(
        [
            {
                "meter_id": "M1",
                "obis_code": IMPORT,
                "reading_type": "INT",
                "reading_date_time": START,
                "kept_value": 0.2,
                "discarded_value": 0.9,
                "source_seq": 3,
                "run_id": "R1",
            }
        ],
        schema=CONFLICTS,
    )
    flags = _flags(reads_table(interval_rows(daily_profile(1))), conflicts=conflict)
    assert [(f["rule"], f["severity"], f["detail"]) for f in flags] == [
        ("duplicate_conflict", "warning", "kept 0.200, discarded 0.900 (file #3 of ingest run R1)")
    ]


def _register(values: list[float]) -> list[dict[str, object]]:
    return register_rows([(START + timedelta(days=n), v) for n, v in enumerate(values)])


def test_register_backwards_unless_rollover_or_meter_exchange():
    settings = VeeSettings.model_validate({"rules": {"register_mismatch": {"enabled": False}}})
    flags = _flags(reads_table(_register([1000.0, 1010.0, 990.0, 995.0])), settings)
    assert [(f["rule"], f["severity"], f["measure"]) for f in flags] == [
        ("register_backwards", "error", 20.0)
    ]
    rollover = _flags(reads_table(_register([999_990.0, 5.0, 20.0])), settings)
    assert [(f["rule"], f["severity"]) for f in rollover] == [("register_reset", "info")]
    assert "rolled over" in rollover[0]["detail"]
    exchange = _flags(reads_table(_register([5000.0, 12.0, 30.0])), settings)
    assert [f["rule"] for f in exchange] == ["register_reset"]
    assert "meter exchange" in exchange[0]["detail"]


@pytest.mark.parametrize(("advance", "flagged"), [(18.0, False), (18.1, False), (19.0, True)])
def test_register_mismatch_compares_complete_interval_sums(advance: float, flagged: bool):
    values: list[float | None] = [0.25, 0.5] * 24  # 18 kWh a day
    rows = interval_rows(values)
    registers = _register([100.0, 100.0 + advance])
    flags = _flags(reads_table(rows, registers))
    assert (_rules(flags) == ["register_mismatch"]) is flagged
    if flagged:
        assert flags[0]["measure"] == pytest.approx(18.0 - advance)


def test_register_mismatch_skips_brackets_with_missing_intervals():
    values: list[float | None] = [0.25, 0.5] * 24
    values[7] = None
    flags = _flags(reads_table(interval_rows(values), _register([100.0, 150.0])))
    assert _rules(flags) == ["gap"]


def test_disabled_rules_and_changed_severities():
    values = daily_profile(1)
    values[3] = -0.4
    settings = VeeSettings.model_validate(
        {"rules": {"negative": {"severity": "warning"}, "gap": {"enabled": False}}}
    )
    values[9] = None
    flags = _flags(reads_table(interval_rows(values)), settings)
    assert [(f["rule"], f["severity"]) for f in flags] == [("negative", "warning")]


def test_fifteen_minute_series_get_their_own_grid():
    values = daily_profile(1)
    values[20] = None
    rows = interval_rows(values, step_minutes=15)
    gaps = [f for f in _flags(reads_table(rows)) if f["rule"] == "gap"]
    assert [(g["reading_date_time"], g["measure"]) for g in gaps] == [
        (START + timedelta(minutes=300), 15.0)
    ]
