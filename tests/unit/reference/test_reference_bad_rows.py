from pathlib import Path

import pytest

from meterlake.reference import BadRow, read_reference

WEATHER_HEADER = (
    "visibility,windBearing,temperature,time,dewPoint,pressure,apparentTemperature,"
    "windSpeed,precipType,icon,humidity,summary"
)
GOOD_WEATHER = "5.97,104,10.24,2011-11-11 00:00:00,8.86,1016.76,10.24,2.77,rain,fog,0.91,Foggy"


def write(tmp_path: Path, text: str, name: str = "input.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def only_bad(path: Path, table: str | None = None) -> BadRow:
    read = read_reference(path, table)
    assert read.rows_read == read.rows.num_rows + len(read.bad)
    (bad,) = read.bad
    return bad


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (
            "5.97,104,,2011-11-11 01:00:00,8.86,1016.76,10.24,2.77,rain,fog,0.91,Foggy",
            "field 'temperature': empty",
        ),
        (
            "5.97,104,10.2,2011/11/11 01:00,8.86,1016.76,10.24,2.77,rain,fog,0.91,Foggy",
            "field 'time': not a time (yyyy-MM-dd HH:mm:ss): '2011/11/11 01:00'",
        ),
        (
            "5.97,104,10.2,2011-13-11 01:00:00,8.86,1016.76,10.24,2.77,rain,fog,0.91,Foggy",
            "field 'time': not a valid time: '2011-13-11 01:00:00'",
        ),
        (
            "5.97,104,10.2,2011-11-11 01:00:00,8.86,1016.76,10.24,2.77,rain,fog,,Foggy",
            "field 'humidity': empty",
        ),
        (
            "5.97,east,10.2,2011-11-11 01:00:00,8.86,1016.76,hot,2.77,rain,fog,0.9,Foggy",
            "field 'windbearing': not an integer: 'east'; "
            "field 'apparenttemperature': not a number: 'hot'",
        ),
        (
            "nan,104,10.2,2011-11-11 01:00:00,8.86,1016.76,10.24,2.77,rain,fog,0.9,Foggy",
            "field 'visibility': not a number: 'nan'",
        ),
        ("5.97,104,10.24,2011-11-11 01:00:00,8.86", "expected 12 fields, got 5"),
        (GOOD_WEATHER + ',"Foggy', "malformed CSV: unexpected end of data"),
    ],
)
def test_weather_bad_rows_name_line_and_reason(tmp_path: Path, row: str, reason: str):
    path = write(tmp_path, f"{WEATHER_HEADER}\n{GOOD_WEATHER}\n{row}\n{GOOD_WEATHER}\n")
    assert only_bad(path) == BadRow(line=3, raw=row, reason=reason)


def test_optional_weather_fields_become_null(tmp_path: Path):
    row = ",,10.24,2011-11-11 00:00:00,,,10.24,,,,0.91,"
    read = read_reference(write(tmp_path, f"{WEATHER_HEADER}\n{row}\n"))
    assert read.bad == ()
    values = read.rows.to_pylist()[0]
    assert [name for name, value in values.items() if value is not None] == [
        "temperature",
        "time",
        "apparenttemperature",
        "humidity",
    ]


def test_integral_decimal_is_an_integer(tmp_path: Path):
    row = GOOD_WEATHER.replace(",104,", ",104.0,")
    read = read_reference(write(tmp_path, f"{WEATHER_HEADER}\n{row}\n"))
    assert read.rows.column("windbearing").to_pylist() == [104]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("MAC000004,abc,-0.1", "field 'lat': not a number: 'abc'"),
        ("MAC000004,95.5,-0.1", "field 'lat': out of range [-90, 90]: '95.5'"),
        ("MAC000004,51.5,-180.5", "field 'long': out of range [-180, 180]: '-180.5'"),
        (",51.5,-0.1", "field 'meter_id': empty"),
        ("MAC000004,51.5", "expected 3 fields, got 2"),
        ("MAC000004,51.5,-0.1,extra", "expected 3 fields, got 4"),
    ],
)
def test_geodata_bad_rows(tmp_path: Path, row: str, reason: str):
    good = "MAC000002,51.49641876,-0.28546373\nMAC000003,51.59791055,-0.28223993\n"
    path = write(tmp_path, f"{good}{row}\n")
    assert only_bad(path) == BadRow(line=3, raw=row, reason=reason)


def test_full_geo_bad_counts(tmp_path: Path, data_dir: Path):
    lines = (data_dir / "geo" / "Full_Geodata.csv").read_text(encoding="utf-8-sig").splitlines()
    bad_order = lines[1].replace(",1,3,3,20", ",one,3,3,20")
    huge = lines[2].replace(",1,3,4,20", ",1,3,4,9999999999")
    path = write(tmp_path, "\n".join([lines[0], bad_order, huge, lines[1]]) + "\n")
    read = read_reference(path)
    assert read.table == "full_geo"
    assert read.rows.num_rows == 1
    assert read.bad == (
        BadRow(2, bad_order, "field 'order': not an integer: 'one'"),
        BadRow(3, huge, "field 'monthly_outages': out of int32 range: '9999999999'"),
    )


def test_cis_bad_rows(tmp_path: Path, data_dir: Path):
    lines = (data_dir / "cis" / "cis-data.csv").read_text().splitlines()
    seven = lines[1].rsplit(";", 1)[0]
    no_meter = lines[2].rsplit(";", 1)[0] + ";"
    path = write(tmp_path, "\n".join([*lines, seven, no_meter]) + "\n")
    read = read_reference(path)
    assert read.table == "cis"
    assert read.rows_read == 6
    assert read.bad == (
        BadRow(5, seven, "expected 8 fields, got 7"),
        BadRow(6, no_meter, "field 'meter_id': empty"),
    )


def test_line_numbers_count_blank_lines_and_blank_lines_are_not_rows(tmp_path: Path):
    text = "MAC000002,51.5,-0.2\r\n\r\nMAC000003,51.6,-0.1\r\n   \r\nMAC000004,x,-0.1\r\n"
    read = read_reference(write(tmp_path, text))
    assert read.rows_read == 3
    assert read.bad == (BadRow(5, "MAC000004,x,-0.1", "field 'lat': not a number: 'x'"),)


def test_line_that_is_not_utf8_is_a_bad_row(tmp_path: Path):
    path = tmp_path / "geo.csv"
    path.write_bytes(b"MAC000002,51.5,-0.2\nMAC\xff00003,51.6,-0.1\nMAC000004,51.4,-0.1\n")
    bad = only_bad(path)
    assert (bad.line, bad.reason) == (2, "not UTF-8 text")
    assert bad.raw == "MAC\ufffd00003,51.6,-0.1"


def test_rows_read_accounts_for_every_line(tmp_path: Path):
    rows = [GOOD_WEATHER.replace("00:00:00", f"{hour:02d}:00:00") for hour in range(24)]
    rows[5] = rows[5].replace(",0.91,", ",,")
    rows[17] = "garbage"
    read = read_reference(write(tmp_path, "\n".join([WEATHER_HEADER, *rows]) + "\n"))
    assert read.rows_read == 24
    assert read.rows.num_rows == 22
    assert [bad.line for bad in read.bad] == [7, 19]
