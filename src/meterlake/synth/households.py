"""Household profiles and their half-hourly consumption."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from meterlake.synth.acorn import Acorn, draw_acorn
from meterlake.synth.timeline import SLOTS_PER_DAY

Tariff = Literal["Std", "ToU"]
_SLOT_HOURS = (np.arange(SLOTS_PER_DAY) + 0.5) / 2.0
_HEATING_BASE_C = 15.5
_COOLING_BASE_C = 18.0


@dataclass(frozen=True, eq=False)
class Household:
    """Everything that makes one meter's load; ``first``/``last`` bound its active intervals."""

    index: int
    meter_id: str
    acorn: Acorn
    tariff: Tariff
    daily_kwh: float
    base_share: float
    weekday_shape: npt.NDArray[np.float64]
    weekend_shape: npt.NDArray[np.float64]
    heating: float
    cooling: float
    first: int
    last: int

    @property
    def base_kwh(self) -> float:
        """Base (always-on) load per half hour."""
        return self.daily_kwh * self.base_share / SLOTS_PER_DAY


def meter_id(index: int) -> str:
    """LCL-style id: ``MAC000002`` for index 0."""
    return f"MAC{index + 2:06d}"


def _bump(centre: float, width: float) -> npt.NDArray[np.float64]:
    distance = (_SLOT_HOURS - centre + 12.0) % 24.0 - 12.0
    return np.asarray(np.exp(-0.5 * (distance / width) ** 2))


def _rising(hour: float) -> npt.NDArray[np.float64]:
    return np.asarray(1.0 / (1.0 + np.exp(-(_SLOT_HOURS - hour) * 2.0)))


def _daytime() -> npt.NDArray[np.float64]:
    """About 1 between 08:30 and 17:00, about 0 otherwise."""
    return _rising(8.5) - _rising(17.0)


def _shapes(rng: np.random.Generator, tariff: Tariff) -> tuple[npt.NDArray[np.float64], ...]:
    """Weekday and weekend shapes of the variable load, each summing to 1."""
    morning, evening = rng.uniform(6.5, 8.5), rng.uniform(17.5, 20.0)
    widths = rng.uniform(0.8, 1.5), rng.uniform(1.5, 2.5)
    heights = rng.uniform(0.5, 1.2), rng.uniform(1.0, 2.0), rng.uniform(0.1, 0.5)
    night = 0.0 if tariff == "Std" else rng.uniform(0.4, 1.0)
    evening_peak = heights[1] * _bump(evening, widths[1]) * (0.8 if night else 1.0)
    common = evening_peak + night * _bump(3.0, 1.5)
    weekday = common + heights[0] * _bump(morning, widths[0]) + heights[2] * _daytime()
    weekend = common + 0.9 * heights[0] * _bump(morning + 1.5, widths[0] * 1.4)
    weekend = weekend + 2.0 * heights[2] * _daytime()
    return weekday / weekday.sum(), weekend / weekend.sum()


def _active_span(rng: np.random.Generator, intervals: int) -> tuple[int, int]:
    """Most meters cover the whole range; some join late or leave early."""
    days = max(intervals // SLOTS_PER_DAY, 1)
    first = int(rng.uniform(0.0, 0.6) * days) * SLOTS_PER_DAY if rng.random() < 0.2 else 0
    last = intervals
    if rng.random() < 0.12:
        last = int(rng.uniform(0.4, 1.0) * days) * SLOTS_PER_DAY
    return first, min(max(last, first + SLOTS_PER_DAY), intervals)


def draw_household(rng: np.random.Generator, index: int, intervals: int) -> Household:
    """Draw one household's profile and active span."""
    acorn = draw_acorn(rng)
    tariff: Tariff = "ToU" if rng.random() < 0.2 else "Std"
    weekday, weekend = _shapes(rng, tariff)
    heating = rng.uniform(0.08, 0.12) if rng.random() < 0.08 else rng.uniform(0.015, 0.05)
    cooling = rng.uniform(0.02, 0.05) if rng.random() < 0.25 else 0.0
    first, last = _active_span(rng, intervals)
    return Household(
        index=index,
        meter_id=meter_id(index),
        acorn=acorn,
        tariff=tariff,
        daily_kwh=float(rng.lognormal(np.log(7.5), 0.3) * acorn.level),
        base_share=float(rng.uniform(0.25, 0.45)),
        weekday_shape=weekday,
        weekend_shape=weekend,
        heating=float(heating),
        cooling=float(cooling),
        first=first,
        last=last,
    )


def consumption(
    household: Household,
    daily_temperature: npt.NDArray[np.float64],
    weekend: npt.NDArray[np.bool_],
    rng: np.random.Generator,
) -> npt.NDArray[np.float64]:
    """kWh of each active interval, never negative.

    ``daily_temperature`` and ``weekend`` cover the active days only.
    """
    days = len(daily_temperature)
    weather = 1.0 + household.heating * np.maximum(_HEATING_BASE_C - daily_temperature, 0.0)
    weather += household.cooling * np.maximum(daily_temperature - _COOLING_BASE_C, 0.0)
    day_factor = weather * rng.lognormal(-0.0072, 0.12, days) * np.where(weekend, 1.08, 1.0)
    shapes = np.where(weekend[:, None], household.weekend_shape, household.weekday_shape)
    variable = shapes * (1.0 - household.base_share) * rng.lognormal(-0.08, 0.4, shapes.shape)
    load = household.daily_kwh * (variable + household.base_share / SLOTS_PER_DAY)
    values = (load * day_factor[:, None]).ravel()
    bursts = rng.random(values.size) < 0.02
    values[bursts] += rng.uniform(0.05, 0.4, int(bursts.sum()))
    return np.asarray(np.maximum(values, 0.0))
