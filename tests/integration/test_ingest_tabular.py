"""JSON lines, Parquet, ORC and Avro inputs with canonical or mapped columns."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import fastavro
import pyarrow as pa
import pyarrow.orc as paorc
import pyarrow.parquet as pq
import pytest

from meterlake.config import Settings
from meterlake.formats.mapping import ColumnMapping
from meterlake.service import MeterLake

pytestmark = pytest.mark.integration

RECORDS = [
    {"meter_id": "M1", "reading_date_time": datetime(2013, 1, 1, 0, 0), "reading_value": 0.5},
    {"meter_id": "M1", "reading_date_time": datetime(2013, 1, 1, 0, 30), "reading_value": 0.25},
    {"meter_id": "M2", "reading_date_time": datetime(2013, 1, 1, 0, 0), "reading_value": 1.0},
]


def _write(kind: str, path: Path) -> Path:
    table = pa.Table.from_pylist(RECORDS)
    if kind == "parquet":
        pq.write_table(table, path)
    elif kind == "orc":
        paorc.write_table(table, str(path))
    else:
        schema = {
            "type": "record",
            "name": "reading",
            "fields": [
                {"name": "meter_id", "type": "string"},
                {"name": "reading_date_time", "type": "string"},
                {"name": "reading_value", "type": "double"},
            ],
        }
        rows = [{**r, "reading_date_time": str(r["reading_date_time"])} for r in RECORDS]
        with path.open("wb") as handle:
            fastavro.writer(handle, schema, rows)
    return path


@pytest.mark.parametrize("kind", ["parquet", "orc", "avro"])
def test_typed_files_with_canonical_columns(lake: MeterLake, tmp_path: Path, kind: str):
    report = lake.ingest([_write(kind, tmp_path / "export.bin")])
    assert [(f.reader, f.rows_read, f.rows_clean) for f in report.files] == [(kind, 3, 3)]
    totals = lake.sql("SELECT meter_id, aggregated_consumption AS kwh FROM aggregated_daily")
    assert sorted(totals.to_pylist(), key=lambda r: r["meter_id"]) == [
        {"meter_id": "M1", "kwh": 0.75},
        {"meter_id": "M2", "kwh": 1.0},
    ]


def test_json_lines_keep_line_numbers_of_bad_records(lake: MeterLake, data_dir: Path):
    report = lake.ingest([data_dir / "json" / "readings.jsonl"])
    (outcome,) = report.files
    assert (outcome.reader, outcome.rows_read, outcome.rows_clean) == ("json", 4, 2)
    assert outcome.balanced
    bad = lake.sql("SELECT line, reason FROM quarantine ORDER BY line").to_pylist()
    assert [r["line"] for r in bad] == [3, 5]
    assert bad[0]["reason"].startswith("not a JSON object")
    assert "reading_time" in bad[1]["reason"]
    obis = lake.sql("SELECT obis_code FROM daily ORDER BY reading_date_time").to_pylist()
    assert obis == [{"obis_code": ""}, {"obis_code": "1.8.0"}]


def test_parquet_with_other_column_names_needs_a_mapping(tmp_path: Path):
    table = pa.Table.from_pylist(
        [{"Zaehler": "Z1", "Zeit": "2013-01-01 00:00:00", "Wert": 2.0, "Art": "INT"}]
    )
    pq.write_table(table, tmp_path / "export.parquet")
    lake = MeterLake(
        Settings(
            root=tmp_path / "lake",
            mappings={
                "de": ColumnMapping(
                    meter_id="Zaehler", time="Zeit", value="Wert", reading_type="Art"
                )
            },
        )
    )
    first = lake.ingest([tmp_path / "export.parquet"])
    assert first.files[0].status == "rejected"
    assert "lack ['meter_id', 'timestamp', 'value']" in first.files[0].reason
    second = lake.ingest([tmp_path / "export.parquet"], file_format="de")
    assert [(f.reader, f.rows_clean) for f in second.files] == [("mapping:de", 1)]
