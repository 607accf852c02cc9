"""Outage detection over the lake: reporting masks from ``daily`` -> events tables, atomically.

One grouped query turns the window's interval reads into a 64-bit mask per meter and block of
64 intervals; geo data places meters, CIS counts their customers and ERR reads add explicit
evidence. The events whose start falls in the window replace the ones stored for it, in one
transaction with a run record (so readers see the old events or the new ones).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from meterlake.analytics.outage import OutageParams
from meterlake.analytics.outage.chance import Background
from meterlake.analytics.outage.events import Fleet, build_events, gather_evidence
from meterlake.analytics.outage.grid import BLOCK, MeterBlocks, candidate_runs
from meterlake.lake.layout import PART_FILE, LakeLayout
from meterlake.lake.lock import writer_lock
from meterlake.lake.transaction import Transaction, recover

Query = Callable[[str, Sequence[object]], pa.Table]
_MASKS = f"""WITH reads AS (
        SELECT meter_id, (epoch_us(reading_date_time) - ?) // ? AS slot, reading_value
        FROM daily
        WHERE reading_type = 'INT' AND reading_date_time >= ? AND reading_date_time < ?
            AND date_str >= ? AND date_str <= ?)
    SELECT meter_id, slot // {BLOCK} AS block,
        coalesce(bit_or(1::UBIGINT << (slot % {BLOCK})::INTEGER)
            FILTER (WHERE reading_value > 0), 0::UBIGINT) AS mask,
        min(slot) AS first, max(slot) AS last
    FROM reads GROUP BY ALL"""
_ERRS = """SELECT meter_id, (epoch_us(reading_date_time) - ?) // ? AS slot FROM err_readings
    WHERE reading_date_time >= ? AND reading_date_time < ? AND date_str >= ? AND date_str <= ?"""


@dataclass
class OutageReport:
    """The record of one detection run."""

    run_id: str
    start: datetime
    end: datetime
    params: dict[str, Any]
    kind: str = "outages"
    meters: int = 0
    candidate_runs: int = 0
    err_reads: int = 0
    events: int = 0
    by_source: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The run record as stored (``counts``/``totals`` as every run record has them)."""
        record = asdict(self)
        record["counts"] = {"events": self.events, **self.by_source}
        record["totals"] = {"candidate_runs": self.candidate_runs, "err_reads": self.err_reads}
        return record


@dataclass(frozen=True)
class _Grid:
    """The interval grid of one detection: origin, interval and the query window."""

    origin: datetime
    step: timedelta
    slots: int
    start: datetime
    end: datetime

    def params(self) -> list[object]:
        """Bound values shared by the mask and ERR queries (a day of date_str margin)."""
        return [
            int(self.origin.replace(tzinfo=UTC).timestamp() * 1_000_000),
            int(self.step.total_seconds() * 1_000_000),
            self.start,
            self.end,
            (self.start - timedelta(days=1)).strftime("%Y%m%d"),
            (self.end + timedelta(days=1)).strftime("%Y%m%d"),
        ]


def _grid(start: datetime, end: datetime, params: OutageParams) -> _Grid:
    """Whole days around the window, with ``max_hours`` of margin to see runs end."""
    margin = timedelta(hours=params.max_hours) + timedelta(days=1)
    first = datetime.combine((start - margin).date(), datetime.min.time())
    last = datetime.combine((end + margin).date(), datetime.min.time()) + timedelta(days=1)
    days = (last - first).days
    step = timedelta(minutes=params.interval_minutes)
    return _Grid(first, step, days * params.slots_per_day, first, last)


def infer_events(
    query: Query, start: datetime, end: datetime, params: OutageParams, report: OutageReport
) -> tuple[pa.Table, pa.Table]:
    """Events starting in ``[start, end)`` and their meters (``report`` gets the counts)."""
    grid = _grid(start, end, params)
    with _timed(report, "read"):
        masks = query(_MASKS, grid.params())
        errs = query(_ERRS, grid.params())
    with _timed(report, "infer"):
        names = pa.chunked_array(masks["meter_id"].chunks + errs["meter_id"].chunks, pa.string())
        known = pc.unique(names).sort()
        ids = known.to_numpy(zero_copy_only=False).astype(np.str_)
        blocks = _blocks(masks, _index(masks["meter_id"], known), ids.size, grid.slots)
        runs = candidate_runs(blocks, params)
        err_meter = _index(errs["meter_id"], known)
        err_slot = errs["slot"].to_numpy().astype(np.int64)
        evidence = gather_evidence(runs, err_meter, err_slot, params.tolerance)
        background = Background.of(
            runs.end - runs.start, int((blocks.last - blocks.first + 1).clip(0).sum())
        )
        events, meters = build_events(
            evidence, _fleet(query, known), params, np.datetime64(grid.origin, "us"), background
        )
        keep = pc.and_(pc.greater_equal(events["start"], start), pc.less(events["start"], end))
        events = events.filter(keep)
        meters = meters.filter(pc.is_in(meters["event_id"], value_set=events["event_id"]))
    report.meters, report.candidate_runs = int(ids.size), int(runs.meter.size)
    report.err_reads, report.events = errs.num_rows, events.num_rows
    report.by_source = _count(events["source"])
    return events, meters


def _index(names: pa.ChunkedArray, known: pa.Array) -> npt.NDArray[np.int64]:
    """Position of each name in ``known`` (-1 when it is not there)."""
    found = pc.fill_null(pc.index_in(names, value_set=known), -1)
    return np.asarray(found.to_numpy(), dtype=np.int64)


def _blocks(masks: pa.Table, meter: npt.NDArray[np.int64], meters: int, slots: int) -> MeterBlocks:
    every = pd.RangeIndex(meters)
    first = (
        pd.Series(masks["first"].to_numpy()).groupby(meter).min().reindex(every, fill_value=slots)
    )
    last = pd.Series(masks["last"].to_numpy()).groupby(meter).max().reindex(every, fill_value=-1)
    return MeterBlocks(
        meters=meters,
        slots=slots,
        meter=meter.astype(np.int64),
        block=masks["block"].to_numpy().astype(np.int64),
        mask=masks["mask"].to_numpy().astype(np.uint64),
        first=first.to_numpy(np.int64),
        last=last.to_numpy(np.int64),
    )


def _fleet(query: Query, known: pa.Array) -> Fleet:
    """Positions (geodata) and customer counts (CIS; 1 for a meter without a CIS row)."""
    geo = query("SELECT meter_id, lat, long FROM geodata", [])
    cis = query("SELECT meter_id, count(DISTINCT customer_id) AS n FROM cis GROUP BY 1", [])
    lat, long = np.full(len(known), np.nan), np.full(len(known), np.nan)
    customers = np.ones(len(known), dtype=np.int64)
    for table, targets in ((geo, (lat, long)), (cis, (customers,))):
        found = _index(table["meter_id"], known)
        here = found >= 0
        for target, column in zip(targets, table.column_names[1:], strict=True):
            target[found[here]] = table[column].to_numpy()[here]
    return Fleet(known.to_numpy(zero_copy_only=False).astype(np.str_), lat, long, customers)


def store_events(
    layout: LakeLayout, events: pa.Table, meters: pa.Table, report: OutageReport
) -> None:
    """Replace the stored events starting in the report's window, with a run record."""
    with writer_lock(layout):
        recover(layout)
        txn = Transaction(layout, report.run_id)
        try:
            replaced = _stored_ids(layout, report.start, report.end)
            _stage(layout, txn, "outage_events", events, replaced)
            _stage(layout, txn, "outage_meters", meters, replaced)
            txn.write_json(layout.runs / f"{report.run_id}.json", report.to_json())
            txn.commit()
        except BaseException:
            txn.abort()
            raise


def _stored_ids(layout: LakeLayout, start: datetime, end: datetime) -> pa.Array:
    """Ids of the stored events that start in ``[start, end)``."""
    path = layout.table("outage_events") / PART_FILE
    if not path.exists():
        return pa.array([], pa.string())
    stored = pq.read_table(path, columns=["event_id", "start"])
    inside = pc.and_(pc.greater_equal(stored["start"], start), pc.less(stored["start"], end))
    return stored["event_id"].filter(inside).combine_chunks()


def _stage(
    layout: LakeLayout, txn: Transaction, name: str, table: pa.Table, replaced: pa.Array
) -> None:
    """Stage ``name`` = its stored rows of events not replaced, plus ``table``."""
    final = layout.table(name) / PART_FILE
    parts = [table]
    if final.exists():
        stored = pq.read_table(final, schema=table.schema)
        parts.insert(0, stored.filter(pc.invert(pc.is_in(stored["event_id"], value_set=replaced))))
    merged = pa.concat_tables(parts).sort_by([("start", "ascending"), ("event_id", "ascending")])
    target = txn.stage(final)
    target.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(merged, target, compression="zstd")


def _count(column: pa.ChunkedArray) -> dict[str, int]:
    values, counts = np.unique(column.to_numpy(False).astype(np.str_), return_counts=True)
    return {str(v): int(c) for v, c in zip(values, counts, strict=True)}


@contextmanager
def _timed(report: OutageReport, step: str) -> Iterator[None]:
    began = time.perf_counter()
    try:
        yield
    finally:
        report.timings[step] = round(time.perf_counter() - began, 3)
