"""Outage events: several nearby meters read 0 or send nothing over the same hours."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from meterlake.synth.geo import GeoLayout

OutageKind = Literal["zero", "missing"]
_PLACEMENT_TRIES = 50


@dataclass(frozen=True)
class Outage:
    """One event on the fleet's interval grid; ``end`` is exclusive."""

    outage_id: int
    kind: OutageKind
    start: int
    end: int
    meters: tuple[int, ...]


@dataclass(frozen=True, eq=False)
class ActiveSpans:
    """First and last (exclusive) active interval of every meter."""

    first: npt.NDArray[np.int64]
    last: npt.NDArray[np.int64]


def _candidates(
    geo: GeoLayout, spans: ActiveSpans, window: tuple[int, int], taken: list[Outage]
) -> npt.NDArray[np.int64]:
    """Meters active over the whole window and not already in an overlapping outage."""
    start, end = window
    free = (spans.first <= start) & (spans.last >= end)
    for outage in taken:
        if start < outage.end and outage.start < end:
            free[list(outage.meters)] = False
    return np.flatnonzero(free)


def _draw_outage(
    geo: GeoLayout,
    spans: ActiveSpans,
    intervals: int,
    *,
    taken: list[Outage],
    rng: np.random.Generator,
) -> Outage | None:
    """One outage around a random meter of a random cluster, or None when too few meters fit."""
    kind: OutageKind = "zero" if rng.random() < 0.5 else "missing"
    length = min(int(rng.integers(2, 17)), intervals)
    start = int(rng.integers(0, intervals - length + 1))
    free = _candidates(geo, spans, (start, start + length), taken)
    cluster = int(rng.integers(0, int(geo.cluster.max()) + 1))
    members = free[geo.cluster[free] == cluster]
    if members.size < min(2, np.bincount(geo.cluster).max()):
        return None
    centre = int(members[rng.integers(0, members.size)])
    size = min(members.size, int(rng.integers(3, 13)))
    nearest = members[np.argsort(geo.distances_from(centre)[members], kind="stable")[:size]]
    return Outage(
        len(taken) + 1, kind, start, start + length, tuple(sorted(int(m) for m in nearest))
    )


def plan_outages(
    count: int, geo: GeoLayout, spans: ActiveSpans, intervals: int, rng: np.random.Generator
) -> list[Outage]:
    """Up to ``count`` outages (fewer only when no cluster has enough active meters)."""
    planned: list[Outage] = []
    for _ in range(count * _PLACEMENT_TRIES):
        if len(planned) == count:
            break
        outage = _draw_outage(geo, spans, intervals, taken=planned, rng=rng)
        if outage is not None:
            planned.append(outage)
    return planned


def outages_by_meter(outages: list[Outage]) -> dict[int, list[Outage]]:
    """The outages each affected meter takes part in."""
    by_meter: dict[int, list[Outage]] = {}
    for outage in outages:
        for meter in outage.meters:
            by_meter.setdefault(meter, []).append(outage)
    return by_meter
