"""Meter batches (reference section 4.6 ``split_batch``) with the intended inclusive range.

The reference never processes the meter at position ``meter_end`` and fails when the range
reaches past the last meter (defect 10); here ``meter_start`` .. ``meter_end`` are inclusive
1-based positions, clamped to the meters that exist, and the batch size is capped at 100.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from meterlake.errors import InputError

MAX_BATCH_SIZE = 100


@dataclass(frozen=True)
class MeterBatch:
    """One batch: meters ``start`` .. ``end`` (inclusive, sorted ids) and their count."""

    start: str
    end: str
    size: int

    @property
    def name(self) -> str:
        """``batch_<start>_<end>`` as in the reference's file names."""
        return f"batch_{self.start}_{self.end}"


def split_batches(
    meters: Sequence[str],
    batch_size: int,
    meter_start: int = 1,
    meter_end: int | None = None,
) -> list[MeterBatch]:
    """Consecutive batches of at most ``min(batch_size, 100)`` sorted meters."""
    if batch_size < 1:
        raise InputError(f"batch size must be at least 1, got {batch_size}")
    if meter_start < 1 or (meter_end is not None and meter_end < meter_start):
        raise InputError(f"bad meter positions {meter_start}..{meter_end}")
    size = min(batch_size, MAX_BATCH_SIZE)
    ordered = sorted(set(meters))
    last = len(ordered) if meter_end is None else min(meter_end, len(ordered))
    batches = []
    for first in range(meter_start - 1, last, size):
        chunk = ordered[first : min(first + size, last)]
        batches.append(MeterBatch(chunk[0], chunk[-1], len(chunk)))
    return batches
