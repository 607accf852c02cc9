"""How likely a group of runs is to line up by chance, given the fleet's background of runs.

Meters fall silent or read zero now and then for reasons of their own (a modem retry, a
tripped circuit). With ``rate`` such runs starting per meter and interval, and ``share(L)`` of
them lasting within the tolerance of ``L`` intervals, a run of length ``L`` on one meter is
joined by chance by a Poisson number of runs on the ``n`` meters around it, with mean
``n * rate * (2 * tolerance + 1) * share(L)``. The chance of an event of ``k`` meters is the
probability of ``k - 1`` or more such companions; real outages make it vanishingly small.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
_TAIL_TERMS = 60  # Poisson terms summed past k - 1 (the mean is far below 1 in practice)


@dataclass(frozen=True, eq=False)
class Background:
    """Run starts per meter and interval, and the sorted lengths of all candidate runs."""

    rate: float
    lengths: Ints

    @classmethod
    def of(cls, lengths: Ints, meter_intervals: int) -> Background:
        """The background of ``lengths`` (every candidate run) over ``meter_intervals``."""
        rate = lengths.size / meter_intervals if meter_intervals else 0.0
        return cls(rate, np.sort(lengths))

    def length_share(self, length: Ints, tolerance: int) -> Floats:
        """Share of runs whose length is within ``tolerance`` of each ``length``."""
        if self.lengths.size == 0:
            return np.zeros(length.size)
        low = np.searchsorted(self.lengths, length - tolerance, side="left")
        high = np.searchsorted(self.lengths, length + tolerance, side="right")
        return np.asarray((high - low) / self.lengths.size)


def chance(
    meters: Ints, length: Ints, neighbours: Ints, background: Background, tolerance: int
) -> Floats:
    """Probability that ``meters - 1`` or more neighbours' runs line up with one by chance."""
    mean = neighbours * background.rate * (2 * tolerance + 1)
    mean = mean * background.length_share(length, tolerance)
    needed = np.maximum(meters - 1, 0)
    steps = needed[:, None] + np.arange(_TAIL_TERMS)[None, :]
    log_factorial = np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, steps.max() + 1)))])
    with np.errstate(divide="ignore"):
        log_mean = np.log(mean)[:, None]
    terms = np.exp(-mean[:, None] + steps * log_mean - log_factorial[steps])
    terms[:, 0] = np.where(needed == 0, 1.0, terms[:, 0])
    return np.asarray(np.minimum(np.nansum(terms, axis=1), 1.0))
