"""The quantile contract every model honours.

``predict`` returns an array ``meters x horizon x levels`` of kWh: non-negative, finite and
non-decreasing along the levels (crossing quantiles are sorted, a monotone rearrangement).
Levels are strictly between 0 and 1; a model trained at a grid of levels answers a level between
two of them by linear interpolation and a level beyond the outermost ones with that one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from meterlake.errors import InputError

Array = npt.NDArray[np.float64]
#: Levels the backtests score (the weighted quantile loss averages over them).
SCORED_LEVELS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def check_levels(levels: Sequence[float]) -> tuple[float, ...]:
    """``levels`` as a tuple, or ``InputError`` when one is not strictly between 0 and 1."""
    if not levels:
        raise InputError("ask for at least one quantile level")
    bad = [q for q in levels if not 0.0 < q < 1.0]
    if bad:
        raise InputError(f"quantile levels must lie strictly between 0 and 1, not {bad}")
    return tuple(float(q) for q in levels)


def at_levels(grid: Sequence[float], predictions: Array, levels: Sequence[float]) -> Array:
    """Predictions at ``grid`` levels (last axis) interpolated to ``levels``, made monotone."""
    tidy = finish(predictions)
    flat = tidy.reshape(-1, len(grid))
    out = np.empty((flat.shape[0], len(levels)))
    for j, level in enumerate(levels):
        upper = int(np.searchsorted(grid, level))
        if upper == 0 or upper == len(grid):
            out[:, j] = flat[:, min(upper, len(grid) - 1)]
            continue
        low, high = grid[upper - 1], grid[upper]
        weight = (level - low) / (high - low)
        out[:, j] = flat[:, upper - 1] * (1 - weight) + flat[:, upper] * weight
    return finish(out.reshape((*tidy.shape[:-1], len(levels))))


def finish(predictions: Array) -> Array:
    """Non-negative, finite and sorted along the last axis."""
    clean = np.nan_to_num(predictions, nan=0.0, posinf=0.0, neginf=0.0)
    return np.sort(np.maximum(clean, 0.0), axis=-1)
