"""Row accounting checked from outside the code that fills it.

The ingest fills ``rows_read``, ``rows_clean``, ``duplicates`` and ``quarantined`` so that they
add up; these tests count each input file's data rows, duplicates and bad rows with Python's
own csv module and compare them with what the lake holds: the ``clean`` and ``quarantine``
views, and the duplicates of the run record. Each file is ingested in a run of its own, so the
clean rows of a file are those of its run.
"""

from __future__ import annotations

import csv
import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from lake_snapshot import full_snapshot

from meterlake.config import Settings
from meterlake.engines.base import StagedFile
from meterlake.engines.duckdb_engine import DuckDBEngine
from meterlake.errors import AccountingError
from meterlake.service import MeterLake
from meterlake.synth import FleetSpec

pytestmark = pytest.mark.integration

SPEC = FleetSpec(
    meters=6,
    start=date(2013, 1, 1),
    end=date(2013, 1, 15),
    seed=9,
    files=2,
    null_rate=0.01,
    duplicate_rate=0.01,
)
TAIL = "Std,{time}, {kwh} ,ACORN-D,Affluent"
#: A file of the London layout with every kind of row the ingest has to account for.
HOSTILE = [
    "MAC000099,{tail}".format(tail=TAIL.format(time="2013-01-05 10:00:00.0000000", kwh="0.5")),
    "MAC000099,{tail}".format(tail=TAIL.format(time="2013-01-05 10:00:00.0000000", kwh="0.5")),
    "MAC000099,Std,2013-01-05 10:30:00.0000000,Null,ACORN-D,Affluent",
    '"MAC000099",Std,"2013-01-05 11:00:00.0000000", 0.25 ,ACORN-D,Affluent',
    "MAC000099,{tail}".format(tail=TAIL.format(time="not a time", kwh="0.5")),
    ",{tail}".format(tail=TAIL.format(time="2013-01-05 11:30:00.0000000", kwh="0.5")),
    "MAC000099,{tail}".format(tail=TAIL.format(time="2013-01-05 12:00:00.0000000", kwh="abc")),
    "MAC000099,{tail}".format(tail=TAIL.format(time="2013-01-05 12:30:00.0000000", kwh="nan")),
    "MAC000099,Std",
    "",
]


def _good(fields: list[str]) -> tuple[str, str] | None:
    """The (meter, time) key of a row a careful reader would keep, else ``None``."""
    if len(fields) != 6 or not fields[0].strip():
        return None
    try:
        time = datetime.fromisoformat(fields[2].strip()[:19])
        if fields[3] not in {"", "Null"} and not math.isfinite(float(fields[3])):
            return None
    except ValueError:
        return None
    return fields[0].strip(), time.isoformat()


def _count(file: Path, seen: set[tuple[str, str]]) -> dict[str, int]:
    """Data rows, duplicates (of this file or of one before) and bad rows, by a plain reader."""
    counts = {"read": 0, "duplicates": 0, "quarantined": 0}
    with file.open(newline="") as handle:
        for fields in list(csv.reader(handle))[1:]:
            if not fields:
                continue
            counts["read"] += 1
            key = _good(fields)
            if key is None:
                counts["quarantined"] += 1
                continue
            counts["duplicates"] += key in seen
            seen.add(key)
    return counts


def _in_lake(lake: MeterLake, run_id: str) -> dict[str, int]:
    """What the lake holds of one single-file run: its record, clean and quarantine rows."""
    (outcome,) = lake.run(run_id)["files"]
    clean = lake.sql("SELECT count(*) AS n FROM clean WHERE run_id = ?", [run_id])
    bad = lake.sql(
        "SELECT count(*) AS n FROM quarantine WHERE run_id = ? AND file = ?",
        [run_id, outcome["file"]],
    )
    return {
        "read": outcome["rows_read"],
        "clean": clean.to_pylist()[0]["n"],
        "duplicates": outcome["duplicates"],
        "quarantined": bad.to_pylist()[0]["n"],
    }


@pytest.fixture
def inputs(tmp_path: Path) -> list[Path]:
    """Two generated files (Null values, duplicated lines) and one hostile file."""
    source = MeterLake(Settings(root=tmp_path / "source", threads=1))
    files = source.generate(SPEC).readings
    first_row = files[0].read_text().splitlines()[1]  # a duplicate of an earlier run's row
    hostile = tmp_path / "hostile.csv"
    header = files[0].read_text().splitlines()[0]
    hostile.write_text("\n".join([header, first_row, *HOSTILE]) + "\n")
    return [*files, hostile]


def test_rows_read_are_clean_duplicates_or_quarantined_in_the_lake(
    lake: MeterLake, inputs: list[Path]
):
    seen: set[tuple[str, str]] = set()
    expected = [_count(file, seen) for file in inputs]
    assert expected[-1] == {"read": 10, "duplicates": 2, "quarantined": 5}  # the reader works
    assert all(e["duplicates"] > 0 for e in expected)
    for file, counted in zip(inputs, expected, strict=True):
        held = _in_lake(lake, lake.ingest([file]).run_id)
        counted["clean"] = counted["read"] - counted["duplicates"] - counted["quarantined"]
        assert held == counted, file.name
    total = lake.sql("SELECT count(*) AS n FROM clean").to_pylist()[0]["n"]
    assert total == sum(e["clean"] for e in expected)


def _losing_one_row(real: Any) -> Any:
    def stage(self: DuckDBEngine, *args: Any) -> StagedFile:
        staged: StagedFile = real(self, *args)
        staged.rows -= 1  # one row lost between the file and the staging files
        return staged

    return stage


def test_a_row_lost_inside_the_ingest_is_an_accounting_error_and_nothing_is_committed(
    lake: MeterLake, inputs: list[Path], monkeypatch: pytest.MonkeyPatch
):
    lake.ingest([inputs[0]])
    before = full_snapshot(lake)
    monkeypatch.setattr(DuckDBEngine, "stage_file", _losing_one_row(DuckDBEngine.stage_file))
    with pytest.raises(AccountingError, match="row accounting failed") as raised:
        lake.ingest([inputs[-1]])
    assert raised.value.file.name == "hostile.csv"
    assert full_snapshot(lake) == before
    assert not list(lake.layout.transactions.glob("*"))
    monkeypatch.undo()
    assert lake.ingest([inputs[-1]]).files[0].balanced  # the same file, no row lost: committed
    assert full_snapshot(lake) != before
