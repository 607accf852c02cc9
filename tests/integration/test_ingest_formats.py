"""Every input the reference accepts, ingested into a real lake (reference 2.1-2.4, vectors)."""

from __future__ import annotations

import bz2
import gzip
import shutil
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
import zstandard

from meterlake.config import Settings
from meterlake.errors import InputError
from meterlake.formats.mapping import ColumnMapping
from meterlake.service import MeterLake

pytestmark = pytest.mark.integration


def _rows(lake: MeterLake, where: str = "true") -> list[dict[str, object]]:
    return lake.sql(
        "SELECT meter_id, obis_code, reading_type, reading_date_time, reading_value, error_value,"
        f" date_str, week_of_year, hour, minute FROM daily WHERE {where}"
        " ORDER BY meter_id, reading_type, reading_date_time"
    ).to_pylist()


def test_vectors_1_2_4_5_default_mdm_with_header(lake: MeterLake, data_dir: Path):
    report = lake.ingest([data_dir / "mdm" / "mdm_header_semicolon.csv"])
    assert [(f.reader, f.rows_read, f.rows_clean) for f in report.files] == [("mdm", 4, 4)]
    rows = {(r["meter_id"], r["reading_type"]): r for r in _rows(lake)}
    vector_4 = rows[("4711", "INT")]
    assert vector_4["reading_date_time"] == datetime(2020, 4, 6, 16, 4, 40)  # vector 1
    assert (vector_4["obis_code"], vector_4["reading_value"]) == ("1.8.0", 15436.0)
    assert (vector_4["date_str"], vector_4["week_of_year"]) == ("20200406", 15)
    assert (vector_4["hour"], vector_4["minute"]) == (16, 4)
    vector_5 = rows[("A-17", "INT")]  # 12:24:00, alphanumeric id; the reference gave nulls
    assert (vector_5["hour"], vector_5["minute"]) == (12, 24)
    error = rows[("4711", "ERR")]  # an outage record keeps its code
    assert (error["error_value"], error["reading_value"]) == ("ERR02", None)
    assert error["reading_date_time"] == datetime(2019, 1, 3, 9, 15)
    register = rows[("S95A01234501", "AGG")]
    assert (register["obis_code"], register["reading_value"]) == ("", 12345.6)
    daily = lake.sql(
        "SELECT meter_id, date_str, aggregated_consumption AS kwh FROM aggregated_daily"
        " ORDER BY date_str"
    ).to_pylist()
    assert daily == [  # interval reads only: the ERR and AGG rows are not consumption
        {"meter_id": "4711", "date_str": "20200406", "kwh": 15436.0},
        {"meter_id": "A-17", "date_str": "20210101", "kwh": 0.5},
    ]


def test_china_five_columns_with_pipes_and_vector_2(lake: MeterLake, data_dir: Path):
    report = lake.ingest([data_dir / "mdm" / "mdm_cn_pipe.csv"])
    assert report.files[0].reader == "mdm_cn"
    times = [r["reading_date_time"] for r in _rows(lake, "meter_id = '4711'")]
    assert times == [datetime(2019, 1, 1, 0, 0), datetime(2019, 1, 1, 0, 15)]
    total = lake.sql("SELECT sum(aggregated_consumption) AS kwh FROM aggregated_daily")
    assert total.to_pylist() == [{"kwh": 2.25}]


def test_reference_generator_layout_is_read_with_the_documented_semantics(
    lake: MeterLake, data_dir: Path
):
    report = lake.ingest([data_dir / "mdm" / "mdm_generator.csv"])
    assert report.files[0].reader == "mdm_generator"
    rows = {(r["obis_code"], r["reading_type"]): r for r in _rows(lake)}
    assert set(rows) == {("1.8.1", "AGG"), ("2.8.1", "INT"), ("1.8.1", "ERR")}
    assert rows[("1.8.1", "ERR")]["error_value"] == "ERR02"
    assert rows[("1.8.1", "ERR")]["reading_value"] is None


def test_tab_file_without_header_quarantines_bad_type_missing_id_and_bad_time(
    lake: MeterLake, data_dir: Path
):
    report = lake.ingest([data_dir / "mdm" / "mdm_tab_no_header.csv"])
    (outcome,) = report.files
    assert (outcome.rows_read, outcome.rows_clean, outcome.quarantined) == (4, 1, 3)
    assert outcome.balanced
    reasons = lake.sql("SELECT line, reason FROM quarantine ORDER BY line").to_pylist()
    assert [r["line"] for r in reasons] == [2, 3, 4]
    assert "unknown reading type 'XYZ'" in reasons[0]["reason"]
    assert reasons[1]["reason"] == "missing meter id"
    assert "reading_time" in reasons[2]["reason"]


def test_mrasco_flows_are_converted_and_ingested(lake: MeterLake, data_dir: Path):
    report = lake.ingest([data_dir / "mrasco"])
    assert sorted((f.reader, f.rows_clean) for f in report.files) == [
        ("mrasco", 3),
        ("mrasco", 5),
    ]
    first = _rows(lake, "meter_id = '1234567890123' AND obis_code = '1.8.0'")[0]
    assert first["reading_date_time"] == datetime(2021, 1, 1, 0, 0)  # vector 9
    registers = [r["meter_id"] for r in _rows(lake, "reading_type = 'AGG'")]
    assert registers == ["K12345R1", "S95A01234501", "S95B00000101"]  # vector 10


def test_unknown_mrasco_flow_is_rejected_and_nothing_is_written(lake: MeterLake, tmp_path: Path):
    flow = tmp_path / "flow.txt"
    flow.write_text("ZHV|0000001|D0999001|X|LOND|Q|ACME|20210101120000||||OPER|\nZPT|1|\n")
    report = lake.ingest([flow])
    assert report.files[0].status == "rejected"
    assert "unknown flow" in report.files[0].reason  # vector 11
    assert _rows(lake) == []


def _compressed(source: Path, target: Path, kind: str) -> Path:
    data = source.read_bytes()
    if kind == "gz":
        target.write_bytes(gzip.compress(data))
    elif kind == "bz2":
        target.write_bytes(bz2.compress(data))
    elif kind == "zst":
        target.write_bytes(zstandard.ZstdCompressor().compress(data))
    return target


@pytest.mark.parametrize("kind", ["gz", "bz2", "zst"])
def test_compressed_files_are_read_by_content(
    lake: MeterLake, data_dir: Path, tmp_path: Path, kind: str
):
    packed = _compressed(data_dir / "london" / "lcl_bad_rows.csv", tmp_path / "export.dat", kind)
    report = lake.ingest([packed])
    (outcome,) = report.files
    assert (outcome.reader, outcome.rows_read, outcome.rows_clean) == ("london", 6, 2)
    assert outcome.quarantined == 4
    again = lake.ingest([packed])
    assert [f.status for f in again.files] == ["skipped"]


def test_zip_with_several_csvs_reads_each_member(lake: MeterLake, data_dir: Path, tmp_path: Path):
    archive = tmp_path / "LCL-June2015v2.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as packed:
        packed.write(data_dir / "london" / "lcl_sample.csv", "block_0.csv")
        packed.write(data_dir / "mdm" / "mdm_cn_pipe.csv", "block_1.csv")
    report = lake.ingest([archive])
    assert [(f.file.split(":")[-1], f.reader) for f in report.files] == [
        ("block_0.csv", "london"),
        ("block_1.csv", "mdm_cn"),
    ]
    assert lake.sql("SELECT count(*) AS n FROM daily").to_pylist() == [{"n": 7}]


def test_truncated_archives_are_errors_not_partial_loads(
    lake: MeterLake, data_dir: Path, tmp_path: Path
):
    source = tmp_path / "big.csv"
    lines = (data_dir / "london" / "lcl_sample.csv").read_text().splitlines()
    body = [
        f"MAC{i:06d},Std,2013-01-01 {h:02d}:{m:02d}:00.0000000, 0.1 ,ACORN-A,Affluent"
        for i in range(200)
        for h in range(24)
        for m in (0, 30)
    ]
    source.write_text("\n".join([lines[0], *body]) + "\n")
    for kind in ("gz", "bz2", "zst"):
        packed = _compressed(source, tmp_path / f"big.{kind}", kind)
        packed.write_bytes(packed.read_bytes()[: packed.stat().st_size // 2])
    archive = tmp_path / "big.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.write(source, "big.csv")
    archive.write_bytes(archive.read_bytes()[:-200])
    report = lake.ingest([tmp_path / f"big.{kind}" for kind in ("gz", "bz2", "zst", "zip")])
    assert [f.status for f in report.files] == ["rejected"] * 4
    assert _rows(lake) == []


def test_explicit_format_and_folder_formats(tmp_path: Path, data_dir: Path):
    root = tmp_path / "lake"
    (root / "landing" / "cn").mkdir(parents=True)
    shutil.copy(data_dir / "mdm" / "mdm_cn_pipe.csv", root / "landing" / "cn" / "a.csv")
    lake = MeterLake(Settings(root=root, formats={"landing/cn": "london"}))
    report = lake.ingest()
    assert report.files[0].status == "rejected"
    assert "format 'london' was asked for" in report.files[0].reason
    with pytest.raises(InputError, match="unknown format 'nope'"):
        lake.ingest(file_format="nope")
    assert lake.ingest(file_format="mdm_cn").files[0].status == "ingested"


def test_column_mapping_reads_another_export(tmp_path: Path):
    export = tmp_path / "export.csv"
    export.write_text(
        "MeterID;ServicePointID;ReadingType;ReadingQuality;ReadingTime;ReadingValue;ObisCode\n"
        "4711;1;kWh;;2020040616240440;15436.00;1.8.1\n"
        "4711;1;kWh;;2020040616241440;1.5;1.8.1\n"
    )
    mapping = ColumnMapping(
        delimiter=";",
        meter_id="MeterID",
        time="ReadingTime",
        time_format="%Y%m%d%H24%M%S",
        value="ReadingValue",
        obis="ObisCode",
    )
    lake = MeterLake(Settings(root=tmp_path / "lake", mappings={"mdm12": mapping}))
    report = lake.ingest([export], file_format="mdm12")
    assert [(f.reader, f.rows_clean) for f in report.files] == [("mapping:mdm12", 2)]
    rows = _rows(lake)
    assert [(r["obis_code"], r["hour"], r["minute"]) for r in rows] == [
        ("1.8.1", 16, 4),
        ("1.8.1", 16, 14),
    ]


@pytest.mark.parametrize(
    ("sample", "readers"),
    [
        ("parquet/readings.parquet", ["parquet"]),
        ("orc/readings.orc", ["orc"]),
        ("avro/readings.avro", ["avro"]),
        ("json/readings.jsonl", ["json"]),
        ("compressed/lcl_sample.csv.gz", ["london"]),
        ("compressed/lcl_sample.csv.bz2", ["london"]),
        ("compressed/lcl_sample.csv.zst", ["london"]),
        ("compressed/LCL-blocks.zip", ["london", "mdm_cn"]),
        ("mdm/mdm_header_semicolon.csv", ["mdm"]),
        ("mdm/mdm_cn_pipe.csv", ["mdm_cn"]),
        ("mdm/mdm_generator.csv", ["mdm_generator"]),
        ("mrasco/d0010_sample.txt", ["mrasco"]),
        ("london/kaggle_sample.csv", ["london_kaggle"]),
    ],
)
def test_every_sample_is_read_by_its_reader_and_balanced(
    lake: MeterLake, data_dir: Path, sample: str, readers: list[str]
):
    report = lake.ingest([data_dir / sample])
    assert [f.reader for f in report.files] == readers
    assert all(f.status == "ingested" and f.balanced and f.rows_clean > 0 for f in report.files)


def test_mapping_converts_units_to_kwh_and_quarantines_unknown_units(tmp_path: Path):
    export = tmp_path / "export.csv"
    export.write_text(
        "id,when,amount,unit\n"
        "M1,2013-01-01 00:00:00,1500,Wh\n"
        "M1,2013-01-01 00:30:00,0.25,kWh\n"
        "M1,2013-01-01 01:00:00,0.001,MWh\n"
        "M1,2013-01-01 01:30:00,7,therm\n"
    )
    mapping = ColumnMapping(meter_id="id", time="when", value="amount", unit="unit")
    lake = MeterLake(Settings(root=tmp_path / "lake", mappings={"units": mapping}))
    report = lake.ingest([export], file_format="units")
    (outcome,) = report.files
    assert (outcome.rows_read, outcome.rows_clean, outcome.quarantined) == (4, 3, 1)
    values = [r["reading_value"] for r in _rows(lake)]
    assert values == [1.5, 0.25, 1.0]
    reason = lake.sql("SELECT line, reason FROM quarantine").to_pylist()
    assert reason == [{"line": 5, "reason": "unknown unit 'therm' (expected Wh, kWh or MWh)"}]
    wh = MeterLake(
        Settings(
            root=tmp_path / "lake_wh",
            mappings={
                "wh": ColumnMapping(meter_id="id", time="when", value="amount", default_unit="Wh")
            },
        )
    )
    export.write_text("id,when,amount\nM1,2013-01-01 00:00:00,250\n")
    wh.ingest([export], file_format="wh")
    assert [r["reading_value"] for r in _rows(wh)] == [0.25]
