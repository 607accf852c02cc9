"""CACI Acorn categories of the LCL households, with their frequency and consumption level."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Acorn:
    """One Acorn category as written in the LCL file."""

    acorn: str
    grouped: str
    households: int
    level: float


def _group(letters: str, grouped: str, counts: tuple[int, ...], level: float) -> list[Acorn]:
    return [
        Acorn(f"ACORN-{letter}", grouped, count, level)
        for letter, count in zip(letters, counts, strict=True)
    ]


# Household counts per category roughly as in the LCL release; level scales daily consumption.
ACORNS: tuple[Acorn, ...] = (
    *_group("ABCDE", "Affluent", (157, 25, 151, 292, 1567), 1.2),
    *_group("FGHIJ", "Comfortable", (684, 205, 455, 51, 112), 1.0),
    *_group("KLMNOPQ", "Adversity", (165, 342, 113, 152, 103, 110, 831), 0.85),
    Acorn("ACORN-U", "ACORN-U", 49, 1.0),
    Acorn("ACORN-", "ACORN-", 2, 1.0),
)

_WEIGHTS = np.array([acorn.households for acorn in ACORNS], dtype=np.float64)
_WEIGHTS /= _WEIGHTS.sum()


def draw_acorn(rng: np.random.Generator) -> Acorn:
    """Pick a category with the LCL frequencies."""
    return ACORNS[int(rng.choice(len(ACORNS), p=_WEIGHTS))]
