"""Daily consumption of many meters as one matrix, and a detector's band over it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from meterlake import schema
from meterlake.analytics.anomaly.classify import classify

Floats = npt.NDArray[np.float64]
Days = npt.NDArray[np.datetime64]


@dataclass(frozen=True, eq=False)
class DailyMatrix:
    """kWh of ``meter_ids`` (rows, sorted) on consecutive ``days`` (columns); NaN = no data."""

    meter_ids: list[str]
    days: Days
    values: Floats

    @classmethod
    def from_rows(
        cls,
        meter_ids: pa.Array | pa.ChunkedArray,
        days: Days,
        kwh: Floats,
        window: tuple[np.datetime64, np.datetime64] | None = None,
    ) -> DailyMatrix:
        """Pivot one row per meter and day; ``window`` (first, last) fixes the day columns."""
        whole = meter_ids.combine_chunks() if isinstance(meter_ids, pa.ChunkedArray) else meter_ids
        encoded = whole.dictionary_encode()
        names = encoded.dictionary.to_pylist()
        order = np.argsort(np.array(names, dtype=object), kind="stable")
        rank = np.empty(len(names), dtype=np.int64)
        rank[order] = np.arange(len(names))
        rows = rank[encoded.indices.to_numpy(zero_copy_only=False)]
        first, last = (
            window
            if window is not None
            else (np.datetime64(days.min(), "D"), np.datetime64(days.max(), "D"))
        )
        columns = np.arange(first, last + np.timedelta64(1, "D"), dtype="datetime64[D]")
        values = np.full((len(names), len(columns)), np.nan)
        values[rows, (days - first).astype(np.int64)] = kwh
        return cls([names[i] for i in order], columns, values)

    @property
    def observed(self) -> npt.NDArray[np.bool_]:
        """True where the meter has a value that day."""
        return np.asarray(np.isfinite(self.values))

    def take(self, rows: npt.NDArray[np.int64]) -> DailyMatrix:
        """The meters at ``rows`` (positions), same days."""
        return DailyMatrix([self.meter_ids[i] for i in rows], self.days, self.values[rows])


@dataclass(frozen=True, eq=False)
class DailyWeather:
    """Daily mean temperature and apparent temperature (degrees C) aligned to a matrix's days."""

    temperature: Floats
    apparent_temperature: Floats


@dataclass(frozen=True, eq=False)
class Band:
    """Expected consumption and its interval, shaped like the matrix; NaN where no model."""

    yhat: Floats
    lower: Floats
    upper: Floats


def anomaly_table(
    matrix: DailyMatrix, band: Band, keep: npt.NDArray[np.bool_] | None = None
) -> pa.Table:
    """Rows of the ``anomaly`` table for every observed, modelled (and kept) meter-day."""
    mask = matrix.observed & np.isfinite(band.lower) & np.isfinite(band.upper)
    if keep is not None:
        mask &= keep
    rows, cols = np.nonzero(mask)
    consumption = matrix.values[rows, cols]
    lower, upper = band.lower[rows, cols], band.upper[rows, cols]
    flag, importance = classify(consumption, lower, upper)
    ids = _expand(pa.array(matrix.meter_ids, pa.string()), rows)
    ds = _expand(pa.array(np.datetime_as_string(matrix.days, unit="D")), cols)
    numbers = [consumption, lower, upper, flag, importance]
    return pa.Table.from_arrays(
        [
            ids,
            ds,
            *(
                pa.array(c, type=f.type)
                for c, f in zip(numbers, list(schema.ANOMALY)[2:], strict=True)
            ),
        ],
        schema=schema.ANOMALY,
    )


def _expand(values: pa.Array, positions: npt.NDArray[np.int64]) -> pa.Array:
    """``values[positions]`` as a plain string array (built as a dictionary array: fast)."""
    indices = pa.array(positions.astype(np.int32))
    return pa.DictionaryArray.from_arrays(indices, values).cast(pa.string())
