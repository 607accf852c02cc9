"""Data-quality defects of a real export: short gaps, duplicated rows and ``Null`` values."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

_MEAN_GAP = 2.5
_LONGEST_GAP = 8


def missing_mask(size: int, rate: float, rng: np.random.Generator) -> npt.NDArray[np.bool_]:
    """True where an interval is absent: short gaps covering about ``rate`` of the intervals."""
    starts = np.flatnonzero(rng.random(size) < rate / _MEAN_GAP)
    lengths = np.minimum(rng.geometric(1.0 / _MEAN_GAP, starts.size), _LONGEST_GAP)
    edges = np.zeros(size + 1, dtype=np.int64)
    np.add.at(edges, starts, 1)
    np.add.at(edges, np.minimum(starts + lengths, size), -1)
    return np.asarray(np.cumsum(edges[:size]) > 0)


def row_counts(
    size: int, missing_rate: float, duplicate_rate: float, rng: np.random.Generator
) -> npt.NDArray[np.int64]:
    """How often each interval is written: 0 (gap), 1, or 2 (exact duplicate line)."""
    counts = np.where(missing_mask(size, missing_rate, rng), 0, 1)
    counts[(rng.random(size) < duplicate_rate) & (counts == 1)] = 2
    return counts.astype(np.int64)


def null_mask(size: int, rate: float, rng: np.random.Generator) -> npt.NDArray[np.bool_]:
    """True where the value is written as ``Null``."""
    return np.asarray(rng.random(size) < rate)
