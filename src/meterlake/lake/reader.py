"""A long-lived, read-only view of the lake for front ends that query often (the API).

One DuckDB database holds the catalog's views; each query runs on its own cursor (safe across
threads) under the shared commit lock, and the views are rebuilt when a run has committed since
they were made (a table that was empty gets its files).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TypeVar, cast

import duckdb
import pyarrow as pa

from meterlake.errors import QueryError
from meterlake.lake.catalog import (
    RECENT_DAYS,
    RECENT_HOURLY,
    cache_statement,
    readings_between,
    recent_hours_statement,
    view_statements,
)
from meterlake.lake.layout import LakeLayout
from meterlake.lake.lock import commit_lock
from meterlake.lake.meter_slices import MeterSlices
from meterlake.lake.reading_store import STORE_COLUMNS, IntervalReads, ReadingStore, interval_of

T = TypeVar("T")
#: ``query(sql, params)`` on the reader's database, for ``derived`` builders.
Query = Callable[[str, Sequence[object] | None], pa.Table]


class LakeReader:
    """Parameterised SQL over the lake's views, consistent with commits."""

    def __init__(
        self,
        layout: LakeLayout,
        memory_limit: str,
        threads: int | None,
        cached: tuple[str, ...] = (),
        clustered: bool = False,
    ) -> None:
        """Open an in-memory database for the views.

        ``cached`` tables are held in memory, sorted by meter, and reloaded after each commit
        (millisecond lookups by meter). ``clustered`` keeps a meter-clustered store of the
        interval reads (see ``reading_store``), filled and updated in a background thread.
        """
        config: dict[str, str | bool | int | float | list[str]] = {"memory_limit": memory_limit}
        if threads:
            config["threads"] = threads
        self.layout = layout
        self.cached = cached
        self.con = duckdb.connect(config=config)
        self._generation: tuple[int, ...] | None = None
        self._refresh = threading.Lock()
        #: First hour held in ``recent_hourly`` (when cached), else ``None``.
        self.recent_from: datetime | None = None
        self._slices: dict[str, MeterSlices] = {}
        self._memo: dict[str, tuple[tuple[int, ...] | None, object]] = {}
        self._memo_lock = threading.Lock()
        self._store = ReadingStore(layout, memory_limit) if clustered else None
        self._store_generation: tuple[int, ...] | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._keeper: threading.Thread | None = None
        if self._store is not None:
            self._keeper = threading.Thread(
                target=self._keep_store, name="reading-store", daemon=True
            )
            self._keeper.start()
            self._wake.set()

    def query(self, sql: str, params: Sequence[object] | None = None) -> pa.Table:
        """Run ``sql`` with bound ``params``; DuckDB errors become ``QueryError``."""
        with commit_lock(self.layout, shared=True):
            self._views()
            return self._run(sql, params)

    def meter_reads(self, meter_id: str, start: datetime, end: datetime) -> pa.Table:
        """``meter_id``'s reads in ``[start, end)``, by time then reading type.

        From the meter-clustered store when it holds the last commit, else from those days'
        partitions. Columns: ``STORE_COLUMNS``.
        """
        with commit_lock(self.layout, shared=True):
            self._views()
            if self._store is not None and self._store_generation == self._generation:
                return self._store.reads(meter_id, start, end)
            return self._parquet_reads(meter_id, start, end)

    def interval_reads(self, meter_id: str, start: datetime, end: datetime) -> IntervalReads:
        """``meter_id``'s interval reads in ``[start, end)`` as arrays (as ``meter_reads``)."""
        with commit_lock(self.layout, shared=True):
            self._views()
            if self._store is not None and self._store_generation == self._generation:
                return self._store.interval(meter_id, start, end)
            return interval_of(self._parquet_reads(meter_id, start, end))

    def _parquet_reads(self, meter_id: str, start: datetime, end: datetime) -> pa.Table:
        margin = timedelta(days=1)  # partitions are local days when a calendar zone is set
        source = readings_between(self.layout, (start - margin).date(), (end + margin).date())
        return self._run(
            f"""SELECT {", ".join(STORE_COLUMNS)} FROM {source}
            WHERE meter_id = ? AND reading_date_time >= ? AND reading_date_time < ?
            ORDER BY reading_date_time, reading_type""",
            [meter_id, start, end],
        )

    def meter_rows(self, name: str, meter_id: str) -> pa.Table | None:
        """The rows of one meter in the cached table ``name``; ``None`` if it is not cached."""
        with commit_lock(self.layout, shared=True):
            self._views()
            slices = self._slices.get(name)
            return None if slices is None else slices.rows(meter_id)

    def recent_hours(self, meter_id: str) -> tuple[datetime | None, pa.Table | None]:
        """``recent_from`` and the meter's rows of ``recent_hourly`` (if cached), at one commit."""
        with commit_lock(self.layout, shared=True):
            self._views()
            slices = self._slices.get(RECENT_HOURLY)
            return self.recent_from, None if slices is None else slices.rows(meter_id)

    def derived(self, name: str, build: Callable[[Query], T]) -> T:
        """``build(query)``, computed once per commit and kept (e.g. an in-memory index)."""
        with commit_lock(self.layout, shared=True):
            self._views()
            with self._memo_lock:
                kept = self._memo.get(name)
                if kept is None or kept[0] != self._generation:
                    kept = (self._generation, build(self._run))
                    self._memo[name] = kept
                return cast("T", kept[1])

    @property
    def store(self) -> ReadingStore | None:
        """The meter-clustered reads store, if this reader keeps one."""
        return self._store

    @property
    def store_state(self) -> str:
        """``current``, ``updating`` (lookups read Parquet meanwhile) or ``off``."""
        if self._store is None:
            return "off"
        current = self._store_generation == self._current_generation()
        return "current" if current else "updating"

    def _run(self, sql: str, params: Sequence[object] | None) -> pa.Table:
        cursor = self.con.cursor()
        try:
            relation = cursor.sql(sql, params=params)
            if relation is None:
                raise QueryError("the statement returns no rows; use a SELECT query")
            return relation.to_arrow_table()
        except duckdb.Error as exc:
            raise QueryError(str(exc).strip().splitlines()[0]) from exc
        finally:
            cursor.close()

    def refresh(self) -> None:
        """Bring the views (and ``recent_from``) up to the last commit without querying."""
        with commit_lock(self.layout, shared=True):
            self._views()

    def close(self) -> None:
        """Stop the store's upkeep, delete the store and close the database."""
        if self._store is not None:
            self._stop.set()
            self._wake.set()
            if self._keeper is not None:
                self._keeper.join()
            self._store.close()
            self._store = None
        self.con.close()

    def _keep_store(self) -> None:
        """Background thread: bring the store up to each new commit."""
        while not self._stop.is_set():
            self._wake.wait()
            self._wake.clear()
            if self._stop.is_set() or self._store is None:
                return
            generation = self._current_generation()
            try:
                self._store.sync(self._stop)
            except (duckdb.Error, OSError, pa.ArrowException):
                # Retried after the next commit; lookups read Parquet meanwhile.
                continue
            if self._stop.is_set():
                return
            self._store_generation = generation
            if self._current_generation() != generation:
                self._wake.set()

    def _views(self) -> None:
        generation = self._current_generation()
        if generation == self._generation:
            return
        with self._refresh:
            if generation != self._generation:
                for statement in view_statements(self.layout):
                    self.con.execute(statement)
                for name in self.cached:
                    if name == RECENT_HOURLY:
                        self._cache_recent_hours()
                    else:
                        self.con.execute(cache_statement(name))
                        cached = self.con.sql(f"SELECT * FROM cached_{name}")
                        self._slices[name] = MeterSlices(cached.to_arrow_table())
                self._generation = generation
                self._wake.set()

    def _cache_recent_hours(self) -> None:
        """Hold the last ``RECENT_DAYS`` of hourly interval kWh per meter in memory."""
        row = self.con.execute("SELECT max(date_str) FROM aggregated_daily").fetchone()
        last = row[0] if row else None
        if last is None:
            self.recent_from = None
            self._slices.pop(RECENT_HOURLY, None)
            return
        first_day = datetime.strptime(last, "%Y%m%d") - timedelta(days=RECENT_DAYS)
        self.con.execute(recent_hours_statement(first_day.strftime("%Y%m%d")))
        cached = self.con.sql(f"SELECT * FROM cached_{RECENT_HOURLY}").to_arrow_table()
        self._slices[RECENT_HOURLY] = MeterSlices(cached)
        self.recent_from = first_day + timedelta(days=1)  # a day of margin for local calendars

    def _current_generation(self) -> tuple[int, ...]:
        """Changes whenever a run commits (its record lands in the runs folder)."""
        runs = self.layout.runs
        if not runs.exists():
            return ()
        stat = runs.stat()
        return (stat.st_mtime_ns, stat.st_ino, len(list(runs.iterdir())))
