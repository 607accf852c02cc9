"""Ground truth of a generated fleet: anomalies and outages match the readings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from meterlake.synth import FleetFiles

MakeFleet = Callable[..., FleetFiles]
LoadReadings = Callable[[FleetFiles], pd.DataFrame]
ANOMALY_KINDS = {"spike", "dip", "vacancy", "level_shift"}


def _truth(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path)
    frame["start"] = pd.to_datetime(frame["start"], format="ISO8601")
    frame["end"] = pd.to_datetime(frame["end"], format="ISO8601")
    return frame


def _window(readings: pd.DataFrame, row: pd.Series) -> pd.DataFrame:
    times = readings["time"]
    inside = (readings["meter_id"] == row["meter_id"]) & (times >= row["start"])
    return readings[inside & (times < row["end"])]


def test_anomalies_refer_to_existing_meters_within_range(
    make_fleet: MakeFleet, load_readings: LoadReadings
) -> None:
    files = make_fleet(meters=20, anomalies_per_meter_year=20.0)
    anomalies = _truth(files.anomalies)
    readings = load_readings(files)
    assert list(anomalies.columns) == ["meter_id", "start", "end", "kind"]
    assert len(anomalies) > 5
    assert set(anomalies["kind"]) <= ANOMALY_KINDS
    assert set(anomalies["meter_id"]) <= set(readings["meter_id"])
    assert (anomalies["start"] < anomalies["end"]).all()
    assert (anomalies["start"] >= pd.Timestamp("2013-01-01")).all()
    assert (anomalies["end"] <= pd.Timestamp("2013-01-22")).all()


def test_anomalies_change_the_readings(make_fleet: MakeFleet, load_readings: LoadReadings) -> None:
    files = make_fleet(meters=30, outages=0, end=dt.date(2013, 4, 1), anomalies_per_meter_year=12.0)
    anomalies, readings = _truth(files.anomalies), load_readings(files)
    typical = readings.groupby("meter_id")["kwh"].mean()
    ratios: dict[str, list[float]] = {kind: [] for kind in ANOMALY_KINDS}
    for _, row in anomalies.iterrows():
        window = _window(readings, row)
        ratios[str(row["kind"])].append(window["kwh"].mean() / typical[row["meter_id"]])
    assert np.median(ratios["spike"]) > 2.5
    assert np.median(ratios["dip"]) < 0.4
    assert np.median(ratios["vacancy"]) < 0.6
    assert all(ratios.values())


def test_outage_meters_read_zero_or_are_missing(
    make_fleet: MakeFleet, load_readings: LoadReadings
) -> None:
    files = make_fleet(meters=40, outages=6, null_rate=0.05, duplicate_rate=0.05)
    outages, readings = _truth(files.outages), load_readings(files)
    assert list(outages.columns) == ["outage_id", "meter_id", "start", "end", "kind"]
    assert outages["outage_id"].nunique() == 6
    assert set(outages["meter_id"]) <= set(readings["meter_id"])
    for _, row in outages.iterrows():
        window = _window(readings, row)
        if row["kind"] == "missing":
            assert window.empty
        else:
            assert row["kind"] == "zero"
            assert not window.empty
            assert (window["kwh"] == 0.0).all()


def test_outages_hit_several_nearby_meters_for_hours(make_fleet: MakeFleet) -> None:
    files = make_fleet(meters=60, outages=8)
    outages = _truth(files.outages)
    geo = pd.read_csv(files.geo, header=None, names=["meter_id", "lat", "long"], index_col=0)
    hours = (outages["end"] - outages["start"]) / pd.Timedelta(hours=1)
    assert hours.between(1.0, 8.0).all()
    for _, event in outages.groupby("outage_id"):
        assert event["meter_id"].is_unique and len(event) >= 2
        assert event["start"].nunique() == 1 and event["kind"].nunique() == 1
        spots = geo.loc[event["meter_id"]]
        assert spots["lat"].max() - spots["lat"].min() < 0.15
