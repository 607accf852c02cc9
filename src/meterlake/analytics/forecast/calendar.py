"""Calendar and weather inputs on absolute hours (hours since 1970-01-01 00:00 UTC)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, cached_property

import numpy as np
import numpy.typing as npt

Hours = npt.NDArray[np.int64]
WEATHER_COLUMNS = ("temperature", "humidity", "apparenttemperature")


def absolute_hour(moment: datetime) -> int:
    """Hours since the epoch of a naive UTC hour."""
    return int(np.datetime64(moment.replace(tzinfo=None), "h").astype(np.int64))


def hour_of_day(hours: Hours) -> Hours:
    """0..23."""
    return hours % 24


def day_of_week(hours: Hours) -> Hours:
    """Monday 0 .. Sunday 6 (1970-01-01 was a Thursday)."""
    return (hours // 24 + 3) % 7


def uk_holiday(hours: Hours) -> npt.NDArray[np.float64]:
    """1.0 on England and Wales bank holidays, else 0.0."""
    days = hours // 24
    if days.size == 0:
        return np.zeros(0)
    first = date.fromordinal(date(1970, 1, 1).toordinal() + int(days.min())).year
    last = date.fromordinal(date(1970, 1, 1).toordinal() + int(days.max())).year
    first_day, flags = _holiday_flags(first, last)
    return flags[days - first_day]


@cache
def _holiday_flags(first_year: int, last_year: int) -> tuple[int, npt.NDArray[np.float64]]:
    """Day number of 1 January ``first_year`` and 1.0/0.0 per day to 31 December ``last_year``."""
    epoch = date(1970, 1, 1).toordinal()
    first_day = date(first_year, 1, 1).toordinal() - epoch
    flags = np.zeros(date(last_year + 1, 1, 1).toordinal() - epoch - first_day)
    flags[_holiday_days(first_year, last_year) - first_day] = 1.0
    return first_day, flags


@cache
def _holiday_days(first_year: int, last_year: int) -> Hours:
    import holidays  # noqa: PLC0415 (part of the forecast extra)

    found = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    epoch = date(1970, 1, 1).toordinal()
    return np.array(sorted(day.toordinal() - epoch for day in found), dtype=np.int64)


@dataclass(frozen=True)
class Weather:
    """Hourly weather from ``first_hour`` (absolute), one column per ``WEATHER_COLUMNS``."""

    first_hour: int
    values: npt.NDArray[np.float64]

    def day_mean(self, hours: Hours) -> npt.NDArray[np.float64]:
        """Mean temperature of the UTC day of each of ``hours`` (NaN where none is loaded)."""
        first_day, means = self._day_means
        index = hours // 24 - first_day
        inside = (index >= 0) & (index < len(means))
        out = np.full(len(hours), np.nan)
        out[inside] = means[index[inside]]
        return out

    @cached_property
    def _day_means(self) -> tuple[int, npt.NDArray[np.float64]]:
        """The first UTC day and the mean temperature of each day from it."""
        first_day = self.first_hour // 24
        days = -(-(self.first_hour + len(self.values)) // 24) - first_day
        table = np.full(days * 24, np.nan)
        offset = self.first_hour - first_day * 24
        table[offset : offset + len(self.values)] = self.values[:, 0]
        grid = table.reshape(days, 24)
        seen = np.isfinite(grid).sum(axis=1)
        with np.errstate(all="ignore"):
            means = np.where(seen > 0, np.nansum(grid, axis=1) / seen, np.nan)
        return first_day, means

    def at(self, hours: Hours) -> npt.NDArray[np.float64]:
        """``len(hours) x 3`` weather at absolute ``hours``, NaN where none is loaded."""
        index = hours - self.first_hour
        inside = (index >= 0) & (index < len(self.values))
        out = np.full((len(hours), len(WEATHER_COLUMNS)), np.nan)
        out[inside] = self.values[index[inside]]
        return out


def weather_from_rows(times: list[datetime], columns: list[list[float | None]]) -> Weather | None:
    """Hourly means of weather rows; ``None`` when there are none."""
    if not times:
        return None
    hours = np.array([absolute_hour(t) for t in times], dtype=np.int64)
    first = int(hours.min())
    values = np.full((int(hours.max()) - first + 1, len(WEATHER_COLUMNS)), np.nan)
    data = np.array(
        [[np.nan if v is None else v for v in column] for column in columns], dtype=np.float64
    ).T
    values[hours - first] = data
    return Weather(first, values)
