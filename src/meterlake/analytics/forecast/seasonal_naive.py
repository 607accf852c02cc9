"""Seasonal-naive forecaster: next week's hours from the same hour of the week in the history.

For each future hour the forecast quantile is the empirical quantile of the history's values at
that hour of the week (all complete and partial weeks), so P50 repeats a typical week and P90
its high side. A meter with less than a week of history falls back to the quantile of its
same hour of the day, then of all its hours.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

HOURS_PER_WEEK = 168


def regular_hours(
    hours: npt.NDArray[np.int64], values: npt.NDArray[np.float64]
) -> tuple[datetime, npt.NDArray[np.float64]]:
    """A gap-free hourly series from the first to the last observed hour (gaps are 0 kWh).

    ``hours`` count from the epoch, ascending; a missing value (NaN) counts as 0 kWh too.
    """
    first = int(hours[0])
    series = np.zeros(int(hours[-1]) - first + 1)
    series[hours - first] = np.nan_to_num(values, nan=0.0)
    return datetime(1970, 1, 1) + timedelta(hours=first), series


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
    week = column_quantiles(by_week_hour, levels)  # quantiles x 168, NaN for unseen hours
    day = column_quantiles(by_day_hour, levels)  # quantiles x 24
    overall = np.quantile(series, levels)
    steps = np.arange(horizon)
    chosen = week[:, (_week_hour(first) + steps) % HOURS_PER_WEEK]  # quantiles x horizon
    by_day = day[:, (first.hour + steps) % 24]
    chosen = np.where(np.isnan(chosen).any(axis=0), by_day, chosen)
    chosen = np.where(np.isnan(chosen).any(axis=0), overall[:, None], chosen)
    return first, chosen.T


def column_quantiles(
    table: npt.NDArray[np.float64], levels: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Quantiles of each column ignoring NaN (numpy's linear method), vectorised.

    ``np.nanquantile(axis=0)`` loops over columns in Python; this sorts once instead.
    """
    ordered = np.sort(table, axis=0)  # NaN sort last
    counts = np.count_nonzero(~np.isnan(table), axis=0)
    out = np.full((len(levels), table.shape[1]), np.nan)
    seen = counts > 0
    position = (counts[seen] - 1)[None, :] * levels[:, None]
    low = np.floor(position).astype(np.int64)
    high = np.ceil(position).astype(np.int64)
    columns = ordered[:, seen]
    index = np.arange(columns.shape[1])[None, :]
    below, above = columns[low, index], columns[high, index]
    out[:, seen] = below + (above - below) * (position - low)
    return out


def _table(series: npt.NDArray[np.float64], offset: int, period: int) -> npt.NDArray[np.float64]:
    """``series`` laid out as rows of one period each (NaN where it has no value)."""
    padded = np.full(offset + len(series) + (-(offset + len(series)) % period), np.nan)
    padded[offset : offset + len(series)] = series
    return padded.reshape(-1, period)


def _week_hour(moment: datetime) -> int:
    return moment.weekday() * 24 + moment.hour
