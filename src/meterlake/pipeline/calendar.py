"""Calendar maths of the aggregates (reference section 3.5, vectors 6, 7, 8)."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from meterlake.lake.layout import date_str as to_date_str  # date -> ``yyyyMMdd``


def parse_date_str(date_str: str) -> date:
    """``yyyyMMdd`` -> date."""
    return datetime.strptime(date_str, "%Y%m%d").date()


def iso_week_days(date_str: str) -> list[str]:
    """Monday..Sunday of the ISO week containing ``date_str``."""
    day = parse_date_str(date_str)
    monday = day - timedelta(days=day.weekday())
    return [to_date_str(monday + timedelta(days=i)) for i in range(7)]


def month_days(date_str: str) -> list[str]:
    """First..last day of the calendar month containing ``date_str`` (December included)."""
    day = parse_date_str(date_str)
    last = calendar.monthrange(day.year, day.month)[1]
    return [to_date_str(day.replace(day=i)) for i in range(1, last + 1)]


def weekly_key(date_str: str) -> tuple[int, int]:
    """Partition of ``aggregated_weekly`` holding a day: calendar year with ISO week number.

    This is the reference's grouping, kept on purpose: 2013-12-30 -> (2013, 1).
    """
    day = parse_date_str(date_str)
    return day.year, day.isocalendar().week


def monthly_key(date_str: str) -> tuple[int, int]:
    """Partition of ``aggregated_monthly`` holding a day."""
    day = parse_date_str(date_str)
    return day.year, day.month


def days_of_weekly_key(key: tuple[int, int]) -> list[str]:
    """Every day filed under one ``(year, week_of_year)`` weekly partition (up to 14 days)."""
    year, week = key
    days = []
    for iso_year in (year - 1, year, year + 1):
        try:
            monday = date.fromisocalendar(iso_year, week, 1)
        except ValueError:
            continue
        days += [monday + timedelta(days=i) for i in range(min(7, (date.max - monday).days + 1))]
    return sorted(to_date_str(d) for d in days if d.year == year)


def days_of_monthly_key(key: tuple[int, int]) -> list[str]:
    """Every day of one ``(year, month)`` partition."""
    return month_days(f"{key[0]:04d}{key[1]:02d}01")


def keys(date_strs: Iterable[str], kind: str) -> set[tuple[int, int]]:
    """Weekly or monthly partitions touched by some days."""
    key_of = weekly_key if kind == "weekly" else monthly_key
    return {key_of(d) for d in date_strs}
