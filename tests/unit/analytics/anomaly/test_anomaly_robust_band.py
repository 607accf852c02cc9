"""The default detector: calibrated, robust, calendar- and level-change-aware, vectorised."""

from __future__ import annotations

import time

import numpy as np
import pyarrow as pa
import pytest

from meterlake.analytics.anomaly.matrix import DailyMatrix, DailyWeather, anomaly_table
from meterlake.analytics.anomaly.robust_band import RobustDetector
from meterlake.schema import ANOMALY

DAYS = np.arange("2013-01-01", "2014-01-01", dtype="datetime64[D]")
WEEKEND = ((DAYS.astype(np.int64) + 3) % 7) >= 5
SEASON = 11.0 - 7.0 * np.cos(2 * np.pi * (np.arange(DAYS.size) - 20) / 365.25)
#: Weather fronts: a few degrees of day-to-day swing that no yearly harmonic follows.
TEMPERATURE = SEASON + np.convolve(
    np.random.default_rng(99).normal(0.0, 2.0, DAYS.size + 4), np.ones(5) / 2.0, mode="valid"
)


def _fleet(meters: int, seed: int = 0, heating: float = 0.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    level = rng.lognormal(np.log(8.0), 0.3, (meters, 1))
    weather = 1.0 + heating * np.maximum(15.5 - TEMPERATURE, 0.0)
    noise = rng.lognormal(0.0, 0.12, (meters, DAYS.size))
    return level * np.where(WEEKEND, 1.15, 1.0) * weather * noise


def _matrix(values: np.ndarray) -> DailyMatrix:
    return DailyMatrix([f"M{i:04d}" for i in range(len(values))], DAYS, values)


def _flags(matrix: DailyMatrix, weather: DailyWeather | None = None) -> np.ndarray:
    band = RobustDetector().band(matrix, weather)
    above = matrix.values > band.upper
    below = matrix.values < band.lower
    return above.astype(int) - below.astype(int)


def test_band_is_calibrated_on_clean_meters():
    matrix = _matrix(_fleet(300))
    band = RobustDetector().band(matrix)
    inside = (matrix.values >= band.lower) & (matrix.values <= band.upper)
    assert 0.965 < inside.mean() < 0.995
    assert np.all(band.lower <= band.yhat)
    assert np.all(band.yhat <= band.upper)


def test_spikes_dips_vacancy_and_zero_days_are_flagged_with_their_sign():
    values = _fleet(4, seed=1)
    values[0, 100] *= 3.0
    values[1, 150:153] *= 0.2
    values[2, 200:210] *= 0.35
    values[3, 250] = 0.0
    flags = _flags(_matrix(values))
    assert flags[0, 100] == 1
    assert np.all(flags[1, 150:153] == -1)
    assert np.all(flags[2, 200:210] == -1)
    assert flags[3, 250] == -1
    assert (flags != 0).mean() < 0.05


def test_outliers_do_not_widen_the_band():
    values = _fleet(2, seed=2)
    values[1, ::10] *= 4.0  # 10 % of days are spikes
    band = RobustDetector().band(_matrix(values))
    widths = np.log(band.upper / band.lower).mean(axis=1)
    assert widths[1] < 1.25 * widths[0]


def test_level_shift_days_stay_flagged_against_the_earlier_behaviour():
    values = _fleet(2, seed=3)
    values[0, 120:] *= 1.7  # an appliance left on
    values[1, 120:] *= 0.4  # a tenant moved out
    flags = _flags(_matrix(values))
    assert (flags[0, 120:] == 1).mean() > 0.9
    assert (flags[1, 120:] == -1).mean() > 0.9
    assert (flags[:, :120] != 0).mean() < 0.05


def test_weekends_are_expected_not_anomalous():
    values = _fleet(50, seed=4)
    values *= np.where(WEEKEND, 1.5, 1.0)
    flags = _flags(_matrix(values))
    assert (flags[:, WEEKEND] != 0).mean() < 0.05


def test_temperature_explains_heating_when_weather_is_loaded():
    matrix = _matrix(_fleet(100, seed=5, heating=0.08))
    weather = DailyWeather(TEMPERATURE, TEMPERATURE - 2.0)
    with_weather = RobustDetector().band(matrix, weather)
    without = RobustDetector().band(matrix)
    width_with = np.log(with_weather.upper / with_weather.lower).mean()
    assert width_with < 0.8 * np.log(without.upper / without.lower).mean()
    inside = (matrix.values >= with_weather.lower) & (matrix.values <= with_weather.upper)
    assert inside.mean() > 0.96


def test_missing_days_short_meters_and_constant_meters():
    values = _fleet(3, seed=6)
    values[0, :300] = np.nan  # joined late
    values[1, 3:] = np.nan  # three days only
    values[2] = 5.0  # constant readings
    matrix = _matrix(values)
    band = RobustDetector().band(matrix)
    for part in (band.yhat, band.lower, band.upper):
        assert np.all(np.isfinite(part))
    table = anomaly_table(matrix, band)
    assert table.num_rows == int(matrix.observed.sum())
    assert table.schema == ANOMALY
    assert (np.array(table.column("anomaly").to_pylist())[-365:] == 0).all()


def test_from_rows_pivots_and_sorts_meters():
    days = np.array(["2013-01-02", "2013-01-01", "2013-01-03"], dtype="datetime64[D]")
    matrix = DailyMatrix.from_rows(pa.array(["B", "A", "B"]), days, np.array([1.0, 2.0, 3.0]))
    assert matrix.meter_ids == ["A", "B"]
    assert matrix.values[0, 0] == 2.0
    assert np.isnan(matrix.values[0, 1])
    assert matrix.values[1].tolist()[1:] == [1.0, 3.0]


@pytest.mark.slow
def test_thousands_of_meters_in_well_under_a_second_per_thousand():
    matrix = _matrix(_fleet(3000, seed=7))
    started = time.perf_counter()
    RobustDetector().band(matrix)
    assert time.perf_counter() - started < 5.0  # about 0.4 s idle; generous for shared CPUs
