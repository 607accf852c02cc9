"""The reference ``/outage`` answer from an in-memory index of ERR reads ordered by time.

ERR reads are few beside interval reads (one per failed read), and every ``/outage`` call asks
for a time window, so the server keeps them, joined with the meters' coordinates, sorted by
reading time: a window is two binary searches and a slice, not a query. The meters of inferred
outage events (fewer still) are kept beside them and filtered by their event's span.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from meterlake.serving.compat import INFERRED_ITEMS, outage_answer

#: Every ERR read with its meter's coordinates, in the order the answer lists them.
ALL_ERR_READS = """SELECT d.*, g.lat, g.long FROM err_readings d JOIN geodata g USING (meter_id)
    ORDER BY d.reading_date_time, d.meter_id"""


class OutageIndex:
    """ERR reads with coordinates, sorted by ``reading_date_time``."""

    def __init__(self, query: Callable[[str, Sequence[object] | None], pa.Table]) -> None:
        """Load every ERR read through ``query`` (the reader's, once per commit)."""
        self.table = query(ALL_ERR_READS, None).combine_chunks()
        self.inferred = query(INFERRED_ITEMS, None)
        times = self.table.column("reading_date_time").cast(pa.timestamp("us"))
        self._times = times.to_numpy(zero_copy_only=False).astype("datetime64[us]")

    def answer(
        self, start: datetime, end: datetime, error_code: str | None, source: str = "all"
    ) -> dict[str, Any]:
        """``{"Items": [...], "Count": n}`` of the items in ``[start, end]`` (inclusive)."""
        rows: list[dict[str, Any]] = []
        if source != "inferred":
            first = int(np.searchsorted(self._times, np.datetime64(start, "us"), side="left"))
            stop = int(np.searchsorted(self._times, np.datetime64(end, "us"), side="right"))
            window = self.table.slice(first, max(stop - first, 0))
            if error_code is not None:
                window = window.filter(pc.equal(window.column("error_value"), error_code))
            rows = window.to_pylist()
        inferred = self.inferred if source != "err" else None
        return outage_answer(rows, inferred, (start, end), error_code)
