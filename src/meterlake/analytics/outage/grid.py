"""Per-meter runs of intervals without a positive reading, and how unusual each run is.

The lake hands over one 64-bit mask per meter and block of 64 intervals (bit set = a positive
reading in that interval), so a year of 5,566 half-hourly meters arrives as a few million
integers instead of 167 million readings. Meters are expanded into a boolean grid a chunk at a
time; everything after that is array arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from meterlake.analytics.outage.params import OutageParams

Ints = npt.NDArray[np.int64]
BLOCK = 64
_CHUNK = 512  # meters expanded at once: 512 x 35,000 intervals is about 18 MB per grid


@dataclass(frozen=True, eq=False)
class MeterBlocks:
    """Reporting bitmasks of ``meters`` meters on a grid of ``slots`` intervals from day start.

    One row per meter index and block with at least one reading: bit ``i`` of ``mask`` is set
    when interval ``64 * block + i`` has a positive reading. ``first`` and ``last`` are each
    meter's first and last interval with any reading (a meter is only judged inside them).
    """

    meters: int
    slots: int
    meter: Ints
    block: Ints
    mask: npt.NDArray[np.uint64]
    first: Ints
    last: Ints


@dataclass(frozen=True, eq=False)
class Runs:
    """Runs of silent-or-zero intervals; ``end`` is the first interval that reads again.

    ``usual`` is the share of the meter's other days on which it was also off at those times.
    """

    meter: Ints
    start: Ints
    end: Ints
    usual: npt.NDArray[np.float64]

    def take(self, keep: npt.NDArray[np.bool_] | Ints) -> Runs:
        """The runs selected by a mask or index array."""
        return Runs(self.meter[keep], self.start[keep], self.end[keep], self.usual[keep])

    @classmethod
    def concat(cls, parts: list[Runs]) -> Runs:
        """All runs of ``parts``, in order."""
        if not parts:
            empty = np.zeros(0, dtype=np.int64)
            return cls(empty, empty, empty, np.zeros(0))
        return cls(
            meter=np.concatenate([part.meter for part in parts]),
            start=np.concatenate([part.start for part in parts]),
            end=np.concatenate([part.end for part in parts]),
            usual=np.concatenate([part.usual for part in parts]),
        )


def candidate_runs(blocks: MeterBlocks, params: OutageParams) -> Runs:
    """Unusual runs no longer than ``params.max_hours`` bounded by readings on both sides."""
    order = np.argsort(blocks.meter, kind="stable")
    meter, block, mask = blocks.meter[order], blocks.block[order], blocks.mask[order]
    parts = []
    for low in range(0, blocks.meters, _CHUNK):
        high = min(low + _CHUNK, blocks.meters)
        rows = slice(*np.searchsorted(meter, [low, high]))
        on = _on_grid(high - low, blocks.slots, meter[rows] - low, block[rows], mask[rows])
        runs = _chunk_runs(on, blocks.first[low:high], blocks.last[low:high], params)
        parts.append(Runs(runs.meter + low, runs.start, runs.end, runs.usual))
    return Runs.concat(parts)


def _on_grid(
    meters: int, slots: int, meter: Ints, block: Ints, mask: npt.NDArray[np.uint64]
) -> npt.NDArray[np.bool_]:
    """``on[m, s]``: meter ``m`` has a positive reading in interval ``s``."""
    blocks = -(-slots // BLOCK)
    on = np.zeros((meters, blocks, BLOCK), dtype=np.bool_)
    raw = mask.astype("<u8").view(np.uint8).reshape(-1, 8)
    on[meter, block] = np.unpackbits(raw, axis=1, bitorder="little").astype(np.bool_)
    return on.reshape(meters, blocks * BLOCK)[:, :slots]


def _chunk_runs(on: npt.NDArray[np.bool_], first: Ints, last: Ints, params: OutageParams) -> Runs:
    """Candidate runs of one chunk of meters (meter indexes local to the chunk)."""
    slots = on.shape[1]
    column = np.arange(slots)
    inside = (column >= first[:, None]) & (column <= last[:, None])
    off = inside & ~on
    edges = np.diff(off.view(np.int8), axis=1, prepend=0, append=0)
    meter, start = np.nonzero(edges == 1)
    _, end = np.nonzero(edges == -1)
    bounded = (start > first[meter]) & (end <= last[meter]) & (end - start <= params.max_intervals)
    meter, start, end = meter[bounded], start[bounded], end[bounded]
    usual = _usual_share(off, inside, (meter, start, end), params.slots_per_day)
    keep = usual < params.max_usual_off
    return Runs(meter[keep], start[keep], end[keep], usual[keep])


def _usual_share(
    off: npt.NDArray[np.bool_],
    inside: npt.NDArray[np.bool_],
    runs: tuple[Ints, Ints, Ints],
    slots_per_day: int,
) -> npt.NDArray[np.float64]:
    """Share of the meter's other days on which it was off at the run's times of day.

    Leave-one-out: the run's own intervals are taken out of both counts. Weighting each time of
    day ``k`` by the ``c_k`` intervals the run has there, the run's own part of both weighted
    sums is the sum of ``c_k ** 2`` (``c_k`` is ``q`` or ``q + 1`` for ``q`` whole days).
    """
    meters, slots = off.shape
    days = slots // slots_per_day
    off_count = off.reshape(meters, days, slots_per_day).sum(axis=1)
    seen_count = inside.reshape(meters, days, slots_per_day).sum(axis=1)
    meter, start, end = runs
    length = end - start
    days_in_run, extra = length // slots_per_day, length % slots_per_day
    own = extra * (days_in_run + 1) ** 2 + (slots_per_day - extra) * days_in_run**2
    was_off = _sum_over_slots(off_count, meter, start, length) - own
    was_seen = _sum_over_slots(seen_count, meter, start, length) - own
    share = np.zeros(meter.size)
    np.divide(was_off, was_seen, out=share, where=was_seen > 0)
    return share


def _sum_over_slots(per_slot: Ints, meter: Ints, start: Ints, length: Ints) -> Ints:
    """Sum of ``per_slot[m, s % day]`` over the intervals ``s`` of each run."""
    day = per_slot.shape[1]
    cumulative = np.zeros((per_slot.shape[0], day + 1), dtype=np.int64)
    np.cumsum(per_slot, axis=1, out=cumulative[:, 1:])
    total = cumulative[meter, day]
    first, rest = start % day, length % day
    stop = first + rest
    wrapped = stop > day
    partial = np.where(
        wrapped,
        total - cumulative[meter, first] + cumulative[meter, np.where(wrapped, stop - day, 0)],
        cumulative[meter, np.minimum(stop, day)] - cumulative[meter, first],
    )
    return np.asarray((length // day) * total + partial, dtype=np.int64)
