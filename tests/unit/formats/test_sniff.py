from pathlib import Path

import pytest

from meterlake.errors import RejectedFileError
from meterlake.formats.london import KAGGLE, LONDON
from meterlake.formats.sniff import sniff_layout


def test_lcl_header_with_trailing_space_is_london(data_dir: Path):
    assert sniff_layout(data_dir / "london" / "lcl_sample.csv") is LONDON


def test_three_column_header_is_kaggle(data_dir: Path):
    assert sniff_layout(data_dir / "london" / "kaggle_sample.csv") is KAGGLE


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
        (b"a,b,c\n1,2,3\n", "unknown layout"),
        (b"\xff\xfe\xfa bad", "not UTF-8"),
    ],
)
def test_files_that_are_not_meter_files_are_rejected_with_a_reason(
    tmp_path: Path, content: bytes, reason: str
):
    path = tmp_path / "input.csv"
    path.write_bytes(content)
    with pytest.raises(RejectedFileError, match=reason):
        sniff_layout(path)


def test_unknown_header_message_names_the_layouts_tried(tmp_path: Path):
    path = tmp_path / "weather.csv"
    path.write_text(
        "visibility,windBearing,temperature,time,dewPoint,pressure,apparentTemperature,"
        "windSpeed,precipType,icon,humidity,summary\n"
        "5.97,104,10.24,2011-11-11 00:00:00,8.86,1016.76,10.24,2.77,rain,icon,0.91,Cloudy\n"
    )
    with pytest.raises(RejectedFileError, match=r"tried london .*mdm \(reading time '10.24' is"):
        sniff_layout(path)
