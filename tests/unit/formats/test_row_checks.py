"""The row rules in Python: why a parsed row is left out of the lake (issue 20's calls)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from meterlake.formats.london import LONDON
from meterlake.formats.mdm import MDM, MDM_GENERATOR
from meterlake.formats.row_checks import MISSING_ID, MISSING_TIME, clean_meter_id, row_problem

TIME = "2012-10-12 00:30:00.0000000"


def _london(meter: str = "MAC1", time: str = TIME, value: str = "0.5") -> list[str]:
    return [meter, "Std", time, value, "ACORN-A", "Affluent"]


@pytest.mark.parametrize("meter", [" MAC1 ", "\tMAC1", "\u00a0MAC1\u2028"])
def test_blanks_around_ids_are_trimmed(meter: str):
    assert clean_meter_id(meter) == "MAC1"
    assert row_problem(LONDON, _london(meter)) is None


@pytest.mark.parametrize(
    ("meter", "reason"),
    [("", MISSING_ID), ("  ", MISSING_ID), ("Null", MISSING_ID), ("M\x01", "garbled"),
     ("M\ufffd", "garbled"), ("M" * 65, "garbled")],
)  # fmt: skip
def test_empty_or_garbled_ids_are_left_out(meter: str, reason: str):
    assert (row_problem(LONDON, _london(meter)) or "").startswith(reason)


@pytest.mark.parametrize("value", ["NaN", "inf", "-Infinity", "1e308", "1e12", "-1e12"])
def test_non_finite_or_huge_values_are_left_out(value: str):
    assert "not finite or beyond" in (row_problem(LONDON, _london(value=value)) or "")


@pytest.mark.parametrize("value", ["Null", "", "-3", "0", "999999999999"])
def test_missing_negative_and_large_values_are_kept(value: str):
    assert row_problem(LONDON, _london(value=value)) is None


@pytest.mark.parametrize("time", ["", "Null"])
def test_a_missing_time_is_left_out(time: str):
    assert row_problem(LONDON, _london(time=time)) == MISSING_TIME


@pytest.mark.parametrize("time", ["inf", "-infinity", "0000-01-01", "-0001-01-01", "10000-01-01"])
def test_times_outside_years_1_to_9999_are_left_out(time: str):
    assert "outside years 1 to 9999" in (row_problem(LONDON, _london(time=time)) or "")


def test_a_future_time_is_kept():
    assert row_problem(LONDON, _london(time="2999-01-01 00:00:00")) is None


@pytest.mark.parametrize(
    ("time", "problem"),
    [("2021010100240000", None), (" 2021010100240000 ", None), ("202101010124000", "bad time"),
     ("20210101012400000", "bad time"), ("2021013201240000", "impossible"),
     ("2021010125240000", "impossible"), ("2021010101246000", "impossible")],
)  # fmt: skip
def test_hh24_times_are_read_at_exactly_their_width(time: str, problem: str | None):
    layout = replace(MDM, delimiter=";", timestamp_format="%Y%m%d%H24%M%S")
    found = row_problem(layout, ["M1", "1.8.0", time, "1.5", "", "INT"])
    assert (found is None) if problem is None else (problem in (found or ""))


def test_a_row_of_the_wrong_width_is_the_engines_to_reject():
    assert row_problem(LONDON, ["", "", ""]) is None
    assert row_problem(LONDON, [*_london(meter=""), ""]) == MISSING_ID  # a trailing delimiter
    assert row_problem(LONDON, [*_london(meter=""), "", "", ""]) == MISSING_ID
    assert row_problem(LONDON, [*_london(meter=""), "", "x"]) is None


def test_only_ascii_digits_make_a_value_of_an_error_code_column():
    fields = ["M1", "1.8.0", "2021010100240000", "\u0664\uff19E+99", "AGG", *"abcdefg"]
    assert row_problem(MDM_GENERATOR, fields) is None  # an error code, as DuckDB reads it
