"""Default time windows taken from the lake's own data, so that every command works on any lake.

The reference fixes its windows (``data_start`` 2013-06-01, ``data_end`` 2014-01-01). A lake of
other dates then trains on nothing. Here a window that is not given ends on the day after the
lake's last read and starts the reference's span (214 days) before that, clipped to the first
read. A given ``start`` or ``end`` (a flag, ``meterlake.toml`` or ``MLK_*``) always wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from meterlake.errors import InputError

#: The length of the reference's default window (2013-06-01 .. 2014-01-01).
REFERENCE_SPAN = date(2014, 1, 1) - date(2013, 6, 1)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class DataSpan:
    """The first and the last day on which the lake holds readings."""

    first: date
    last: date

    def __str__(self) -> str:
        """As shown to users: ``2013-01-01 .. 2013-03-31``."""
        return f"{self.first} .. {self.last}"


@dataclass(frozen=True)
class Window:
    """Days ``start`` .. ``end`` (exclusive)."""

    start: date
    end: date

    @property
    def days(self) -> int:
        """How many days the window holds."""
        return (self.end - self.start).days


def default_window(
    span: DataSpan | None, start: date | None = None, end: date | None = None
) -> Window:
    """``start`` and ``end`` as given, the missing ones from ``span`` (see the module doc).

    Raises ``InputError`` with what the lake holds when no window with data can be formed.
    """
    if start is not None and end is not None:
        return _checked(Window(start, end))
    if span is None:
        raise InputError(
            "the lake holds no readings yet: ingest files first (meterlake ingest), "
            "or give both ends of the window"
        )
    end = end or span.last + DAY
    if start is None:
        start = max(span.first, end - REFERENCE_SPAN)
        if start >= end:
            raise InputError(f"no readings before {end}: the lake holds {span}")
    return _checked(Window(start, end))


def _checked(window: Window) -> Window:
    if window.end <= window.start:
        raise InputError(f"the window must end after it starts ({window.start} .. {window.end})")
    return window
