"""Independent, reproducible random streams for the fleet and for each meter.

Every stream is seeded by a fixed-length key, so a meter's numbers depend only on the seed and
its index (never on how meters are split into files), and changing one rate (say the null rate)
does not change the consumption drawn by another stream.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

_FLEET_DOMAIN = 0
_METER_DOMAIN = 1


class Stream(IntEnum):
    """What a random stream is used for."""

    HOUSEHOLD = 1
    CONSUMPTION = 2
    ANOMALIES = 3
    DEFECTS = 4
    WEATHER = 5
    GEO = 6
    OUTAGES = 7
    ZERO_USAGE = 8


def fleet_rng(seed: int, stream: Stream) -> np.random.Generator:
    """Generator for a fleet-wide stream (weather, geo, outages)."""
    return np.random.default_rng([seed, _FLEET_DOMAIN, 0, int(stream)])


def meter_rng(seed: int, meter_index: int, stream: Stream) -> np.random.Generator:
    """Generator for one meter's stream."""
    return np.random.default_rng([seed, _METER_DOMAIN, meter_index, int(stream)])
