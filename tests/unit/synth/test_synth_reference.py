"""Weather, geo and households reference files of a generated fleet."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from meterlake.synth import FleetFiles

MakeFleet = Callable[..., FleetFiles]
LoadReadings = Callable[[FleetFiles], pd.DataFrame]
WEATHER_HEADER = (
    "visibility,windBearing,temperature,time,dewPoint,pressure,apparentTemperature,windSpeed,"
    "precipType,icon,humidity,summary\n"
)
GEO_ROW = re.compile(r"MAC\d{6},51\.\d{8},-?0\.\d{8}\n")


def _weather(files: FleetFiles) -> pd.DataFrame:
    return pd.read_csv(files.weather, parse_dates=["time"], date_format="%Y-%m-%d %H:%M:%S")


def test_weather_has_the_darksky_schema_hour_by_hour(make_fleet: MakeFleet) -> None:
    files = make_fleet()
    assert files.weather.name == "weather_hourly_darksky.csv"
    text = files.weather.read_text(encoding="utf-8")
    assert text.startswith(WEATHER_HEADER)
    assert re.search(r"\n[^,\n]*,\d+,-?\d+\.\d\d,2013-01-01 01:00:00,", text)
    weather = _weather(files)
    expected = pd.date_range("2013-01-01", "2013-01-22", freq="h", inclusive="left")
    assert (weather["time"] == expected).all()
    assert weather["humidity"].between(0.0, 1.0).all()
    assert set(weather["precipType"]) <= {"rain", "snow"}
    assert weather["windBearing"].between(0, 359).all()
    assert weather.notna().all().all()


def test_weather_icons_agree_with_their_summary(make_fleet: MakeFleet) -> None:
    weather = _weather(make_fleet(start=dt.date(2012, 1, 1), end=dt.date(2013, 1, 1)))
    pairs = set(zip(weather["icon"], weather["summary"], strict=True))
    assert ("rain", "Light Rain") in pairs
    assert ("clear-night", "Clear") in pairs
    assert all(icon.startswith("partly") for icon, summary in pairs if summary == "Partly Cloudy")
    assert weather["temperature"].between(-15.0, 38.0).all()
    monthly = weather.groupby(weather["time"].dt.month)["temperature"].mean()
    assert monthly[7] - monthly[1] > 8.0


def test_temperature_is_a_function_of_seed_and_time(make_fleet: MakeFleet) -> None:
    long = _weather(make_fleet(start=dt.date(2013, 1, 1), end=dt.date(2013, 2, 1)))
    short = _weather(make_fleet(start=dt.date(2013, 1, 10), end=dt.date(2013, 1, 12)))
    merged = short.merge(long, on="time", suffixes=("_short", "_long"))
    assert len(merged) == 48
    assert (merged["temperature_short"] == merged["temperature_long"]).all()


def test_colder_winter_days_use_more_energy(
    make_fleet: MakeFleet, load_readings: LoadReadings
) -> None:
    files = make_fleet(
        meters=30, start=dt.date(2012, 12, 1), end=dt.date(2013, 3, 1), anomalies_per_meter_year=0.0
    )
    readings, weather = load_readings(files), _weather(files)
    days = readings["time"].dt.date
    usage = readings.groupby([readings["meter_id"], days])["kwh"].sum().groupby(level=1).median()
    temperature = weather.groupby(weather["time"].dt.date)["temperature"].mean()
    assert np.corrcoef(usage, temperature.loc[usage.index])[0, 1] < -0.5


def test_geo_has_one_row_per_meter_in_london(
    make_fleet: MakeFleet, load_readings: LoadReadings
) -> None:
    files = make_fleet(meters=40)
    assert files.geo.name == "meter-geo-data.csv"
    lines = files.geo.read_text(encoding="ascii").splitlines(keepends=True)
    assert [line for line in lines if not GEO_ROW.fullmatch(line)] == []
    geo = pd.read_csv(files.geo, header=None, names=["meter_id", "lat", "long"])
    assert geo["meter_id"].tolist() == [f"MAC{number:06d}" for number in range(2, 42)]
    assert set(load_readings(files)["meter_id"]) <= set(geo["meter_id"])
    assert geo["lat"].between(51.3, 51.7).all()
    assert geo["long"].between(-0.5, 0.3).all()


def test_households_name_each_meters_tariff_acorn_and_file(make_fleet: MakeFleet) -> None:
    files = make_fleet(meters=20, files=3)
    assert files.households.name == "informations_households.csv"
    assert files.households.read_text(encoding="utf-8").startswith(
        "LCLid,stdorToU,Acorn,Acorn_grouped,file\n"
    )
    households = pd.read_csv(files.households, dtype=str, keep_default_na=False)
    assert households["LCLid"].tolist() == [f"MAC{number:06d}" for number in range(2, 22)]
    readings = pd.concat(
        [pd.read_csv(path, dtype=str).assign(file=path.stem) for path in files.readings]
    )
    seen = readings.groupby("LCLid")[["stdorToU", "Acorn", "Acorn_grouped", "file"]].agg(set)
    assert (seen.map(len) == 1).all().all()  # one tariff, category and file per meter
    expected = households.set_index("LCLid").loc[seen.index]
    assert (seen.map(lambda values: next(iter(values))) == expected).all().all()
    assert households["file"].nunique() == 3
