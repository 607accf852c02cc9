"""The knobs of outage inference, with the reasons for their defaults."""

from __future__ import annotations

from dataclasses import dataclass

MINUTES_PER_DAY = 1440


@dataclass(frozen=True)
class OutageParams:
    """How runs are found and linked into events.

    ``interval_minutes`` is the meters' reading interval (30 for LCL half-hours). A run is a
    candidate when the meter is usually on at those times of day: on the other days of the
    window it was off at the same slots less than ``max_usual_off`` of the time (a meter that is
    always zero at night is not in outage at night), and it lasts at most ``max_hours`` (longer
    silences are vacancies, disconnections or dead modems). Runs whose starts and restorations
    both lie within ``tolerance`` intervals of each other on meters within ``radius_km`` are one
    event when at least ``min_meters`` meters take part and the chance that their runs lined up
    by coincidence (``analytics.outage.chance``) is at most ``max_chance``; ERR records make an
    event on their own.
    """

    interval_minutes: int = 30
    min_meters: int = 2
    tolerance: int = 1
    radius_km: float = 2.0
    max_usual_off: float = 0.2
    max_hours: float = 72.0
    max_chance: float = 1e-3

    def __post_init__(self) -> None:
        """Reject values that cannot work (the CLI and API turn this into a 400 / exit 2)."""
        problems = [
            (MINUTES_PER_DAY % self.interval_minutes != 0 if self.interval_minutes > 0 else True)
            and "interval_minutes must divide a day",
            self.min_meters < 1 and "min_meters must be >= 1",
            self.tolerance < 0 and "tolerance must be >= 0",
            self.radius_km <= 0 and "radius_km must be > 0",
            not 0 < self.max_usual_off <= 1 and "max_usual_off must be in (0, 1]",
            self.max_hours <= 0 and "max_hours must be > 0",
            not 0 < self.max_chance <= 1 and "max_chance must be in (0, 1]",
        ]
        found = [problem for problem in problems if problem]
        if found:
            raise ValueError("; ".join(str(problem) for problem in found))

    @property
    def slots_per_day(self) -> int:
        """Intervals in a day."""
        return MINUTES_PER_DAY // self.interval_minutes

    @property
    def max_intervals(self) -> int:
        """Longest candidate run, in intervals."""
        return int(self.max_hours * 60 // self.interval_minutes)
