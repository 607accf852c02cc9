"""A meter-clustered copy of the interval reads, for a server's single-meter lookups.

The lake's ``daily`` table is partitioned by day, so one meter's week touches seven files: at
full LCL size opening and pruning them costs about 10 ms a request, more than a server answering
200 requests a second on two cores can spend. The server therefore keeps its own copy next to
the lake: one Arrow IPC file per month with the month's reads sorted by meter and time, memory
mapped, and each meter's row range in a dictionary. A meter's week is then two dictionary
lookups and a zero-copy slice (about 0.1 ms), where a DuckDB query over a meter-sorted table
costs about 2.5 ms of planning and scanning one row group.

The store is derived data, private to one server process: it is filled in the background when
the server starts, brought up to date after every commit month by month (a month is rebuilt when
the signature of one of its partition files changed), and deleted when the server stops. Until
it is current the server reads the Parquet partitions, so answers are the same either way.

A month's file holds no ``meter_id`` column (the row ranges say whose rows they are) and keeps
the times as seconds from the start of the month when they are whole seconds, which keeps it
at about 15 bytes a read.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import ipc

from meterlake.engines.duckdb_sql import quote_literal
from meterlake.lake.catalog import READING_COLUMNS
from meterlake.lake.layout import PART_FILE, LakeLayout
from meterlake.lake.lock import commit_lock
from meterlake.lake.meter_slices import MeterSlices

#: Columns of ``reads`` (and of ``LakeReader.meter_reads``): the catalog's read columns.
STORE_COLUMNS = READING_COLUMNS
#: One meter's interval (``INT``) reads: epoch microseconds and kWh (NaN: no value), by time.
IntervalReads = tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]
INTERVAL = "INT"
_CODES = ("reading_type", "obis_code", "error_value")
_MICROS = 1_000_000
_MARGIN = timedelta(days=1)
_SERIAL = itertools.count()

#: (reading type, yyyyMMdd) of one ``daily`` partition.
Partition = tuple[str, str]
#: What identifies one version of a partition's file: inode, size, modification time.
Signature = tuple[int, int, int]


def partition_signatures(layout: LakeLayout) -> dict[Partition, Signature]:
    """Every ``daily`` partition with the signature of its data file."""
    found: dict[Partition, Signature] = {}
    root = layout.table("daily")
    if not root.exists():
        return found
    for type_dir in root.iterdir():
        if not type_dir.is_dir():
            continue
        reading_type = type_dir.name.partition("=")[2]
        for day_dir in type_dir.iterdir():
            with contextlib.suppress(OSError):  # gone meanwhile, or not a partition folder
                found[(reading_type, day_dir.name.partition("=")[2])] = _signature(
                    day_dir / PART_FILE
                )
    return found


def store_folder(layout: LakeLayout) -> Path:
    """A new store folder of this process (stores left by processes that died are removed)."""
    parent = layout.meta / "serving"
    parent.mkdir(parents=True, exist_ok=True)
    for stale in parent.glob("reads-*"):
        pid = stale.name.split("-")[1]  # reads-PID-N
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    folder = parent / f"reads-{os.getpid()}-{next(_SERIAL)}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    return folder


@dataclass(frozen=True)
class MonthReads:
    """One month's reads: the mapped file's table and each meter's row range."""

    first: datetime
    slices: MeterSlices

    def reads(self, meter_id: str, start: datetime, end: datetime) -> pa.Table:
        """The meter's rows of this month in ``[start, end)``, times restored, in time order."""
        rows, base, unit = self._window(meter_id, start, end)
        micros = pc.add(pc.multiply(rows.column("offset").cast(pa.int64()), unit), base)
        columns = {"reading_date_time": micros.cast(pa.timestamp("us"))}
        columns |= {name: rows.column(name).cast(pa.string()) for name in _CODES}
        columns["reading_value"] = rows.column("reading_value")
        return pa.table({name: columns[name] for name in STORE_COLUMNS[1:]})

    def interval(self, meter_id: str, start: datetime, end: datetime) -> IntervalReads:
        """The meter's ``INT`` reads of this month in ``[start, end)`` as numpy arrays.

        What an hourly series needs and nothing more: no table, no string codes restored.
        """
        rows, base, unit = self._window(meter_id, start, end)
        if not rows.num_rows:
            return np.zeros(0, np.int64), np.zeros(0)
        types = rows.column("reading_type").chunk(0)
        codes = types.dictionary.to_pylist()  # a handful of codes (pc.index costs 35 µs)
        if INTERVAL not in codes:
            return np.zeros(0, np.int64), np.zeros(0)
        keep = types.indices.to_numpy(zero_copy_only=False) == codes.index(INTERVAL)
        offsets = rows.column("offset").chunk(0).to_numpy().astype(np.int64)[keep]
        values = rows.column("reading_value").to_numpy()[keep]
        return offsets * unit + base, values.astype(np.float64, copy=False)

    def _window(self, meter_id: str, start: datetime, end: datetime) -> tuple[pa.Table, int, int]:
        """The meter's rows in ``[start, end)``, the month's epoch µs and the offsets' unit."""
        rows = self.slices.rows(meter_id)
        offsets = rows.column("offset")
        base = int((self.first - datetime(1970, 1, 1)).total_seconds()) * _MICROS
        unit = _MICROS if pa.types.is_int32(offsets.type) else 1  # whole seconds, or µs
        bounds = [-(-(_micros(moment) - base) // unit) for moment in (start, end)]  # ceiling
        first, stop = np.searchsorted(offsets.to_numpy(), bounds, side="left").tolist()
        return rows.slice(first, max(stop - first, 0)), base, unit


class ReadingStore:
    """The meter-clustered reads of a lake, one memory-mapped file per month."""

    def __init__(self, layout: LakeLayout, memory_limit: str = "1GB") -> None:
        """A fresh, empty store folder (filled by ``sync``)."""
        self.layout = layout
        self.folder = store_folder(layout)
        self.memory_limit = memory_limit
        self._applied: dict[Partition, Signature] = {}
        #: ``yyyyMM`` -> the month's reads; rebound on change, never mutated (readers iterate it).
        self._months: dict[str, MonthReads] = {}

    def reads(self, meter_id: str, start: datetime, end: datetime) -> pa.Table:
        """The meter's reads in ``[start, end)``, in time order (then reading type).

        Months are those of the partitions (local days when a calendar zone is set), so a day
        of margin on each side finds every read whose UTC time lies in the window.
        """
        span = (f"{start - _MARGIN:%Y%m}", f"{end + _MARGIN:%Y%m}")
        months = self._months
        parts = [
            months[m].reads(meter_id, start, end) for m in sorted(months) if span[0] <= m <= span[1]
        ]
        table = pa.concat_tables(parts) if parts else _empty()
        meter = pa.repeat(pa.scalar(meter_id, pa.string()), table.num_rows)
        return table.add_column(0, "meter_id", meter)

    def interval(self, meter_id: str, start: datetime, end: datetime) -> IntervalReads:
        """The meter's ``INT`` reads in ``[start, end)`` as arrays (the months as in ``reads``)."""
        span = (f"{start - _MARGIN:%Y%m}", f"{end + _MARGIN:%Y%m}")
        months = self._months
        parts = [
            months[m].interval(meter_id, start, end)
            for m in sorted(months)
            if span[0] <= m <= span[1]
        ]
        if not parts:
            return np.zeros(0, np.int64), np.zeros(0)
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])

    def sync(self, stop: threading.Event | None = None) -> int:
        """Rebuild every month with a partition that changed since the last sync.

        Returns the number of changed partitions; ``stop`` ends it early.
        """
        with commit_lock(self.layout, shared=True):
            current = partition_signatures(self.layout)
        stale = {p for p, s in current.items() if self._applied.get(p) != s}
        stale |= self._applied.keys() - current.keys()
        months = sorted({day[:6] for _, day in stale})
        if not months:
            return 0
        con = duckdb.connect(config={"memory_limit": self.memory_limit, "threads": 2})
        try:
            for month in months:
                if stop is not None and stop.is_set():
                    break
                self._rebuild(con, month)
        finally:
            con.close()
        return len(stale)

    def close(self) -> None:
        """Forget the months and delete the store's files."""
        self._months = {}
        shutil.rmtree(self.folder, ignore_errors=True)

    def _rebuild(self, con: duckdb.DuckDBPyConnection, month: str) -> None:
        with commit_lock(self.layout, shared=True):
            files: dict[Partition, Path] = {}
            signatures: dict[Partition, Signature] = {}
            for type_dir in self.layout.table("daily").glob("reading_type=*"):
                for day_dir in type_dir.glob(f"date_str={month}*"):
                    with contextlib.suppress(FileNotFoundError):
                        key = (type_dir.name.partition("=")[2], day_dir.name.partition("=")[2])
                        signatures[key] = _signature(day_dir / PART_FILE)
                        files[key] = day_dir / PART_FILE
            table = _month_table(con, list(files.values())) if files else None
        months = dict(self._months)
        if table is None or not table.num_rows:
            months.pop(month, None)
        else:
            months[month] = self._write(month, table)
        self._months = months
        for key in [k for k in self._applied if k[1][:6] == month]:
            del self._applied[key]
        self._applied.update(signatures)

    def _write(self, month: str, table: pa.Table) -> MonthReads:
        first = datetime.strptime(month, "%Y%m")
        stored = table.drop_columns(["meter_id", "reading_date_time"]).add_column(
            0, "offset", _offsets(table.column("reading_date_time"), first)
        )
        path = self.folder / f"m{month}-{next(_SERIAL)}.arrow"
        with ipc.new_file(path, stored.schema) as writer:
            writer.write_table(stored.combine_chunks())  # one batch: slices never span two
        mapped = ipc.open_file(pa.memory_map(str(path))).read_all()
        for old in self.folder.glob(f"m{month}-*.arrow"):
            if old != path:
                old.unlink()  # pages already mapped stay readable until released
        return MonthReads(first, MeterSlices(mapped, table.column("meter_id")))


def interval_of(reads: pa.Table) -> IntervalReads:
    """The ``INT`` rows of ``reads`` (``STORE_COLUMNS``, in time order) as numpy arrays."""
    interval = reads.filter(pc.equal(reads.column("reading_type"), INTERVAL))
    micros = interval.column("reading_date_time").cast(pa.timestamp("us")).cast(pa.int64())
    values = interval.column("reading_value").cast(pa.float64())
    return micros.to_numpy(), values.to_numpy()


def _month_table(con: duckdb.DuckDBPyConnection, files: list[Path]) -> pa.Table:
    """A month's reads sorted by meter and time, codes dictionary-encoded."""
    source = "[" + ", ".join(quote_literal(str(f)) for f in files) + "]"
    table = con.sql(
        f"""SELECT {", ".join(STORE_COLUMNS)}
        FROM read_parquet({source}, hive_partitioning=true,
            hive_types={{'reading_type': VARCHAR, 'date_str': VARCHAR}})
        ORDER BY meter_id, reading_date_time, reading_type"""
    ).to_arrow_table()
    for name in _CODES:
        codes = pc.dictionary_encode(table.column(name)).combine_chunks()
        small = len(codes.dictionary) < 127
        narrow = codes.cast(pa.dictionary(pa.int8(), pa.string())) if small else codes
        table = table.set_column(table.schema.get_field_index(name), name, narrow)
    return table


def _offsets(times: pa.ChunkedArray, first: datetime) -> pa.Array:
    """Time since ``first``: int32 seconds when every time is a whole second, else int64 µs."""
    base = int((first - datetime(1970, 1, 1)).total_seconds()) * _MICROS
    micros = times.cast(pa.timestamp("us")).cast(pa.int64()).to_numpy() - base
    if micros.size and not np.any(micros % _MICROS) and np.abs(micros).max() < 2**31 * _MICROS:
        return pa.array((micros // _MICROS).astype(np.int32))
    return pa.array(micros)


def _micros(moment: datetime) -> int:
    """Microseconds since the epoch of a naive UTC time."""
    return (moment - datetime(1970, 1, 1)) // timedelta(microseconds=1)


def _empty() -> pa.Table:
    return pa.table(
        {
            "reading_date_time": pa.array([], pa.timestamp("us")),
            "reading_value": pa.array([], pa.float64()),
            "reading_type": pa.array([], pa.string()),
            "obis_code": pa.array([], pa.string()),
            "error_value": pa.array([], pa.string()),
        }
    )


def _signature(path: Path) -> Signature:
    stat = path.stat()
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
