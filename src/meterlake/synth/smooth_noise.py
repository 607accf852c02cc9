"""Smooth random processes as sums of sinusoids: a pure function of absolute time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

_COMPONENTS = 24


@dataclass(frozen=True, eq=False)
class SmoothNoise:
    """Zero-mean process; ``at(hours)`` is the same for a time whatever range is asked for."""

    frequencies: npt.NDArray[np.float64]
    phases: npt.NDArray[np.float64]
    amplitudes: npt.NDArray[np.float64]

    def at(self, hours: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Value at each time (hours since the epoch)."""
        angles = np.multiply.outer(hours, self.frequencies) + self.phases
        return np.asarray(np.cos(angles) @ self.amplitudes, dtype=np.float64)


def draw_smooth_noise(
    rng: np.random.Generator, shortest_h: float, longest_h: float, std: float
) -> SmoothNoise:
    """Process with periods from ``shortest_h`` to ``longest_h`` hours and deviation ``std``."""
    periods = np.exp(rng.uniform(np.log(shortest_h), np.log(longest_h), _COMPONENTS))
    phases = rng.uniform(0.0, 2.0 * np.pi, _COMPONENTS)
    weights = rng.uniform(0.5, 1.5, _COMPONENTS)
    amplitudes = weights * std * np.sqrt(2.0 / np.sum(weights**2))
    return SmoothNoise(2.0 * np.pi / periods, phases, amplitudes)
