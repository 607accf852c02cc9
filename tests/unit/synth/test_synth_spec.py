"""Validation of FleetSpec."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from meterlake.synth import FleetSpec, expected_rows, generate_fleet, validate_spec


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"meters": 0}, "meters"),
        ({"end": dt.date(2013, 1, 1)}, "end"),
        ({"end": dt.date(2012, 12, 1)}, "end"),
        ({"null_rate": 1.0}, "null_rate"),
        ({"duplicate_rate": -0.1}, "duplicate_rate"),
        ({"missing_rate": 1.5}, "missing_rate"),
        ({"files": 0}, "files"),
        ({"seed": -1}, "seed"),
        ({"outages": -1}, "outages"),
        ({"anomalies_per_meter_year": -1.0}, "anomalies_per_meter_year"),
    ],
)
def test_invalid_specs_are_rejected(
    tmp_path: Path, changes: dict[str, object], message: str
) -> None:
    spec = FleetSpec(**changes)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=message):
        validate_spec(spec)
    with pytest.raises(ValueError, match=message):
        generate_fleet(spec, tmp_path, tmp_path, tmp_path)
    with pytest.raises(ValueError, match=message):
        expected_rows(spec)
    assert not any(tmp_path.iterdir())


def test_every_problem_is_named_at_once() -> None:
    with pytest.raises(ValueError, match=r"meters.*files"):
        validate_spec(FleetSpec(meters=0, files=0))


def test_default_spec_is_valid() -> None:
    validate_spec(FleetSpec())
    assert expected_rows(FleetSpec()) > 50 * 50 * 48
