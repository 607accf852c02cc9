"""Features of the global model, all known at the forecast origin.

A row describes one meter, one origin (the first forecast hour) and one step ``h`` ahead
(0 .. 167). Every value-based feature looks only at hours before the origin, so one model answers
all 168 steps in a single call (direct multi-horizon forecasting, no recursion) and can never
see the window it forecasts. Values are divided by the meter's recent mean (``scale``) so that
one model serves small and large households alike. A meter's static attributes (tariff, Acorn;
see ``attributes``) are optional trailing columns.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from meterlake.analytics.forecast.calendar import (
    Weather,
    day_of_week,
    hour_of_day,
    uk_holiday,
)

Array = npt.NDArray[np.float64]
Index = npt.NDArray[np.int64]
WEEK = 168
#: Hours of history the features read (four weeks); less is fine, missing values are NaN.
CONTEXT = 4 * WEEK
SCALE_FLOOR = 1e-3
NAMES = (
    "step",
    "hour",
    "weekday",
    "holiday",
    "lag_week_1",
    "lag_week_2",
    "lag_week_3",
    "lag_week_4",
    "lag_same_hour",
    "mean_same_hour_7d",
    "last_hour",
    "mean_24h",
    "mean_168h",
    "std_168h",
    "log_scale",
    "profile_same_day_type_28d",
    "mean_same_hour_28d",
    "temperature",
    "humidity",
    "apparent_temperature",
    "temperature_day_mean",
    "temperature_last_week",
)


class Prefix:
    """Running sums, sums of squares and counts of the known values of a panel."""

    def __init__(self, values: Array) -> None:
        """Prefix sums along the hours of each meter (one column more than ``values``)."""
        known = np.isfinite(values)
        filled = np.where(known, values, 0.0)
        self.sums = _prefix(filled)
        self.squares = _prefix(filled * filled)
        self.counts = _prefix(known.astype(np.float64))

    def window(self, rows: Index, origins: Index, width: int) -> tuple[Array, Array, Array]:
        """Sum, sum of squares and count of the known values in ``[origin - width, origin)``."""
        low = np.maximum(origins - width, 0)
        return tuple(  # type: ignore[return-value]
            p[rows, origins] - p[rows, low] for p in (self.sums, self.squares, self.counts)
        )

    def mean(self, rows: Index, origins: Index, width: int) -> Array:
        """Mean of the known values in the window (NaN when none)."""
        total, _, count = self.window(rows, origins, width)
        with np.errstate(all="ignore"):
            return np.where(count > 0, total / count, np.nan)

    def std(self, rows: Index, origins: Index, width: int) -> Array:
        """Standard deviation of the known values in the window (NaN below two)."""
        total, squares, count = self.window(rows, origins, width)
        with np.errstate(all="ignore"):
            variance = squares / count - (total / count) ** 2
            return np.where(count > 1, np.sqrt(np.maximum(variance, 0.0)), np.nan)


def scales(prefix: Prefix, rows: Index, origins: Index) -> Array:
    """Mean kWh over the four weeks before each origin (floored; 1 kWh when none is known)."""
    mean = prefix.mean(rows, origins, CONTEXT)
    return np.where(np.isfinite(mean), np.maximum(mean, SCALE_FLOOR), 1.0)


def design(
    values: Array,
    rows: Index,
    origins: Index,
    horizon: int,
    *,
    first_hour: int,
    weather: Weather | None,
    attributes: Array | None = None,
) -> tuple[Array, Array]:
    """Feature matrix of ``len(rows) * horizon`` rows (examples outer, steps inner), and scales.

    ``values`` is a panel (meters x hours); example ``e`` is meter ``rows[e]`` forecast from
    column ``origins[e]``; ``first_hour`` is the absolute hour of column 0. The scales (one per
    example) turn scaled predictions back into kWh. ``attributes`` (one row per panel meter)
    adds its columns (``attributes.NAMES``) after ``NAMES``.
    """
    prefix = Prefix(values)
    scale = scales(prefix, rows, origins)
    step = np.tile(np.arange(horizon), len(rows))
    meter = np.repeat(rows, horizon)
    origin = np.repeat(origins, horizon)
    target = origin + step
    per = np.repeat(scale, horizon)
    absolute = first_hour + target
    lags = [_lag(values, meter, target, origin, WEEK * k) for k in (1, 2, 3, 4)]
    days_back = step // 24 + 1
    back = 24 * (days_back[None, :] + np.arange(28)[:, None])  # 28 days back x rows
    same_hour = _lag(values, meter, target, origin, back)
    mean_same = _mean(same_hour[:7])
    off = _off_day(absolute)
    same_type = np.where(_off_day(absolute[None, :] - back) == off[None, :], same_hour, np.nan)
    stats = [
        prefix.mean(rows, origins, 1),
        prefix.mean(rows, origins, 24),
        prefix.mean(rows, origins, WEEK),
        prefix.std(rows, origins, WEEK),
    ]
    columns = [
        step.astype(np.float64),
        hour_of_day(absolute).astype(np.float64),
        day_of_week(absolute).astype(np.float64),
        uk_holiday(absolute),
        *(lag / per for lag in lags),
        same_hour[0] / per,
        mean_same / per,
        *(np.repeat(stat, horizon) / per for stat in stats),
        np.log(per),
        _mean(same_type) / per,
        _mean(same_hour) / per,
    ]
    climate = _climate(weather, absolute, first_hour + origin)
    if attributes is not None:
        return np.column_stack([*columns, climate, np.repeat(attributes[rows], horizon, 0)]), scale
    return np.column_stack([*columns, climate]), scale


def _climate(weather: Weather | None, absolute: Index, origin: Index) -> Array:
    """Weather at the target hour, the target day's mean and the last week's mean temperature."""
    if weather is None:
        return np.full((len(absolute), 5), np.nan)
    before = origin[None, :] - np.arange(1, WEEK + 1, 6)[:, None]  # 28 hours of the last week
    last_week = _mean(weather.at(before.ravel())[:, 0].reshape(before.shape))
    return np.column_stack([weather.at(absolute), weather.day_mean(absolute), last_week])


def _off_day(hours: Index) -> Array:
    """1.0 on weekends and bank holidays."""
    return np.maximum((day_of_week(hours) >= 5).astype(np.float64), uk_holiday(hours))


def _mean(columns: Array | list[Array]) -> Array:
    """Mean of the known values across ``columns`` (rows of a matrix; NaN where none is known)."""
    stacked = columns if isinstance(columns, np.ndarray) else np.vstack(columns)
    seen = np.isfinite(stacked).sum(axis=0)
    with np.errstate(all="ignore"):
        return np.where(seen > 0, np.nansum(stacked, axis=0) / seen, np.nan)


def _lag(values: Array, meter: Index, target: Index, origin: Index, lag: Index | int) -> Array:
    """``values[meter, target - lag]`` where that hour lies before the origin, else NaN.

    ``lag`` may be a matrix with a row per lag: the answer then has the same rows.
    """
    source = target - lag
    known = (source >= 0) & (source < origin)
    out = np.full(source.shape, np.nan)
    out[known] = values[np.broadcast_to(meter, source.shape)[known], source[known]]
    return out


def _prefix(matrix: Array) -> Array:
    out = np.zeros((matrix.shape[0], matrix.shape[1] + 1))
    np.cumsum(matrix, axis=1, out=out[:, 1:])
    return out
