from pathlib import Path

import pytest

from meterlake.errors import InputError, RejectedFileError
from meterlake.reference import detect_reference, read_reference


def write(tmp_path: Path, content: bytes) -> Path:
    path = tmp_path / "input.csv"
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"\n \r\n", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary content"),
        (b"LCLid,tstp,energy(kWh/hh)\nMAC000002,2012-10-12 00:30:00.0000000,0\n", "unknown"),
        (b"a,b,c\n1,2,3\n4,5,6\n", "unknown layout"),
    ],
)
def test_files_that_are_no_reference_table_are_rejected(
    tmp_path: Path, content: bytes, reason: str
):
    path = write(tmp_path, content)
    assert detect_reference(path) is None
    with pytest.raises(RejectedFileError, match=reason) as caught:
        read_reference(path)
    assert caught.value.file == path


def test_rejection_lists_every_table_tried_and_why(tmp_path: Path):
    path = write(tmp_path, b"LCLid,tstp,energy(kWh/hh)\nMAC000002,2012-10-12 00:30:00,0\n")
    with pytest.raises(RejectedFileError) as caught:
        read_reference(path)
    reason = caught.value.reason
    assert reason.startswith("unknown layout; tried weather (")
    assert "weather (Dark Sky" in reason
    assert "header missing visibility, windbearing" in reason
    assert "unexpected 'lclid', 'tstp', 'energy(kwh/hh)'" in reason
    assert "full_geo (" in reason
    assert "geodata (" in reason
    assert "line 1: field 'lat': not a number: 'tstp'" in reason
    assert "cis (" in reason
    assert "line 1: expected 8 fields, got 1" in reason


def test_headerless_file_needs_a_good_first_line(tmp_path: Path):
    path = write(tmp_path, b"meter,lat,long\nMAC000002,51.5,-0.2\nMAC000003,51.6,-0.1\n")
    assert detect_reference(path) is None


def test_headerless_file_needs_mostly_good_lines(tmp_path: Path):
    path = write(tmp_path, b"MAC000002,51.5,-0.2\nx,y,z\nx,y,z\nMAC000003,51.6,-0.1\n")
    with pytest.raises(RejectedFileError, match=r"2 of the first 4 lines are bad \(line 2: "):
        read_reference(path)


def test_named_table_that_does_not_match_is_rejected(tmp_path: Path, data_dir: Path):
    path = data_dir / "geo" / "meter-geo-data.csv"
    with pytest.raises(RejectedFileError, match=r"not a cis file \(CIS customers"):
        read_reference(path, "cis")
    with pytest.raises(RejectedFileError, match="not a weather file"):
        read_reference(path, "weather")


def test_unknown_table_name_is_an_input_error(data_dir: Path):
    with pytest.raises(InputError, match="unknown reference table 'customers'"):
        read_reference(data_dir / "cis" / "cis-data.csv", "customers")


def test_duplicate_header_column_is_named(tmp_path: Path):
    header = (
        b"visibility,windBearing,temperature,time,dewPoint,pressure,apparentTemperature,"
        b"windSpeed,precipType,icon,humidity,summary,time\n"
    )
    with pytest.raises(RejectedFileError, match="duplicate 'time'"):
        read_reference(write(tmp_path, header), "weather")


def test_header_not_utf8_is_rejected(tmp_path: Path):
    with pytest.raises(RejectedFileError, match="line 1: not UTF-8 text"):
        read_reference(write(tmp_path, b"\xff\xfe\xfa bad\n"))
