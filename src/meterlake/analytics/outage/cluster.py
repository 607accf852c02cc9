"""Link runs that start and end together on nearby meters; linked runs form one component.

Runs are sorted by start; the run ``k`` places further on is compared with each run for
``k = 1, 2, ...`` until no pair starts within the tolerance, so the work grows with the number
of runs that start together, never with the number of meters squared.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from meterlake.analytics.outage.params import OutageParams

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
_KM_PER_DEGREE = 111.2


def distance_km(lat_a: Floats, long_a: Floats, lat_b: Floats, long_b: Floats) -> Floats:
    """Equirectangular distance, exact enough within a few kilometres (NaN when unknown)."""
    mid = np.radians((lat_a + lat_b) / 2.0)
    north = lat_a - lat_b
    east = (long_a - long_b) * np.cos(mid)
    return np.asarray(np.hypot(north, east) * _KM_PER_DEGREE)


def link(
    start: Ints, end: Ints, where: tuple[Floats, Floats], point: npt.NDArray[np.bool_],
    params: OutageParams,
) -> Ints:  # fmt: skip
    """Component label of each item: the smallest index of the items it is linked to.

    Two items link when they start within ``tolerance`` intervals, restore within it too (an
    ERR ``point`` has no restoration of its own and matches any), and lie within ``radius_km``.
    """
    lat, long = where
    order = np.argsort(start, kind="stable")
    sorted_start = start[order]
    pairs: list[tuple[Ints, Ints]] = []
    for step in range(1, start.size):
        near_in_time = sorted_start[step:] - sorted_start[:-step] <= params.tolerance
        if not near_in_time.any():
            break
        left = order[:-step][near_in_time]
        right = order[step:][near_in_time]
        restore = (np.abs(end[left] - end[right]) <= params.tolerance) | point[left] | point[right]
        close = distance_km(lat[left], long[left], lat[right], long[right]) <= params.radius_km
        keep = restore & close
        pairs.append((left[keep], right[keep]))
    return components(start.size, pairs)


def components(size: int, pairs: list[tuple[Ints, Ints]]) -> Ints:
    """Connected components of ``size`` nodes: label = smallest node index in the component."""
    labels = np.arange(size, dtype=np.int64)
    if not pairs:
        return labels
    left = np.concatenate([p[0] for p in pairs])
    right = np.concatenate([p[1] for p in pairs])
    while True:
        lowest = np.minimum(labels[left], labels[right])
        before = labels.copy()
        np.minimum.at(labels, left, lowest)
        np.minimum.at(labels, right, lowest)
        labels = labels[labels]  # pointer jumping: follow labels to their own label
        if np.array_equal(labels, before):
            return labels
