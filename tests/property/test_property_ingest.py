"""End to end: generated hostile files of every reader through a real ``MeterLake.ingest``.

The properties: nothing raises; every row read is accounted for exactly (clean + duplicates +
quarantined = read, with a quarantine record per quarantined row); the good rows of a file are
never lost because of its bad rows; and the ids in ``daily`` are trimmed and non-empty.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

import pytest
from hostile import (
    TEXT_FORMATS,
    Landing,
    compressed,
    json_files,
    mrasco_files,
    scaled,
    text_files,
    typed_files,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from meterlake.config import Settings
from meterlake.pipeline.report import FileOutcome
from meterlake.service import MeterLake

pytestmark = pytest.mark.integration


def _ingest_and_check(landings: Sequence[Landing]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        paths = []
        for number, landing in enumerate(landings):
            path = root / "in" / f"{number}-{landing.name}"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(landing.content)
            paths.append(path)
        lake = MeterLake(Settings(root=root / "lake", threads=1, memory_limit="500MB"))
        report = lake.ingest(paths)
        _check(lake, report.files, landings)


def _check(lake: MeterLake, outcomes: Sequence[FileOutcome], landings: Sequence[Landing]) -> None:
    stored = lake.sql("SELECT meter_id, reading_date_time FROM daily").to_pylist()
    keys = {(r["meter_id"], r["reading_date_time"]) for r in stored}
    assert all(m == m.strip() and m for m, _ in keys), "ids in daily must be trimmed"
    quarantined = {}
    if lake.layout.table("quarantine").exists():
        rows = lake.sql("SELECT file, count(*) AS n FROM quarantine GROUP BY file").to_pylist()
        quarantined = {r["file"]: r["n"] for r in rows}
    for outcome, landing in zip(outcomes, landings, strict=True):
        assert outcome.status == "ingested", outcome.reason
        assert outcome.balanced, outcome
        file = outcome.file
        assert quarantined.get(file, 0) == outcome.quarantined
        assert landing.good <= keys, sorted(landing.good - keys)


@pytest.mark.parametrize("reader", sorted(TEXT_FORMATS))
@settings(max_examples=scaled(30))
@given(data=st.data())
def test_delimited_files_keep_their_good_rows(reader: str, data: st.DataObject):
    # distinct meters per file, so that one file's rows cannot stand in for another's
    count = data.draw(st.integers(1, 3))
    _ingest_and_check([data.draw(text_files(reader, f"F{n}")) for n in range(count)])


@settings(max_examples=scaled(30))
@given(data=st.data())
def test_json_lines_keep_their_good_records(data: st.DataObject):
    count = data.draw(st.integers(1, 3))
    _ingest_and_check([data.draw(json_files(f"F{n}")) for n in range(count)])


@pytest.mark.parametrize("kind", ["parquet", "orc", "avro"])
@settings(max_examples=scaled(20))
@given(data=st.data())
def test_typed_files_keep_their_good_records(kind: str, data: st.DataObject):
    _ingest_and_check([data.draw(typed_files(kind))])


@pytest.mark.parametrize("kind", ["gz", "bz2", "zst", "zip"])
@settings(max_examples=scaled(10))
@given(data=st.data())
def test_compressed_files_keep_their_good_rows(kind: str, data: st.DataObject):
    reader = data.draw(st.sampled_from(sorted(TEXT_FORMATS)))
    _ingest_and_check([compressed(data.draw(text_files(reader)), kind)])


@settings(max_examples=scaled(15))
@given(flow=mrasco_files())
def test_mrasco_flows_keep_their_good_periods(flow: Landing):
    _ingest_and_check([flow])
