"""Ordinary zero-usage periods: idle nights and away periods read exactly 0 and are recorded."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from meterlake.synth import FleetFiles

MakeFleet = Callable[..., FleetFiles]
LoadReadings = Callable[[FleetFiles], pd.DataFrame]


def _truth(files: FleetFiles) -> pd.DataFrame:
    return pd.read_csv(files.zero_usage, parse_dates=["start", "end"])


def test_none_by_default_and_the_readings_do_not_change(make_fleet: MakeFleet):
    plain = make_fleet()
    assert list(_truth(plain).columns) == ["meter_id", "start", "end", "kind"]
    assert _truth(plain).empty
    zero = make_fleet(idle_share=0.0, away_per_meter_year=0.0)
    assert plain.readings[0].read_bytes() == zero.readings[0].read_bytes()


def test_idle_meters_read_zero_every_night_and_away_periods_read_zero(
    make_fleet: MakeFleet, load_readings: LoadReadings
):
    files = make_fleet(meters=30, idle_share=0.3, away_per_meter_year=20.0, outages=0)
    truth, readings = _truth(files), load_readings(files).dropna()
    assert set(truth["kind"]) == {"night_idle", "away"}
    idle = truth.loc[truth["kind"] == "night_idle", "meter_id"]
    at_three = readings[readings["time"].dt.hour == 3]
    assert (at_three[at_three["meter_id"].isin(idle)]["kwh"] == 0.0).all()
    busy = ~at_three["meter_id"].isin(truth["meter_id"])  # neither idle nor ever away
    assert busy.any()
    assert (at_three[busy]["kwh"] > 0.0).mean() > 0.99
    for row in truth[truth["kind"] == "away"].itertuples():
        inside = readings[
            (readings["meter_id"] == row.meter_id)
            & (readings["time"] >= row.start)
            & (readings["time"] < row.end)
        ]
        assert (inside["kwh"] == 0.0).all()
        assert (row.end - row.start) >= pd.Timedelta(days=1)
