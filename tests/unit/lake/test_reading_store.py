"""The server's meter-clustered reads store: the Parquet partitions' answers, kept current."""

from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path

import duckdb

from meterlake.config import Settings
from meterlake.lake.layout import LakeLayout
from meterlake.lake.reader import LakeReader
from meterlake.lake.reading_store import ReadingStore, partition_signatures
from meterlake.service import MeterLake
from meterlake.synth import FleetSpec

ALL_READS = "SELECT * FROM {table} ORDER BY meter_id, reading_date_time, reading_type"


def _fleet_lake(root: Path, start: date, end: date, seed: int = 3) -> MeterLake:
    lake = MeterLake(Settings(root=root, threads=1, memory_limit="1GB"))
    lake.generate(FleetSpec(meters=4, start=start, end=end, seed=seed))
    lake.ingest()
    return lake


def _daily_reads(root: Path) -> list[tuple[object, ...]]:
    with duckdb.connect() as con:
        return con.sql(
            f"""SELECT meter_id, reading_date_time, reading_value, reading_type, obis_code,
                error_value, date_str
            FROM read_parquet('{root}/business/daily/*/*/*.parquet', hive_partitioning=true,
                hive_types={{'reading_type': VARCHAR, 'date_str': VARCHAR}})
            ORDER BY meter_id, reading_date_time, reading_type"""
        ).fetchall()


def test_sync_copies_every_read_and_then_only_what_changed(tmp_path: Path):
    root = tmp_path / "lake"
    _fleet_lake(root, date(2013, 1, 1), date(2013, 2, 10)).close()
    layout = LakeLayout(root)
    con = duckdb.connect()
    store = ReadingStore(con, layout)
    try:
        assert store.sync() == len(partition_signatures(layout)) > 30
        assert con.sql(ALL_READS.format(table=store.source())).fetchall() == _daily_reads(root)
        assert store.sync() == 0  # nothing changed

        # A later file: new days and one late day rewrite partitions; only those reload.
        before = partition_signatures(layout)
        other = MeterLake(Settings(root=tmp_path / "later"))
        files = other.generate(FleetSpec(meters=4, start=date(2013, 2, 9), end=date(2013, 2, 20)))
        MeterLake(Settings(root=root, threads=1)).ingest(files.readings)
        after = partition_signatures(layout)
        changed = {p for p, s in after.items() if before.get(p) != s}
        assert store.sync() == len(changed) > 0
        assert con.sql(ALL_READS.format(table=store.source())).fetchall() == _daily_reads(root)
    finally:
        store.close()
        con.close()
    assert not list((root / "_meterlake" / "serving").iterdir())


def test_a_clustered_reader_answers_like_the_partitions_and_follows_commits(tmp_path: Path):
    root = tmp_path / "lake"
    _fleet_lake(root, date(2013, 1, 1), date(2013, 1, 20)).close()
    reader = LakeReader(LakeLayout(root), "1GB", 1, clustered=True)
    plain = LakeReader(LakeLayout(root), "1GB", 1)
    query = """SELECT reading_date_time, reading_value FROM {readings}
        WHERE meter_id = ? AND reading_date_time >= ? AND reading_date_time < ? ORDER BY 1"""
    window = [datetime(2013, 1, 5), datetime(2013, 1, 12)]
    first, last = date(2013, 1, 5), date(2013, 1, 12)
    meter = plain.query("SELECT min(meter_id) FROM daily").column(0)[0].as_py()
    try:
        _wait_current(reader)
        expected = plain.query_days(query, [meter, *window], first, last)
        assert expected.num_rows > 48
        assert reader.query_days(query, [meter, *window], first, last) == expected
        assert reader.store is not None
        in_store = query.replace("{readings}", reader.store.source(first, last))
        assert reader.query_days(in_store, [meter, *window], first, last) == expected

        # After a commit the answer changes at once (Parquet until the store catches up).
        other = MeterLake(Settings(root=tmp_path / "later"))
        files = other.generate(FleetSpec(meters=4, start=date(2013, 1, 8), end=date(2013, 1, 30)))
        MeterLake(Settings(root=root, threads=1)).ingest(files.readings)
        changed = plain.query_days(query, [meter, *window], first, last)
        assert changed != expected
        assert reader.query_days(query, [meter, *window], first, last) == changed
        _wait_current(reader)
        in_store = query.replace("{readings}", reader.store.source(first, last))
        assert reader.query_days(in_store, [meter, *window], first, last) == changed
    finally:
        reader.close()
        plain.close()


def test_two_servers_of_one_lake_in_one_process_keep_their_own_stores(tmp_path: Path):
    root = tmp_path / "lake"
    _fleet_lake(root, date(2013, 1, 1), date(2013, 1, 10)).close()
    first = LakeReader(LakeLayout(root), "1GB", 1, clustered=True)
    second = LakeReader(LakeLayout(root), "1GB", 1, clustered=True)
    query = "SELECT count(*) FROM {readings}"
    try:
        _wait_current(first)
        _wait_current(second)
        counted = first.query_days(query, [], date(2013, 1, 1), date(2013, 1, 9))
        first.close()
        assert second.query_days(query, [], date(2013, 1, 1), date(2013, 1, 9)) == counted
        assert len(list((root / "_meterlake" / "serving").glob("*.duckdb"))) == 1
    finally:
        second.close()


def _wait_current(reader: LakeReader) -> None:
    reader.refresh()
    deadline = time.monotonic() + 30
    while reader.store_state != "current":
        assert time.monotonic() < deadline, "the store did not fill"
        time.sleep(0.05)
