"""The server's meter-clustered reads store: the Parquet partitions' answers, kept current."""

from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path

import duckdb
import numpy as np

from meterlake.config import Settings
from meterlake.lake.layout import LakeLayout
from meterlake.lake.reader import LakeReader
from meterlake.lake.reading_store import (
    STORE_COLUMNS,
    ReadingStore,
    interval_of,
    partition_signatures,
)
from meterlake.service import MeterLake
from meterlake.synth import FleetSpec

FIRST, LAST = datetime(2012, 12, 1), datetime(2013, 4, 1)


def _fleet_lake(root: Path, start: date, end: date, seed: int = 3) -> MeterLake:
    lake = MeterLake(Settings(root=root, threads=1, memory_limit="1GB"))
    lake.generate(FleetSpec(meters=4, start=start, end=end, seed=seed))
    lake.ingest()
    return lake


def _daily_reads(root: Path) -> dict[str, list[tuple[object, ...]]]:
    with duckdb.connect() as con:
        rows = con.sql(
            f"""SELECT {", ".join(STORE_COLUMNS)}
            FROM read_parquet('{root}/business/daily/*/*/*.parquet', hive_partitioning=true,
                hive_types={{'reading_type': VARCHAR, 'date_str': VARCHAR}})
            ORDER BY meter_id, reading_date_time, reading_type"""
        ).fetchall()
    by_meter: dict[str, list[tuple[object, ...]]] = {}
    for row in rows:
        by_meter.setdefault(str(row[0]), []).append(row)
    return by_meter


def _stored(store: ReadingStore, meters: list[str]) -> dict[str, list[tuple[object, ...]]]:
    found = {}
    for meter in meters:
        table = store.reads(meter, FIRST, LAST)
        assert table.column_names == list(STORE_COLUMNS)
        found[meter] = [tuple(row.values()) for row in table.to_pylist()]
        _assert_same_intervals(store.interval(meter, FIRST, LAST), interval_of(table))
    return found


def _assert_same_intervals(got: tuple[np.ndarray, np.ndarray], want: tuple[np.ndarray, np.ndarray]):
    assert got[0].dtype == np.int64
    assert got[1].dtype == np.float64
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])  # NaN (no value) where the read has none


def test_sync_copies_every_read_and_then_only_what_changed(tmp_path: Path):
    root = tmp_path / "lake"
    _fleet_lake(root, date(2013, 1, 1), date(2013, 2, 10)).close()
    layout = LakeLayout(root)
    store = ReadingStore(layout)
    try:
        assert store.sync() == len(partition_signatures(layout)) > 30
        expected = _daily_reads(root)
        assert _stored(store, list(expected)) == expected
        assert store.reads("NOBODY", FIRST, LAST).num_rows == 0
        assert store.sync() == 0  # nothing changed

        # A later file: new days and one late day rewrite partitions; only those reload.
        before = partition_signatures(layout)
        other = MeterLake(Settings(root=tmp_path / "later"))
        files = other.generate(FleetSpec(meters=4, start=date(2013, 2, 9), end=date(2013, 3, 5)))
        MeterLake(Settings(root=root, threads=1)).ingest(files.readings)
        after = partition_signatures(layout)
        changed = {p for p, s in after.items() if before.get(p) != s}
        assert store.sync() == len(changed) > 0
        expected = _daily_reads(root)
        assert _stored(store, list(expected)) == expected
        assert len(list(store.folder.glob("*.arrow"))) == 3  # one file a month, old ones gone
    finally:
        store.close()
    assert not list((root / "_meterlake" / "serving").iterdir())


def test_a_clustered_reader_answers_like_the_partitions_and_follows_commits(tmp_path: Path):
    root = tmp_path / "lake"
    _fleet_lake(root, date(2013, 1, 1), date(2013, 1, 20)).close()
    reader = LakeReader(LakeLayout(root), "1GB", 1, clustered=True)
    plain = LakeReader(LakeLayout(root), "1GB", 1)
    window = (datetime(2013, 1, 5), datetime(2013, 1, 12))
    meter = plain.query("SELECT min(meter_id) FROM daily").column(0)[0].as_py()
    try:
        _wait_current(reader)
        expected = plain.meter_reads(meter, *window)
        assert expected.num_rows > 48
        assert expected.column_names == list(STORE_COLUMNS)
        assert reader.meter_reads(meter, *window) == expected
        assert reader.meter_reads("NOBODY", *window).num_rows == 0
        intervals = plain.interval_reads(meter, *window)  # from the Parquet partitions
        assert len(intervals[0]) > 48
        _assert_same_intervals(reader.interval_reads(meter, *window), intervals)
        assert len(reader.interval_reads("NOBODY", *window)[0]) == 0

        # After a commit the answer changes at once (Parquet until the store catches up).
        other = MeterLake(Settings(root=tmp_path / "later"))
        files = other.generate(FleetSpec(meters=4, start=date(2013, 1, 8), end=date(2013, 1, 30)))
        MeterLake(Settings(root=root, threads=1)).ingest(files.readings)
        changed = plain.meter_reads(meter, *window)
        assert changed != expected
        assert reader.meter_reads(meter, *window) == changed
        _wait_current(reader)
        assert reader.meter_reads(meter, *window) == changed
    finally:
        reader.close()
        plain.close()


def test_two_servers_of_one_lake_in_one_process_keep_their_own_stores(tmp_path: Path):
    root = tmp_path / "lake"
    _fleet_lake(root, date(2013, 1, 1), date(2013, 1, 10)).close()
    first = LakeReader(LakeLayout(root), "1GB", 1, clustered=True)
    second = LakeReader(LakeLayout(root), "1GB", 1, clustered=True)
    try:
        _wait_current(first)
        _wait_current(second)
        meter = first.query("SELECT min(meter_id) FROM daily").column(0)[0].as_py()
        window = (datetime(2013, 1, 1), datetime(2013, 1, 9))
        counted = first.meter_reads(meter, *window)
        assert counted.num_rows > 48
        first.close()
        assert second.meter_reads(meter, *window) == counted
        assert len(list((root / "_meterlake" / "serving").glob("reads-*"))) == 1
    finally:
        second.close()


def _wait_current(reader: LakeReader) -> None:
    reader.refresh()
    deadline = time.monotonic() + 30
    while reader.store_state != "current":
        assert time.monotonic() < deadline, "the store did not fill"
        time.sleep(0.05)
