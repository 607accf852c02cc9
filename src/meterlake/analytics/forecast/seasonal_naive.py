"""Seasonal-naive forecaster: next week's hours from the same hour of the week in the history.

For each future hour the forecast quantile is the empirical quantile of the history's values at
that hour of the week (all complete and partial weeks), so P50 repeats a typical week and P90
its high side. A meter with less than a week of history falls back to the quantile of its
same hour of the day, then of all its hours.
"""

from __future__ import annotations

import warnings
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

HOURS_PER_WEEK = 168


def regular_hours(
    hours: list[datetime], values: list[float]
) -> tuple[datetime, npt.NDArray[np.float64]]:
    """A gap-free hourly series from the first to the last observed hour (gaps are 0 kWh)."""
    start = hours[0]
    length = int((hours[-1] - start) / timedelta(hours=1)) + 1
    series = np.zeros(length)
    for hour, value in zip(hours, values, strict=True):
        series[int((hour - start) / timedelta(hours=1))] = value
    return start, series


def forecast(
    start: datetime, series: npt.NDArray[np.float64], horizon: int, quantile: float
) -> tuple[datetime, npt.NDArray[np.float64]]:
    """``horizon`` hourly values from the hour after the series ends, at ``quantile``."""
    first, values = forecast_quantiles(start, series, horizon, (quantile,))
    return first, values[:, 0]


def forecast_quantiles(
    start: datetime, series: npt.NDArray[np.float64], horizon: int, quantiles: tuple[float, ...]
) -> tuple[datetime, npt.NDArray[np.float64]]:
    """``horizon`` x ``len(quantiles)`` hourly values from the hour after the series ends."""
    first = start + timedelta(hours=len(series))
    by_week_hour = _table(series, _week_hour(start), HOURS_PER_WEEK)
    by_day_hour = _table(series, start.hour, 24)
    levels = np.asarray(quantiles)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: hours never seen
        week = np.nanquantile(by_week_hour, levels, axis=0)  # quantiles x 168
        day = np.nanquantile(by_day_hour, levels, axis=0)  # quantiles x 24
    overall = np.quantile(series, levels)
    out = np.empty((horizon, len(quantiles)))
    for step in range(horizon):
        moment = first + timedelta(hours=step)
        choice = week[:, _week_hour(moment)]
        if np.isnan(choice).any():
            choice = day[:, moment.hour]
        out[step] = overall if np.isnan(choice).any() else choice
    return first, out


def _table(series: npt.NDArray[np.float64], offset: int, period: int) -> npt.NDArray[np.float64]:
    """``series`` laid out as rows of one period each (NaN where it has no value)."""
    padded = np.full(offset + len(series) + (-(offset + len(series)) % period), np.nan)
    padded[offset : offset + len(series)] = series
    return padded.reshape(-1, period)


def _week_hour(moment: datetime) -> int:
    return moment.weekday() * 24 + moment.hour
