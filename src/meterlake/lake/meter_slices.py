"""One meter's rows of an in-memory table sorted by meter, found without a query.

The server holds the aggregates in memory sorted by meter (``catalog.cache_statement``). A DuckDB
query costs at least about half a millisecond of parsing, planning and result conversion even
for twelve monthly rows; a meter's rows of a table already sorted by meter are a contiguous run,
so a dictionary from meter to run boundaries answers in microseconds with a zero-copy slice.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


class MeterSlices:
    """A table grouped by meter and the row range of each meter."""

    def __init__(self, table: pa.Table, meter_ids: pa.ChunkedArray | None = None) -> None:
        """Index ``table`` by its ``meter_id`` column, or by ``meter_ids`` (one per row).

        The rows must be grouped by meter (sorted, say); rows without a meter id are kept
        under ``""``.
        """
        chunked = any(column.num_chunks > 1 for column in table.columns)
        self.table = table.combine_chunks() if chunked else table  # keep memory-mapped data
        ids = table.column("meter_id") if meter_ids is None else meter_ids
        self._bounds: dict[str, tuple[int, int]] = {}
        if not self.table.num_rows:
            return
        encoded = pc.dictionary_encode(pc.fill_null(ids, "")).combine_chunks()
        codes = encoded.indices.to_numpy(zero_copy_only=False)
        starts = np.concatenate(([0], np.flatnonzero(np.diff(codes)) + 1))
        stops = np.append(starts[1:], len(codes))
        names = encoded.dictionary.to_pylist()
        for start, stop in zip(starts.tolist(), stops.tolist(), strict=True):
            meter = names[codes[start]]
            if meter in self._bounds:
                raise ValueError(f"the table is not grouped by meter ({meter} appears twice)")
            self._bounds[meter] = (start, stop)

    def rows(self, meter_id: str) -> pa.Table:
        """The rows of ``meter_id`` (none when it is unknown), zero-copy."""
        start, stop = self._bounds.get(meter_id, (0, 0))
        return self.table.slice(start, stop - start)
