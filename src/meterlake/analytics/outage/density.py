"""How many meters lie around a point: a summed-area table over a grid of small square cells.

Counting meters within a distance of thousands of places directly costs places x meters
distance computations; the table answers each place in constant time. It counts the square
around the place (at most 4/pi times the disc), which errs on the side of more neighbours and
so of a larger chance of coincidence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
KM_PER_DEGREE = 111.2
_MAX_CELLS = 4096  # per side; coarser cells for fleets spread over a whole country


@dataclass(frozen=True, eq=False)
class Density:
    """Meter counts on a grid of ``cell_km`` squares, as a summed-area table."""

    table: Ints
    origin: tuple[float, float]
    cell_km: float
    east_per_degree: float

    @classmethod
    def of(cls, lat: Floats, long: Floats, cell_km: float) -> Density:
        """The density of the meters with a known position."""
        known = ~(np.isnan(lat) | np.isnan(long))
        lat, long = lat[known], long[known]
        if lat.size == 0:
            return cls(np.zeros((1, 1), dtype=np.int64), (0.0, 0.0), cell_km, KM_PER_DEGREE)
        east_per_degree = KM_PER_DEGREE * float(np.cos(np.radians(np.mean(lat))))
        north, east = lat * KM_PER_DEGREE, long * east_per_degree
        origin = (float(north.min()), float(east.min()))
        extent = max(float(north.max()) - origin[0], float(east.max()) - origin[1])
        cell_km = max(cell_km, extent / (_MAX_CELLS - 1))
        rows = ((north - origin[0]) // cell_km).astype(np.int64)
        cols = ((east - origin[1]) // cell_km).astype(np.int64)
        counts = np.zeros((rows.max() + 2, cols.max() + 2), dtype=np.int64)
        np.add.at(counts, (rows + 1, cols + 1), 1)
        return cls(counts.cumsum(axis=0).cumsum(axis=1), origin, cell_km, east_per_degree)

    def around(self, lat: Floats, long: Floats, reach_km: Floats) -> Ints:
        """Meters in the square of half-side ``reach_km`` around each place."""
        north = lat * KM_PER_DEGREE - self.origin[0]
        east = long * self.east_per_degree - self.origin[1]
        last_row, last_col = self.table.shape[0] - 1, self.table.shape[1] - 1

        def cell(value: Floats, last: int) -> Ints:
            return np.clip(np.floor(value / self.cell_km).astype(np.int64) + 1, 0, last)

        low_row, high_row = cell(north - reach_km, last_row), cell(north + reach_km, last_row)
        low_col, high_col = cell(east - reach_km, last_col), cell(east + reach_km, last_col)
        low_row, low_col = np.maximum(low_row - 1, 0), np.maximum(low_col - 1, 0)
        table = self.table
        total = table[high_row, high_col] - table[low_row, high_col]
        return np.asarray(total - table[high_row, low_col] + table[low_row, low_col])
