import warnings
from datetime import datetime, timedelta

import numpy as np
import pytest

from meterlake.analytics.forecast import seasonal_naive


def test_column_quantiles_match_numpy_nanquantile():
    rng = np.random.default_rng(3)
    levels = np.array([0.1, 0.5, 0.9])
    for _ in range(20):
        table = rng.random((int(rng.integers(1, 10)), 30))
        table[rng.random(table.shape) < 0.3] = np.nan
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            expected = np.nanquantile(table, levels, axis=0)
        got = seasonal_naive.column_quantiles(table, levels)
        assert np.allclose(expected, got, equal_nan=True)


def test_each_hour_uses_the_same_hour_of_the_week():
    start = datetime(2013, 1, 1, 5)
    series = np.random.default_rng(1).random(24 * 60)
    first, values = seasonal_naive.forecast_quantiles(start, series, 168, (0.1, 0.5, 0.9))
    assert first == start + timedelta(hours=len(series))
    week_hour = (np.arange(len(series)) + start.weekday() * 24 + start.hour) % 168
    for step in (0, 17, 100, 167):
        moment = first + timedelta(hours=step)
        same = series[week_hour == moment.weekday() * 24 + moment.hour]
        assert values[step] == pytest.approx(np.quantile(same, [0.1, 0.5, 0.9]))


def test_short_history_falls_back_to_the_hour_of_the_day():
    first, values = seasonal_naive.forecast(datetime(2013, 1, 1), np.arange(30.0), 168, 0.5)
    assert first == datetime(2013, 1, 2, 6)
    assert list(values[:3]) == [6.0, 7.0, 8.0]  # 06:00-08:00 seen once, on 1 January
    assert values[23] == 17.0  # 05:00 seen on both days: median of 5 and 29
