"""Reference tables in the lake: weather, geodata, full_geo, cis (reference 2.5-2.7) and households.

A landing file that holds one of them is merged into its table by key: a newer delivery of the
same key replaces the older row, so loading the same content again changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from meterlake.lake.layout import PART_FILE, LakeLayout
from meterlake.lake.transaction import Transaction
from meterlake.reference import REFERENCE_TABLES

#: The column that identifies a row of each reference table.
KEYS = {
    "weather": "time",
    "geodata": "meter_id",
    "full_geo": "id",
    "cis": "customer_id",
    "households": "lclid",
}
_ORDER = "__order"


def merge_reference(
    lake: LakeLayout, txn: Transaction, table: str, deliveries: Sequence[pa.Table]
) -> list[int]:
    """Stage ``table`` with the deliveries merged in, in order.

    Returns, per delivery, its rows superseded by a later row of the same run (its duplicates).
    """
    final = lake.table(table) / PART_FILE
    current = txn.staged(final) or (final if final.exists() else None)
    existing = [pq.read_table(current)] if current else []
    schema = REFERENCE_TABLES[table]
    combined = pa.concat_tables([part.cast(schema) for part in [*existing, *deliveries]])
    combined = combined.append_column(_ORDER, pa.array(range(combined.num_rows), pa.int64()))
    latest = combined.group_by(KEYS[table]).aggregate([(_ORDER, "max")])
    keep = pc.is_in(combined[_ORDER], value_set=latest[f"{_ORDER}_max"])
    merged = combined.filter(keep).sort_by(KEYS[table]).drop_columns([_ORDER])
    target = txn.stage(final)
    target.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(merged, target, compression="zstd")
    return _superseded(keep.to_pylist(), sum(t.num_rows for t in existing), deliveries)


def _superseded(kept: list[bool], start: int, deliveries: Sequence[pa.Table]) -> list[int]:
    counts = []
    for delivery in deliveries:
        counts.append(delivery.num_rows - sum(kept[start : start + delivery.num_rows]))
        start += delivery.num_rows
    return counts
