"""Hourly panels: many meters' hourly kWh on one regular hourly index, gaps kept as NaN.

The reference filled every missing hour with 0 kWh (section 4.4), which teaches a model that
meters switch off. Here a missing hour stays missing (NaN): features skip it, targets that are
missing are left out of training and scoring, and hours before a meter's first reading are
missing too, so every series keeps its true start. A panel may carry each meter's attributes
(``attributes``: tariff and Acorn as numbers, one row per meter) for the models that use them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

HOUR = timedelta(hours=1)
EPOCH = datetime(1970, 1, 1)
Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class HourlyPanel:
    """``values[m, t]`` = kWh of ``meter_ids[m]`` in the hour ``start + t h`` (NaN = missing).

    ``attributes[m]``: the static attributes of ``meter_ids[m]`` (see ``attributes.NAMES``), or
    ``None`` when none were looked up.
    """

    meter_ids: tuple[str, ...]
    start: datetime
    values: Array
    attributes: Array | None = None

    @property
    def hours(self) -> int:
        """Length of the hourly index."""
        return int(self.values.shape[1])

    @property
    def end(self) -> datetime:
        """The hour after the last one (exclusive end)."""
        return self.start + self.hours * HOUR

    def index_of(self, moment: datetime) -> int:
        """Position of the hour ``moment`` on the index (may lie outside it)."""
        return int((moment - self.start) / HOUR)

    def until(self, moment: datetime) -> HourlyPanel:
        """The panel cut at ``moment`` (exclusive): nothing at or after it is kept."""
        return replace(self, values=self.values[:, : max(0, self.index_of(moment))].copy())

    def between(self, first: datetime, end: datetime) -> HourlyPanel:
        """The hours ``first`` .. ``end`` (exclusive), NaN where the panel has none."""
        length = int((end - first) / HOUR)
        out = np.full((len(self.meter_ids), length), np.nan)
        offset = self.index_of(first)
        low, high = max(0, offset), min(self.hours, offset + length)
        if high > low:
            out[:, low - offset : high - offset] = self.values[:, low:high]
        return HourlyPanel(self.meter_ids, first, out, self.attributes)

    def select(self, rows: npt.NDArray[np.int64]) -> HourlyPanel:
        """The meters at positions ``rows``."""
        attributes = None if self.attributes is None else self.attributes[rows]
        ids = tuple(self.meter_ids[i] for i in rows)
        return HourlyPanel(ids, self.start, self.values[rows], attributes)


def panel_from_rows(
    meter_ids: list[str],
    hours: list[datetime],
    kwh: list[float | None],
    start: datetime,
    end: datetime,
) -> HourlyPanel:
    """A panel over ``start`` .. ``end`` (exclusive) from long rows (one per meter and hour)."""
    names = sorted(set(meter_ids))
    position = {name: i for i, name in enumerate(names)}
    rows = np.fromiter((position[m] for m in meter_ids), np.int64, len(meter_ids))
    stamps = np.array(hours, dtype="datetime64[h]").astype(np.int64)
    numbers = np.array([np.nan if v is None else v for v in kwh], dtype=np.float64)
    return panel_from_arrays(tuple(names), rows, stamps, numbers, (start, end))


def panel_from_arrays(
    names: tuple[str, ...],
    rows: npt.NDArray[np.int64],
    hours: npt.NDArray[np.int64],
    kwh: Array,
    span: tuple[datetime, datetime],
) -> HourlyPanel:
    """A panel from row positions, absolute hours (since the epoch) and kWh."""
    start, end = span
    length = int((end - start) / HOUR)
    values = np.full((len(names), length), np.nan)
    columns = hours - np.datetime64(start.replace(tzinfo=None), "h").astype(np.int64)
    kept = (columns >= 0) & (columns < length)
    values[rows[kept], columns[kept]] = kwh[kept]
    return HourlyPanel(names, start, values)


@dataclass(frozen=True)
class HourlyHistory:
    """One meter's observed hours: hours since the epoch (ascending) and kWh (NaN = null)."""

    hours: npt.NDArray[np.int64]
    kwh: Array

    def __len__(self) -> int:
        """Number of observed hours."""
        return len(self.hours)

    @property
    def start(self) -> datetime:
        """The first observed hour."""
        return EPOCH + int(self.hours[0]) * HOUR


def single_series(history: HourlyHistory) -> HourlyPanel:
    """One meter's history as a one-row panel from its first to its last observed hour."""
    span = (history.start, EPOCH + (int(history.hours[-1]) + 1) * HOUR)
    rows = np.zeros(len(history), np.int64)
    return panel_from_arrays(("meter",), rows, history.hours, history.kwh, span)
