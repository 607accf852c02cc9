"""Ordinary zero-usage periods: meters that read 0.000 without any outage.

Two kinds seen in real exports: ``night_idle`` meters have no standby load (a holiday flat, a
garage, a supply with everything switched off at night) and read zero every night, and ``away``
periods are days when the occupants switched the main off while away. Neither is an outage, and
a detector that reports them as one is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from meterlake.synth.households import Household
from meterlake.synth.timeline import SLOTS_PER_DAY

ZeroUsageKind = Literal["night_idle", "away"]
_INTERVALS_PER_YEAR = 365.0 * SLOTS_PER_DAY


@dataclass(frozen=True)
class ZeroUsage:
    """One zero-usage period on the fleet's interval grid; ``end`` is exclusive.

    ``night_idle`` spans the meter's whole active range; it reads zero from ``night[0]`` to
    ``night[1]`` (slots of the day, wrapping past midnight) every day.
    """

    meter_index: int
    kind: ZeroUsageKind
    start: int
    end: int
    night: tuple[int, int] = (0, 0)


def draw_zero_usage(
    household: Household, idle_share: float, away_per_year: float, rng: np.random.Generator
) -> list[ZeroUsage]:
    """The zero-usage periods of one meter (none when both rates are 0)."""
    periods: list[ZeroUsage] = []
    if rng.random() < idle_share:
        night = (int(rng.integers(44, 50)) % SLOTS_PER_DAY, int(rng.integers(10, 15)))
        periods.append(
            ZeroUsage(household.index, "night_idle", household.first, household.last, night)
        )
    active = household.last - household.first
    for _ in range(int(rng.poisson(away_per_year * active / _INTERVALS_PER_YEAR))):
        length = int(rng.integers(2, 15)) * SLOTS_PER_DAY + int(rng.integers(-8, 9))
        start = int(
            rng.integers(household.first, max(household.last - length, household.first) + 1)
        )
        end = min(start + length, household.last)
        if end > start:
            periods.append(ZeroUsage(household.index, "away", start, end))
    return periods


def apply_zero_usage(
    values: npt.NDArray[np.float64], household: Household, periods: list[ZeroUsage]
) -> None:
    """Set the periods' readings to exactly 0 (in place; ``values`` covers the active span)."""
    slots = (np.arange(values.size) + household.first) % SLOTS_PER_DAY
    for period in periods:
        if period.kind == "night_idle":
            sleep, wake = period.night
            values[(slots >= sleep) | (slots < wake)] = 0.0
        else:
            values[period.start - household.first : period.end - household.first] = 0.0
