"""The half-hourly interval grid of a fleet and its timestamp text."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

SLOTS_PER_DAY = 48
HOURS_PER_DAY = 24
_EPOCH = np.datetime64("2000-01-01T00:00", "m")


@dataclass(frozen=True)
class Timeline:
    """Days ``start`` (inclusive) to ``start + days`` (exclusive), naive UTC."""

    start: dt.date
    days: int

    @classmethod
    def between(cls, start: dt.date, end: dt.date) -> Timeline:
        """Timeline from ``start`` up to ``end`` (exclusive)."""
        return cls(start, (end - start).days)

    @property
    def intervals(self) -> int:
        """Number of half-hour intervals."""
        return self.days * SLOTS_PER_DAY

    @property
    def hours(self) -> int:
        """Number of hours."""
        return self.days * HOURS_PER_DAY

    def origin(self) -> np.datetime64:
        """First instant, minute resolution."""
        return np.datetime64(self.start.isoformat(), "m")

    def interval_times(self) -> npt.NDArray[np.datetime64]:
        """Start of every half-hour interval."""
        return self.origin() + np.arange(self.intervals) * np.timedelta64(30, "m")

    def hour_times(self) -> npt.NDArray[np.datetime64]:
        """Start of every hour."""
        return self.origin() + np.arange(self.hours) * np.timedelta64(60, "m")

    def weekend_days(self) -> npt.NDArray[np.bool_]:
        """True for Saturdays and Sundays."""
        first = self.start.weekday()
        return np.asarray((np.arange(self.days) + first) % 7 >= 5)

    def interval_stamps(self, index: npt.NDArray[np.int64]) -> list[str]:
        """ISO timestamps (``YYYY-MM-DDTHH:MM:SS``) of interval indexes."""
        times = self.origin() + index * np.timedelta64(30, "m")
        return [str(text) for text in np.datetime_as_string(times, unit="s")]


def hours_since_epoch(times: npt.NDArray[np.datetime64]) -> npt.NDArray[np.float64]:
    """Hours since 2000-01-01 00:00, the time axis of the weather model."""
    minutes = (times.astype("datetime64[m]") - _EPOCH).astype(np.int64)
    return minutes.astype(np.float64) / 60.0


def stamp_matrix(times: npt.NDArray[np.datetime64], fraction: str) -> npt.NDArray[np.uint8]:
    """``YYYY-MM-DD HH:MM:SS`` + ``fraction`` of each time as rows of ASCII bytes."""
    text = np.datetime_as_string(times, unit="s").astype("S19")
    matrix = text.view(np.uint8).reshape(len(times), 19).copy()
    matrix[:, 10] = ord(" ")
    tail = np.frombuffer(fraction.encode("ascii"), dtype=np.uint8)
    return np.hstack([matrix, np.broadcast_to(tail, (len(times), len(tail)))])
