"""A lake published to a real S3-compatible server (moto's, on loopback) and read back from it."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from meterlake.config import Settings
from meterlake.lake.layout import LakeLayout
from meterlake.lake.object_store import ObjectStoreLake
from meterlake.service import MeterLake

pytestmark = pytest.mark.integration
KAGGLE = "LCLid,tstp,energy(kWh/hh)\n"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A moto S3 server on a free loopback port for this module's tests."""
    from moto.server import ThreadedMotoServer  # noqa: PLC0415 (dev dependency)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint: str, request: pytest.FixtureRequest) -> tuple[str, dict[str, str]]:
    """A fresh bucket and the s3fs options that reach it."""
    options = {"endpoint_url": s3_endpoint, "key": "testing", "secret": "testing"}
    name = request.node.name.replace("_", "-")[:50].lower()
    store = ObjectStoreLake(f"s3://{name}", options)
    store.fs.mkdir(name)
    return f"s3://{name}/lake", options


def _readings(path: Path, meter: str, start: datetime, days: int, kwh: float) -> Path:
    rows = [
        f"{meter},{start + timedelta(minutes=30 * i):%Y-%m-%d %H:%M:%S}.0000000,{kwh}"
        for i in range(days * 48)
    ]
    path.write_text(KAGGLE + "\n".join(rows) + "\n")
    return path


def _lake(root: Path, url: str, options: dict[str, str]) -> MeterLake:
    return MeterLake(
        Settings(root=root, threads=1, memory_limit="1GB", lake_url=url, storage_options=options)
    )


def test_ingest_publishes_and_the_store_reads_like_the_local_lake(
    tmp_path: Path, bucket: tuple[str, dict[str, str]]
):
    url, options = bucket
    lake = _lake(tmp_path / "lake", url, options)
    lake.ingest([_readings(tmp_path / "a.csv", "MAC000001", datetime(2013, 1, 1), 10, 0.5)])
    store = ObjectStoreLake(url, options)
    for table in ("daily", "aggregated_daily", "aggregated_weekly", "aggregated_monthly"):
        query = f"SELECT * FROM {table} ORDER BY ALL"
        assert store.sql(query) == lake.sql(query), table
    assert store.sql("SELECT count(*) AS n FROM daily").to_pylist() == [{"n": 480}]
    keys = store.fs.find(url.removeprefix("s3://"))
    assert any("reading_type=INT/date_str=20130101/part-0.s000001.parquet" in k for k in keys)


def test_a_new_machine_pulls_the_lake_and_publishes_only_what_changed(
    tmp_path: Path, bucket: tuple[str, dict[str, str]]
):
    url, options = bucket
    first = _lake(tmp_path / "one", url, options)
    first.ingest([_readings(tmp_path / "a.csv", "MAC000001", datetime(2013, 1, 1), 3, 0.5)])
    second = _lake(tmp_path / "two", url, options)  # empty working copy: pulled before the run
    second.ingest([_readings(tmp_path / "b.csv", "MAC000002", datetime(2013, 1, 3), 2, 0.25)])
    store = ObjectStoreLake(url, options)
    snapshot = store.snapshot()
    assert snapshot is not None and snapshot.name == "s000002"
    day_one = snapshot.files["business/daily/reading_type=INT/date_str=20130101/part-0.parquet"]
    assert day_one[0].endswith(".s000001.parquet")  # unchanged partitions are not uploaded again
    day_three = snapshot.files["business/daily/reading_type=INT/date_str=20130103/part-0.parquet"]
    assert day_three[0].endswith(".s000002.parquet")  # rewritten: both meters' readings
    totals = store.sql(
        "SELECT meter_id, sum(aggregated_consumption) AS kwh FROM aggregated_daily"
        " GROUP BY ALL ORDER BY ALL"
    ).to_pylist()
    assert totals == [
        {"meter_id": "MAC000001", "kwh": 72.0},
        {"meter_id": "MAC000002", "kwh": 24.0},
    ]
    assert second.sql("SELECT count(*) AS n FROM daily").to_pylist() == [{"n": 240}]


def test_readers_never_see_a_half_published_run(tmp_path: Path, bucket: tuple[str, dict[str, str]]):
    """Each run adds meters to every day (so rewrites every partition); a reader polling meanwhile
    sees the totals after one run or another, never a mix of old and new partitions."""
    url, options = bucket
    lake = _lake(tmp_path / "lake", url, options)
    days = 20
    states: set[float] = set()
    errors: list[BaseException] = []
    seen: list[tuple[str, float, int]] = []
    done = threading.Event()

    def read() -> None:
        store = ObjectStoreLake(url, options)
        while not done.is_set():
            try:
                row = store.sql(
                    "SELECT sum(aggregated_consumption) AS kwh, count(*) AS n FROM aggregated_daily"
                ).to_pylist()[0]
                seen.append(("read", row["kwh"] or 0.0, row["n"]))
            except BaseException as exc:
                errors.append(exc)
                return

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for run, kwh in enumerate([0.5, 0.25, 0.125]):
            paths = [
                _readings(tmp_path / f"r{run}-{m}.csv", f"MAC{run}{m:05d}", start, days, kwh)
                for m in range(3)
                for start in [datetime(2013, 1, 1)]
            ]
            lake.ingest(paths)
            states.add(_total(lake))
    finally:
        done.set()
        reader.join()
    assert not errors
    assert len(states) == 3
    reads = {round(kwh, 9) for _, kwh, _ in seen}
    assert reads <= {round(s, 9) for s in states} | {0.0}
    assert len(seen) >= 3


def _total(lake: MeterLake) -> float:
    value: Any = lake.sql("SELECT sum(aggregated_consumption) AS kwh FROM aggregated_daily")
    return float(value.to_pylist()[0]["kwh"])


def test_vacuum_keeps_what_recent_snapshots_list(
    tmp_path: Path, bucket: tuple[str, dict[str, str]]
):
    url, options = bucket
    lake = _lake(tmp_path / "lake", url, options)
    for run in range(3):
        start = datetime(2013, 1, 1 + run)
        lake.ingest([_readings(tmp_path / f"{run}.csv", "MAC000001", start, 2, run + 1)])
    store = ObjectStoreLake(url, options)
    before = store.sql("SELECT * FROM daily ORDER BY ALL")
    assert store.vacuum(keep=1) > 0
    assert store.sql("SELECT * FROM daily ORDER BY ALL") == before
    assert LakeLayout(tmp_path / "lake").ledger.exists()
