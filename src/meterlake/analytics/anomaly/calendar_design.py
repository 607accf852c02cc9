"""Day features shared by every meter: level, weekend, bank holiday, and season or temperature.

Season comes from daily mean temperature (a piecewise-linear response with 5 degree knots) when
weather covers the window, otherwise from two yearly harmonics. Each column has a ridge penalty
so short or holiday-poor series shrink towards "no effect" instead of fitting noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from meterlake.analytics.anomaly.holidays import holiday_mask

Floats = npt.NDArray[np.float64]

#: Knots (degrees C) of the temperature response; every 5 degrees over a UK year's range.
TEMPERATURE_KNOTS = (5.0, 10.0, 15.0, 20.0)
#: Share of the window's days that need a temperature before weather is used.
WEATHER_COVERAGE = 0.9
_YEAR_DAYS = 365.25
_SATURDAY = 5


@dataclass(frozen=True, eq=False)
class Design:
    """Columns (days x features), their names and ridge penalties."""

    columns: Floats
    names: tuple[str, ...]
    penalty: Floats


def usable_temperature(temperature: Floats | None) -> Floats | None:
    """Gap-filled temperature if it covers enough days, else ``None``."""
    if temperature is None or temperature.size == 0:
        return None
    known = np.isfinite(temperature)
    if known.mean() < WEATHER_COVERAGE:
        return None
    positions = np.arange(temperature.size)
    return np.interp(positions, positions[known], temperature[known])


def day_design(days: npt.NDArray[np.datetime64], temperature: Floats | None) -> Design:
    """The design matrix of ``days`` (``datetime64[D]``)."""
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    weekend = (weekday >= _SATURDAY).astype(np.float64)
    holiday = holiday_mask(days).astype(np.float64)
    filled = usable_temperature(temperature)
    if filled is not None:
        season = [(filled - 12.0) / 10.0] + [
            np.maximum(filled - knot, 0.0) / 10.0 for knot in TEMPERATURE_KNOTS
        ]
        names = ("temperature", *(f"above_{knot:g}C" for knot in TEMPERATURE_KNOTS))
    else:
        angle = 2.0 * np.pi * days.astype(np.int64) / _YEAR_DAYS
        season = [np.sin(angle), np.cos(angle), np.sin(2 * angle), np.cos(2 * angle)]
        names = ("year_sin1", "year_cos1", "year_sin2", "year_cos2")
    columns = np.column_stack([np.ones(days.size), weekend, holiday, *season])
    penalty = np.array([0.0, 2.0, 8.0] + [4.0] * len(season))
    return Design(columns, ("level", "weekend", "holiday", *names), penalty)
