"""Fixtures for the synthetic fleet tests: generate a small fleet and load its files."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from meterlake.synth import FleetFiles, FleetSpec, generate_fleet

SMALL = FleetSpec(meters=12, start=dt.date(2013, 1, 1), end=dt.date(2013, 1, 22), seed=7)

MakeFleet = Callable[..., FleetFiles]
LoadReadings = Callable[[FleetFiles], pd.DataFrame]


@pytest.fixture
def make_fleet(tmp_path: Path) -> MakeFleet:
    """Generate a fleet in its own folder under tmp_path; keyword arguments override SMALL."""
    counter = iter(range(1000))

    def make(**changes: object) -> FleetFiles:
        spec = dataclasses.replace(SMALL, **changes)  # type: ignore[arg-type]
        root = tmp_path / f"fleet{next(counter)}"
        return generate_fleet(spec, root / "readings", root / "reference", root / "truth")

    return make


def read_readings(files: FleetFiles) -> pd.DataFrame:
    """All reading rows as meter_id, time (datetime), kwh (NaN for Null), in file order."""
    frames = [pd.read_csv(path, na_values=["Null"], dtype=str) for path in files.readings]
    raw = pd.concat(frames, ignore_index=True)
    value = "KWH/hh (per half hour) " if "stdorToU" in raw.columns else "energy(kWh/hh)"
    time = "DateTime" if "DateTime" in raw.columns else "tstp"
    return pd.DataFrame(
        {
            "meter_id": raw["LCLid"],
            "time": pd.to_datetime(raw[time], format="%Y-%m-%d %H:%M:%S.%f"),
            "kwh": pd.to_numeric(raw[value].str.strip()),
        }
    )


@pytest.fixture
def load_readings() -> LoadReadings:
    """The read_readings helper, as a fixture."""
    return read_readings
