import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from meterlake.reference import REFERENCE_TABLES, detect_reference, read_reference

SAMPLES = {
    "weather": ("weather", "weather_hourly_darksky.csv", 5),
    "geodata": ("geo", "meter-geo-data.csv", 3),
    "full_geo": ("geo", "Full_Geodata.csv", 2),
    "cis": ("cis", "cis-data.csv", 4),
}


def sample(data_dir: Path, table: str) -> Path:
    folder, name, _ = SAMPLES[table]
    return data_dir / folder / name


@pytest.mark.parametrize("table", SAMPLES)
def test_each_sample_is_detected_by_content(data_dir: Path, tmp_path: Path, table: str):
    renamed = tmp_path / "upload.dat"
    renamed.write_bytes(sample(data_dir, table).read_bytes())
    assert detect_reference(renamed) == table


@pytest.mark.parametrize("table", SAMPLES)
def test_each_sample_reads_whole_with_the_exact_schema(data_dir: Path, table: str):
    read = read_reference(sample(data_dir, table))
    assert read.table == table
    assert read.rows.schema.equals(REFERENCE_TABLES[table])
    assert read.bad == ()
    assert read.rows.num_rows == read.rows_read == SAMPLES[table][2]


@pytest.mark.parametrize("table", SAMPLES)
def test_naming_the_table_gives_the_same_rows(data_dir: Path, table: str):
    path = sample(data_dir, table)
    assert read_reference(path, table).rows.equals(read_reference(path).rows)


def test_schemas_are_the_reference_columns():
    assert REFERENCE_TABLES["weather"] == pa.schema(
        [
            ("visibility", pa.float64()),
            ("windbearing", pa.int64()),
            ("temperature", pa.float64()),
            ("time", pa.timestamp("us")),
            ("dewpoint", pa.float64()),
            ("pressure", pa.float64()),
            ("apparenttemperature", pa.float64()),
            ("windspeed", pa.float64()),
            ("preciptype", pa.string()),
            ("icon", pa.string()),
            ("humidity", pa.float64()),
            ("summary", pa.string()),
        ]
    )
    assert REFERENCE_TABLES["geodata"] == pa.schema(
        [("meter_id", pa.string()), ("lat", pa.float64()), ("long", pa.float64())]
    )
    full_geo = REFERENCE_TABLES["full_geo"]
    assert full_geo.names == [
        "id", "lat", "long", "streetnumber", "streetname", "municipalitysubdivision",
        "municipality", "countrysecondarysubdivision", "countrysubdivision", "country",
        "countrycode", "countrycodeiso3", "postalcode", "order", "daily_outages",
        "weekly_outages", "monthly_outages",
    ]  # fmt: skip
    assert full_geo.field("lat").type == full_geo.field("long").type == pa.float64()
    assert {full_geo.field(name).type for name in full_geo.names[3:13]} == {pa.string()}
    assert {full_geo.field(name).type for name in full_geo.names[13:]} == {pa.int32()}
    cis_names = ("customer_id", "name", "zip", "city", "state", "street", "phone", "meter_id")
    assert REFERENCE_TABLES["cis"] == pa.schema([(name, pa.string()) for name in cis_names])


def test_weather_values_and_time_as_timestamp(data_dir: Path):
    first = read_reference(sample(data_dir, "weather")).rows.to_pylist()[0]
    assert first == {
        "visibility": 5.97,
        "windbearing": 104,
        "temperature": 10.24,
        "time": dt.datetime(2011, 11, 11, 0, 0, 0),
        "dewpoint": 8.86,
        "pressure": 1016.76,
        "apparenttemperature": 10.24,
        "windspeed": 2.77,
        "preciptype": "rain",
        "icon": "partly-cloudy-night",
        "humidity": 0.91,
        "summary": "Partly Cloudy",
    }


def test_geodata_values(data_dir: Path):
    rows = read_reference(sample(data_dir, "geodata")).rows.to_pylist()
    assert rows[0] == {"meter_id": "MAC004068", "lat": 40.76727216, "long": -73.99392888}


def test_full_geo_header_with_bom_maps_to_column_names(data_dir: Path):
    assert sample(data_dir, "full_geo").read_bytes().startswith(b"\xef\xbb\xbf")
    first = read_reference(sample(data_dir, "full_geo")).rows.to_pylist()[0]
    assert first["id"] == "MAC004728"
    assert first["lat"] == 40.755451
    assert first["postalcode"] == "11101"
    assert (first["order"], first["daily_outages"], first["weekly_outages"]) == (1, 3, 3)
    assert first["monthly_outages"] == 20


def test_cis_keeps_zip_as_text_with_leading_zero(data_dir: Path):
    rows = read_reference(sample(data_dir, "cis")).rows.to_pylist()
    assert [row["zip"] for row in rows] == ["42033", "38146", "62205", "05743"]
    assert rows[1] == {
        "customer_id": "f68b62ed-959b-495c-bf9b-968775b178e5",
        "name": "Fritz Thornburg",
        "zip": "38146",
        "city": "Memphis",
        "state": "TN",
        "street": "6765 Indian Creek Lane",
        "phone": "(276)401-6538",
        "meter_id": "MAC004068",
    }
    assert rows[0]["meter_id"] == "2"


def test_weather_columns_in_any_order_and_case(tmp_path: Path):
    path = tmp_path / "w.csv"
    path.write_text(
        "SUMMARY,Time,humidity,apparentTemperature,temperature,icon,precipType,windSpeed,"
        "pressure,dewPoint,windBearing,visibility\r\n"
        "Clear,2011-11-11 05:00:00,0.5,7.5,8.25,clear-night,,,,,,\r\n"
    )
    read = read_reference(path)
    assert read.table == "weather"
    assert read.rows.to_pylist() == [
        {
            "visibility": None,
            "windbearing": None,
            "temperature": 8.25,
            "time": dt.datetime(2011, 11, 11, 5),
            "dewpoint": None,
            "pressure": None,
            "apparenttemperature": 7.5,
            "windspeed": None,
            "preciptype": None,
            "icon": "clear-night",
            "humidity": 0.5,
            "summary": "Clear",
        }
    ]


def test_header_only_file_reads_as_no_rows(tmp_path: Path, data_dir: Path):
    header = sample(data_dir, "weather").read_text().splitlines()[0]
    path = tmp_path / "w.csv"
    path.write_text(header + "\n")
    read = read_reference(path)
    assert (read.table, read.rows_read, read.rows.num_rows) == ("weather", 0, 0)
    assert read.rows.schema.equals(REFERENCE_TABLES["weather"])
