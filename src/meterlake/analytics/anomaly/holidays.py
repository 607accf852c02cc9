"""Bank holidays of England and Wales (the calendar of the London fleets), computed, no extras.

Regular rules (with weekend substitutes) plus the one-off and moved holidays proclaimed since
1995. Prophet's detector uses its own ``UK`` country calendar, as the reference does.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

#: Holidays proclaimed for one year (jubilees, weddings, funerals, coronation).
_EXTRA = {
    date(1999, 12, 31),
    date(2002, 6, 3),
    date(2011, 4, 29),
    date(2012, 6, 5),
    date(2022, 6, 3),
    date(2022, 9, 19),
    date(2023, 5, 8),
}
#: Regular holidays moved to another day that year.
_MOVED = {
    date(1995, 5, 1): date(1995, 5, 8),
    date(2002, 5, 27): date(2002, 6, 4),
    date(2012, 5, 28): date(2012, 6, 4),
    date(2020, 5, 4): date(2020, 5, 8),
    date(2022, 5, 30): date(2022, 6, 2),
}
_SATURDAY = 5


def easter_sunday(year: int) -> date:
    """Western Easter (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * leap) // 433
    month = (h + leap - 7 * m + 90) // 25
    return date(year, month, (h + leap - 7 * m + 33 * month + 19) % 32)


def _monday_on_or_after(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _weekday_or_next_monday(day: date) -> date:
    return _monday_on_or_after(day) if day.weekday() >= _SATURDAY else day


def _last_monday(year: int, month: int) -> date:
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=last.weekday())


def _christmas(year: int) -> list[date]:
    """Christmas and Boxing Day, each moved to the next free weekday when on a weekend."""
    days: list[date] = []
    for christmas_day in (date(year, 12, 25), date(year, 12, 26)):
        day = christmas_day
        while day.weekday() >= _SATURDAY or day in days:
            day += timedelta(days=1)
        days.append(day)
    return days


def bank_holidays(year: int) -> set[date]:
    """England and Wales bank holidays of ``year``."""
    easter = easter_sunday(year)
    regular = [
        _weekday_or_next_monday(date(year, 1, 1)),
        easter - timedelta(days=2),
        easter + timedelta(days=1),
        _monday_on_or_after(date(year, 5, 1)),
        _last_monday(year, 5),
        _last_monday(year, 8),
        *_christmas(year),
    ]
    moved = {_MOVED.get(day, day) for day in regular}
    return moved | {day for day in _EXTRA if day.year == year}


def holiday_mask(days: npt.NDArray[np.datetime64]) -> npt.NDArray[np.bool_]:
    """True for each day (``datetime64[D]``) that is a bank holiday."""
    if days.size == 0:
        return np.zeros(0, dtype=bool)
    years = days.astype("datetime64[Y]").astype(np.int64) + 1970
    holidays = sorted(
        h for year in range(years.min(), years.max() + 1) for h in bank_holidays(year)
    )
    return np.isin(days, np.array(holidays, dtype="datetime64[D]"))
