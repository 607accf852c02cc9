"""Readings files of a generated fleet: format, order, determinism, splitting, defect rates."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from meterlake.synth import FleetFiles, FleetSpec, expected_rows, generate_fleet

MakeFleet = Callable[..., FleetFiles]
LoadReadings = Callable[[FleetFiles], pd.DataFrame]

LCL_ROW = re.compile(
    r"MAC\d{6},(Std|ToU),\d{4}-\d\d-\d\d \d\d:[03]0:00\.0000000,( \d{1,3}\.\d{3} |Null),"
    r"(ACORN-[A-Q],(Affluent|Comfortable|Adversity)|ACORN-U,ACORN-U|ACORN-,ACORN-)\n"
)
KAGGLE_ROW = re.compile(r"MAC\d{6},\d{4}-\d\d-\d\d \d\d:[03]0:00\.0000000,(\d{1,3}\.\d{3}|Null)\n")
DEFECTS = {"null_rate": 0.01, "duplicate_rate": 0.01, "missing_rate": 0.01}


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="ascii").splitlines(keepends=True)


def test_lcl_header_and_every_row_match_the_format(make_fleet: MakeFleet) -> None:
    files = make_fleet(**DEFECTS)
    lines = _lines(files.readings[0])
    assert files.readings[0].name == "CC_LCL-FullData.csv"
    assert lines[0] == "LCLid,stdorToU,DateTime,KWH/hh (per half hour) ,Acorn,Acorn_grouped\n"
    assert [line for line in lines[1:] if not LCL_ROW.fullmatch(line)] == []
    assert len(lines) - 1 == files.rows


def test_kaggle_header_and_every_row_match_the_format(make_fleet: MakeFleet) -> None:
    files = make_fleet(layout="kaggle", **DEFECTS)
    lines = _lines(files.readings[0])
    assert lines[0] == "LCLid,tstp,energy(kWh/hh)\n"
    assert [line for line in lines[1:] if not KAGGLE_ROW.fullmatch(line)] == []


def test_layouts_carry_the_same_readings(
    make_fleet: MakeFleet, load_readings: LoadReadings
) -> None:
    lcl = load_readings(make_fleet())
    kaggle = load_readings(make_fleet(layout="kaggle"))
    assert lcl.equals(kaggle)


def test_rows_are_ordered_by_meter_then_time(
    make_fleet: MakeFleet, load_readings: LoadReadings
) -> None:
    readings = load_readings(make_fleet())
    ids = readings["meter_id"].drop_duplicates().tolist()
    assert ids == [f"MAC{number:06d}" for number in range(2, 14)]
    keys = list(zip(readings["meter_id"], readings["time"], strict=True))
    assert keys == sorted(keys)


def test_same_spec_gives_the_same_bytes(make_fleet: MakeFleet) -> None:
    first, second = make_fleet(), make_fleet()
    pairs = [
        *zip(first.readings, second.readings, strict=True),
        (first.weather, second.weather),
        (first.geo, second.geo),
        (first.households, second.households),
        (first.anomalies, second.anomalies),
        (first.outages, second.outages),
    ]
    assert all(a.read_bytes() == b.read_bytes() for a, b in pairs)
    assert first.rows == second.rows


def test_other_seed_gives_other_readings(make_fleet: MakeFleet) -> None:
    assert make_fleet().readings[0].read_bytes() != make_fleet(seed=8).readings[0].read_bytes()


def test_split_files_hold_the_same_rows_as_one_file(make_fleet: MakeFleet) -> None:
    single = make_fleet()
    split = make_fleet(files=5)
    assert [path.name for path in split.readings] == [f"block_{n}.csv" for n in range(5)]
    bodies = [_lines(path) for path in split.readings]
    assert all(body[0] == _lines(single.readings[0])[0] for body in bodies)
    assert [row for body in bodies for row in body[1:]] == _lines(single.readings[0])[1:]
    assert split.anomalies.read_bytes() == single.anomalies.read_bytes()
    assert split.rows == single.rows


def test_a_meter_does_not_depend_on_the_fleet_size(
    make_fleet: MakeFleet, load_readings: LoadReadings
) -> None:
    small = load_readings(make_fleet(meters=3, outages=0))
    large = load_readings(make_fleet(meters=9, outages=0))
    first = large[large["meter_id"] == "MAC000002"].reset_index(drop=True)
    assert first.equals(small[small["meter_id"] == "MAC000002"].reset_index(drop=True))


def test_defects_appear_at_about_the_configured_rates(make_fleet: MakeFleet) -> None:
    files = make_fleet(meters=30, outages=0, **DEFECTS)
    lines = [line for path in files.readings for line in _lines(path)[1:]]
    duplicates = sum(a == b for a, b in itertools.pairwise(lines))
    nulls = sum(",Null," in line for line in lines)
    assert duplicates / len(lines) == pytest.approx(0.01, rel=0.3)
    assert nulls / len(lines) == pytest.approx(0.01, rel=0.3)


def test_short_gaps_leave_about_the_missing_rate_out(
    make_fleet: MakeFleet, load_readings: LoadReadings
) -> None:
    readings = load_readings(make_fleet(meters=30, outages=0, **DEFECTS))
    spans = readings.groupby("meter_id")["time"].agg(["min", "max", "nunique"])
    expected = (spans["max"] - spans["min"]) / np.timedelta64(30, "m") + 1
    assert 1 - spans["nunique"].sum() / expected.sum() == pytest.approx(0.01, rel=0.35)


def test_defect_free_fleet_has_no_nulls_duplicates_or_gaps(
    make_fleet: MakeFleet, load_readings: LoadReadings
) -> None:
    rates = dict.fromkeys(DEFECTS, 0.0)
    readings = load_readings(make_fleet(outages=0, **rates))
    assert readings["kwh"].notna().all()
    assert not readings.duplicated().any()
    spans = readings.groupby("meter_id")["time"].agg(["min", "max", "count"])
    assert (spans["max"] - spans["min"] == (spans["count"] - 1) * np.timedelta64(30, "m")).all()


def test_values_are_plausible(make_fleet: MakeFleet, load_readings: LoadReadings) -> None:
    readings = load_readings(make_fleet(meters=30, anomalies_per_meter_year=0.0))
    assert (readings["kwh"].dropna() >= 0).all()
    daily = readings.groupby(["meter_id", readings["time"].dt.date])["kwh"].sum()
    assert 5.0 <= daily.median() <= 15.0


def test_expected_rows_and_progress_track_the_rows_written(tmp_path: Path) -> None:
    spec = FleetSpec(meters=20, seed=3)
    seen: list[int] = []
    files = generate_fleet(spec, tmp_path / "r", tmp_path / "ref", tmp_path / "t", seen.append)
    assert sum(seen) == files.rows
    assert len(seen) == spec.meters
    assert expected_rows(spec) == pytest.approx(files.rows, rel=0.02)


def test_more_files_than_meters_leaves_header_only_blocks(make_fleet: MakeFleet) -> None:
    files = make_fleet(meters=2, files=3)
    assert [len(_lines(path)) > 1 for path in files.readings] == [True, True, False]
