"""Injected consumption anomalies (spike, dip, vacancy, level_shift) and their ground truth."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from meterlake.synth.households import Household
from meterlake.synth.timeline import SLOTS_PER_DAY

AnomalyKind = Literal["spike", "dip", "vacancy", "level_shift"]
_KINDS: tuple[AnomalyKind, ...] = ("spike", "dip", "vacancy", "level_shift")
_KIND_WEIGHTS = (0.4, 0.3, 0.2, 0.1)
_INTERVALS_PER_YEAR = 365.0 * SLOTS_PER_DAY
_PLACEMENT_TRIES = 20


@dataclass(frozen=True)
class Anomaly:
    """One anomaly on the fleet's interval grid; ``end`` is exclusive."""

    meter_index: int
    kind: AnomalyKind
    start: int
    end: int
    factor: float


def _window(rng: np.random.Generator, kind: AnomalyKind, first: int, last: int) -> tuple[int, int]:
    """Start and end of one anomaly inside ``[first, last)``; days are whole for long kinds."""
    day = SLOTS_PER_DAY
    if kind == "spike":
        length = int(rng.integers(6, 49))
        start = int(rng.integers(first, max(last - length, first) + 1))
        return start, min(start + length, last)
    days = {"dip": (1, 4), "vacancy": (3, 15), "level_shift": (1, 2)}[kind]
    length = int(rng.integers(*days)) * day
    earliest = first + (last - first) // 5 if kind == "level_shift" else first
    start_day = int(rng.integers(earliest // day, max(last - length, earliest) // day + 1))
    start = start_day * day
    end = last if kind == "level_shift" else start + length
    return start, min(end, last)


def _factor(rng: np.random.Generator, kind: AnomalyKind) -> float:
    if kind == "spike":
        return float(rng.uniform(3.0, 6.0))
    if kind == "dip":
        return float(rng.uniform(0.1, 0.3))
    if kind == "level_shift":
        change = rng.uniform(0.3, 0.8)
        return float(1.0 + change if rng.random() < 0.5 else 1.0 - change)
    return 1.0


def _overlaps(start: int, end: int, placed: list[Anomaly]) -> bool:
    return any(start < other.end and other.start < end for other in placed)


def draw_anomalies(
    household: Household, per_year: float, rng: np.random.Generator
) -> list[Anomaly]:
    """Non-overlapping anomalies of one meter, about ``per_year`` per active year."""
    active = household.last - household.first
    count = int(rng.poisson(per_year * active / _INTERVALS_PER_YEAR))
    placed: list[Anomaly] = []
    for _ in range(count * _PLACEMENT_TRIES):
        if len(placed) == count:
            break
        kind = _KINDS[int(rng.choice(len(_KINDS), p=_KIND_WEIGHTS))]
        start, end = _window(rng, kind, household.first, household.last)
        shifted = kind == "level_shift" and any(a.kind == kind for a in placed)
        if end > start and not shifted and not _overlaps(start, end, placed):
            placed.append(Anomaly(household.index, kind, start, end, _factor(rng, kind)))
    return sorted(placed, key=lambda anomaly: anomaly.start)


def apply_anomalies(
    values: npt.NDArray[np.float64],
    household: Household,
    anomalies: list[Anomaly],
    rng: np.random.Generator,
) -> npt.NDArray[np.float64]:
    """Copy of the active-span ``values`` with the anomalies injected."""
    changed = values.copy()
    for anomaly in anomalies:
        window = slice(anomaly.start - household.first, anomaly.end - household.first)
        if anomaly.kind == "vacancy":
            size = anomaly.end - anomaly.start
            changed[window] = household.base_kwh * rng.lognormal(-0.005, 0.1, size)
        else:
            changed[window] *= anomaly.factor
    return changed
